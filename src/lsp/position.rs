//! Byte offsets of a text to LSP positions and back: a line and a column in UTF-16 code
//! units, as the protocol counts them (`é` is one unit, `𝄞` two).

use lsp_types::{Position, Range};
use proviso::internals::span::Span;

/// Where each line of a text starts.
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Self {
        let newlines = text.match_indices('\n').map(|(i, _)| i + 1);
        Lines {
            text,
            starts: std::iter::once(0).chain(newlines).collect(),
        }
    }

    /// The position of a byte offset (clamped to the text, and back to a character's start).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let units = self
            .text
            .get(start..offset)
            .unwrap_or("")
            .encode_utf16()
            .count();
        Position::new(to_u32(line), to_u32(units))
    }

    /// The byte offset of a position. A column past the end of its line is the line's end
    /// (before its line break), and a line past the last is the end of the text.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .copied()
            .unwrap_or(self.text.len());
        let line = self.text.get(start..end).unwrap_or("");
        let line = line.trim_end_matches('\n').trim_end_matches('\r');
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += c.len_utf16();
            if units > pos.character as usize {
                return start + i;
            }
        }
        start + line.len()
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// The range of the whole text.
    pub fn whole(&self) -> Range {
        Range::new(Position::new(0, 0), self.position(self.text.len()))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns() {
        // `é` is 2 bytes and 1 unit; `𝄞` is 4 bytes and 2 units.
        let text = "ab\n  doc \"é𝄞x\"\r\nlast";
        let lines = Lines::new(text);
        let x = text.find('x').unwrap_or_default();
        assert_eq!(lines.position(x), Position::new(1, 10));
        assert_eq!(lines.offset(Position::new(1, 10)), x);
        let clef = text.find('𝄞').unwrap_or_default();
        assert_eq!(lines.position(clef), Position::new(1, 8));
        // Inside the surrogate pair: the character's start.
        assert_eq!(lines.offset(Position::new(1, 9)), clef);
        assert_eq!(lines.position(clef + 1), Position::new(1, 8));
        // Past the end of a line: before its `\r\n`.
        let end = text.find('\r').unwrap_or_default();
        assert_eq!(lines.offset(Position::new(1, 99)), end);
        assert_eq!(lines.offset(Position::new(9, 0)), text.len());
        assert_eq!(lines.position(text.len()), Position::new(2, 4));
        assert_eq!(
            lines.whole(),
            Range::new(Position::new(0, 0), Position::new(2, 4))
        );
    }
}
