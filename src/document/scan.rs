//! Limits checked on a document's text before any parser decodes it.
//!
//! The parsers are not trusted with hostile nesting: libyaml takes quadratic time on deeply
//! nested flow collections, and serde_json skips an ignored value without any depth limit.
//! So the text is scanned once, cheaply, for nesting deeper than [`MAX_DEPTH`] (in declared
//! fields or not).
//!
//! YAML aliases are refused: a document is data of the same shape as JSON, and an alias
//! could stand for a billion values. Whether a text holds one is decided from the events
//! of a YAML parser (saphyr's), not from a text scan, so that no spelling of line breaks,
//! quotes or comments can hide one; the parser runs only on a text that holds a `*`, as
//! every alias does. libyaml, which decodes documents, reads YAML 1.1, whose line breaks
//! also include NEL, LS and PS: they are read as line breaks here too (and tabs as
//! spaces). A text the event parser cannot read is refused, with libyaml's own error when
//! libyaml cannot read it either (asked without following aliases). So no document that
//! reaches the decoder holds an alias, and what one document expands to is bounded by its
//! own size (at most `--max-document-bytes` in the command).

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScanError};
use serde::Deserialize;

use super::{DocError, Format};

/// Deepest nesting of lists and mappings a document may use.
pub const MAX_DEPTH: usize = 64;

/// Rejects a document that nests too deeply or (YAML) uses an alias.
pub(super) fn check(text: &str, format: Format) -> Result<(), DocError> {
    let deep = match format {
        Format::Json => json(text.as_bytes()),
        Format::Yaml => yaml(text),
    };
    if let Some(at) = deep {
        return Err(error(
            text,
            at,
            format!("the document nests deeper than {MAX_DEPTH} levels"),
        ));
    }
    if format == Format::Yaml && text.contains('*') {
        aliases(text)?;
    }
    Ok(())
}

/// An error at byte offset `at`, located by line and column as diagnostics count them.
fn error(text: &str, at: usize, message: String) -> DocError {
    let before = text.get(..at).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    DocError {
        message,
        path: None,
        line_col: Some((line, col)),
        place: Default::default(),
    }
}

const ALIAS: &str = "YAML aliases (`*name`) are not accepted in documents; write the value out";

/// What saphyr says of an alias whose anchor is not defined (an alias all the same).
const UNKNOWN_ANCHOR: &str = "while parsing node, found unknown anchor";

/// Refuses a YAML text that holds an alias, at the alias.
fn aliases(text: &str) -> Result<(), DocError> {
    // NEL, LS and PS are YAML 1.1 line breaks; each is one character, as `\n` is. A tab
    // separates tokens for libyaml where saphyr (YAML 1.2) may not take one (`key:\tvalue`),
    // and starts none, so it is read as a space; libyaml refuses the tabs that indent.
    let odd = ['\u{85}', '\u{2028}', '\u{2029}', '\t'];
    let read: Cow<'_, str> = if text.contains(odd) {
        let same_length = |c: char| match c {
            '\t' => ' ',
            c if odd.contains(&c) => '\n',
            c => c,
        };
        Cow::Owned(text.chars().map(same_length).collect())
    } else {
        Cow::Borrowed(text)
    };
    let at = |chars: usize| {
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(i, _)| i)
    };
    let unread: ScanError = match first_alias(&read) {
        Ok(None) => return Ok(()),
        Ok(Some(index)) => return Err(error(text, at(index), ALIAS.into())),
        Err(e) if e.info() == UNKNOWN_ANCHOR => {
            return Err(error(text, at(e.marker().index()), ALIAS.into()))
        }
        Err(e) => e,
    };
    // Ignoring the document follows no alias, so this reads libyaml's events and no more.
    match serde::de::IgnoredAny::deserialize(serde_yaml::Deserializer::from_str(text)) {
        Err(e) => Err(DocError {
            message: super::clean(&e.to_string()),
            path: None,
            line_col: e.location().map(|l| (l.line(), l.column())),
            place: Default::default(),
        }),
        Ok(_) => Err(error(
            text,
            at(unread.marker().index()),
            format!(
                "cannot check the document for YAML aliases, as YAML 1.2 reads it: {}",
                unread.info()
            ),
        )),
    }
}

/// The character index of the first alias in a YAML text, `None` when there is none.
fn first_alias(text: &str) -> Result<Option<usize>, ScanError> {
    let mut parser = Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        match event? {
            (Event::Alias(_), span) => return Ok(Some(span.start.index())),
            (Event::StreamEnd, _) => break,
            _ => {}
        }
    }
    Ok(None)
}

/// The offset of the first bracket nested deeper than [`MAX_DEPTH`].
fn json(bytes: &[u8]) -> Option<usize> {
    // Nesting is never deeper than the number of brackets that could open it: counting
    // them is a fast pass, and most documents have too few to need the walk below.
    // `[` is 0x5b and `{` 0x7b: with bit 0x20 set, both read `{` and no other byte does.
    // Counted by blocks of at most 255 bytes into a byte, the compiler does it in vector
    // registers.
    let openers: usize = bytes
        .chunks(255)
        .map(|block| {
            let n: u8 = block.iter().map(|&b| u8::from(b | 0x20 == b'{')).sum();
            usize::from(n)
        })
        .sum();
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
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// A lexical pass over YAML: quoted scalars, comments and block scalars are skipped; flow
/// brackets and compact `- `/`? ` entries count as nesting. Gives the offset of the first
/// bracket or entry nested deeper than [`MAX_DEPTH`].
fn yaml(text: &str) -> Option<usize> {
    let mut flow = 0usize;
    let mut quote: Option<u8> = None;
    let mut block_scalar: Option<usize> = None;
    let mut node_start = true;
    for (start, line) in lines(text) {
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
            let spaced = matches!(next, b' ' | b'\t' | b'\n');
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
                b' ' | b'\t' => {}
                b'#' if after_space => break,
                b'[' | b'{' if node_start || flow > 0 => {
                    flow += 1;
                    if flow > MAX_DEPTH {
                        return Some(start + i - 1);
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
                        return Some(start + i - 1);
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

/// The lines of a YAML text, each with its offset and without its line break: YAML 1.1
/// (libyaml) ends a line at `\r\n`, `\r`, `\n`, NEL, LS or PS.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    std::iter::from_fn(move || {
        let rest = text.get(offset..).filter(|r| !r.is_empty())?;
        let start = offset;
        let (line, brk) = match rest.find(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']) {
            Some(i) => {
                let tail = rest.get(i..).unwrap_or_default();
                let len = match tail.chars().next() {
                    Some('\r') if tail.starts_with("\r\n") => 2,
                    Some(c) => c.len_utf8(),
                    None => 0,
                };
                (rest.get(..i).unwrap_or_default(), len)
            }
            None => (rest, 0),
        };
        offset += line.len() + brk;
        Some((start, line))
    })
}
