//! Layout of policy files: whitespace normalised, everything else (comments included) kept.
//!
//! The rules: no trailing whitespace, tabs become two spaces, at most one blank line in a
//! row, no blank lines at the start, and exactly one newline at the end. Strings are left
//! as written (a tab or run of spaces inside one is kept). The result is checked to mean
//! the same as the input before anything is written.

/// The file laid out by the rules above.
pub fn layout(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    let mut in_string = false;
    // Lines keep their `\r` until it is known to lie outside a string: inside one, it is
    // part of the text (a file with CRLF line breaks and a string that spans lines).
    for raw in text.split_inclusive('\n') {
        let raw = raw.strip_suffix('\n').unwrap_or(raw);
        let started_inside = in_string;
        let line = if started_inside {
            raw.to_string()
        } else {
            untab(raw)
        };
        in_string = ends_inside_string(&line, started_inside);
        let line = if in_string {
            line.as_str()
        } else {
            line.trim_end()
        };
        // A blank line inside a string is text, not layout.
        if line.is_empty() && !started_inside {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Leading tabs become two spaces each.
fn untab(line: &str) -> String {
    let body = line.trim_start_matches('\t');
    let tabs = line.len() - body.len();
    format!("{}{body}", "  ".repeat(tabs))
}

/// Whether a string literal is still open at the end of `line`.
fn ends_inside_string(line: &str, mut inside: bool) -> bool {
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if inside => {
                chars.next();
            }
            '"' => inside = !inside,
            '#' if !inside => return false,
            _ => {}
        }
    }
    inside
}
