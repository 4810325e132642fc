//! Limits checked on a document's text before any parser sees it.
//!
//! The parsers are not trusted with hostile nesting: libyaml takes quadratic time on deeply
//! nested flow collections, and serde_json skips an ignored value without any depth limit.
//! So the text is scanned once, cheaply, for nesting deeper than [`MAX_DEPTH`] (in declared
//! fields or not), and YAML aliases are refused: a document is data of the same shape as
//! JSON, and an alias could stand for a billion values.

use super::{DocError, Format};

/// Deepest nesting of lists and mappings a document may use.
pub const MAX_DEPTH: usize = 64;

/// Rejects a document that nests too deeply or (YAML) uses an alias.
pub(super) fn check(text: &str, format: Format) -> Result<(), DocError> {
    let found = match format {
        Format::Json => json(text.as_bytes()),
        Format::Yaml => yaml(text),
    };
    match found {
        None => Ok(()),
        Some((at, problem)) => {
            let before = text.get(..at).unwrap_or("");
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let message = match problem {
                Problem::Deep => format!("the document nests deeper than {MAX_DEPTH} levels"),
                Problem::Alias => {
                    "YAML aliases (`*name`) are not accepted in documents; write the value out"
                        .into()
                }
            };
            Err(DocError {
                message,
                path: None,
                line_col: Some((line, col)),
                place: Default::default(),
            })
        }
    }
}

enum Problem {
    Deep,
    Alias,
}

fn json(bytes: &[u8]) -> Option<(usize, Problem)> {
    // Nesting is never deeper than the number of brackets that could open it: counting
    // them is a fast pass, and most documents have too few to need the walk below.
    let openers = bytes.iter().filter(|&&b| b == b'[' || b == b'{').count();
    if openers <= MAX_DEPTH {
        return None;
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some((i, Problem::Deep));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// A lexical pass over YAML: quoted scalars, comments and block scalars are skipped; flow
/// brackets and compact `- `/`? ` entries count as nesting; `*` where a node starts is an alias.
fn yaml(text: &str) -> Option<(usize, Problem)> {
    let mut flow = 0usize;
    let mut quote: Option<u8> = None;
    let mut block_scalar: Option<usize> = None;
    let mut node_start = true;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        if let Some(parent) = block_scalar {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_scalar = None;
        }
        if quote.is_none() && flow == 0 {
            node_start = true;
        }
        // Column of the node a block scalar on this line would belong to.
        let mut node_col = indent;
        let mut compact = 0;
        let mut i = indent;
        while let Some(&b) = bytes.get(i) {
            let next = bytes.get(i + 1).copied().unwrap_or(b'\n');
            let spaced = matches!(next, b' ' | b'\t' | b'\r' | b'\n');
            i += 1;
            if let Some(q) = quote {
                match b {
                    b'\\' if q == b'"' => i += 1,
                    _ if b == q && q == b'\'' && next == b'\'' => i += 1,
                    _ if b == q => quote = None,
                    _ => {}
                }
                continue;
            }
            let after_space = i == 1 || matches!(bytes.get(i - 2), Some(b' ' | b'\t'));
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => {}
                b'#' if after_space => break,
                b'[' | b'{' if node_start || flow > 0 => {
                    flow += 1;
                    if flow > MAX_DEPTH {
                        return Some((start + i - 1, Problem::Deep));
                    }
                    node_start = true;
                }
                b']' | b'}' if flow > 0 => {
                    flow -= 1;
                    node_start = false;
                }
                b',' if flow > 0 => node_start = true,
                b':' if spaced || (flow > 0 && matches!(next, b',' | b']' | b'}')) => {
                    node_start = true;
                }
                _ if !node_start => {}
                b'"' | b'\'' => {
                    quote = Some(b);
                    node_start = false;
                }
                b'*' if !spaced => return Some((start + i - 1, Problem::Alias)),
                b'&' | b'!' => {
                    // An anchor or a tag: the node itself follows it.
                    while bytes.get(i).is_some_and(|c| !c.is_ascii_whitespace()) {
                        i += 1;
                    }
                }
                b'-' | b'?' if spaced => {
                    node_col = i - 1;
                    compact += 1;
                    if compact > MAX_DEPTH {
                        return Some((start + i - 1, Problem::Deep));
                    }
                }
                b'|' | b'>' if flow == 0 => {
                    block_scalar = Some(node_col);
                    break;
                }
                _ => {
                    node_start = false;
                    node_col = i - 1;
                }
            }
        }
    }
    None
}
