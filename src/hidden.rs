//! Characters that could hide or reorder text when it is shown: one list for every output.

/// C0 controls, DEL, C1 controls (NEL among them), the line and paragraph separators, and
/// the marks and overrides that reorder text.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}
