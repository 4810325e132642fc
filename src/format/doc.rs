//! A small pretty-printing document: text, line breaks that a group may keep flat, and
//! comments; rendered to the narrowest layout that fits the width.
//!
//! A [`Doc::Group`] is printed on one line when it fits in what is left of the line,
//! else each of its [`Doc::Line`]s breaks. A [`Doc::Fill`] packs its parts: each
//! separator breaks only when the part after it would not fit. A comment (or a
//! [`Doc::Hard`] break) never fits on one line, so every group holding one breaks.
//! Line breaks are written lazily: two breaks in a row make one, a space at the start of a
//! line is dropped, and no line keeps trailing spaces.

/// A layout to render.
#[derive(Clone, Debug)]
pub enum Doc {
    /// Text without line breaks.
    Text(String),
    /// A space, or a line break where the enclosing group breaks.
    Line,
    /// A line break, always.
    Hard,
    /// An empty line, always (one, however many are asked for in a row).
    Blank,
    /// Lines broken inside are indented by this much more.
    Nest(usize, Box<Doc>),
    /// Lines broken inside are indented to the column where this starts.
    Align(Box<Doc>),
    /// On one line if it fits, else every line inside breaks.
    Group(Box<Doc>),
    /// Parts and separators alternating (`part, sep, part, ...`): a separator breaks only
    /// where the next part does not fit on the line.
    Fill(Vec<Doc>),
    Cat(Vec<Doc>),
    /// `# text`: at the end of the line so far, or on a line of its own when `own_line`.
    /// A [`Doc::Hard`] must follow it.
    Comment {
        text: String,
        own_line: bool,
    },
}

pub fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

pub fn cat(parts: Vec<Doc>) -> Doc {
    Doc::Cat(parts)
}

pub fn nest(n: usize, d: Doc) -> Doc {
    Doc::Nest(n, Box::new(d))
}

pub fn align(d: Doc) -> Doc {
    Doc::Align(Box::new(d))
}

pub fn group(d: Doc) -> Doc {
    Doc::Group(Box::new(d))
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Flat,
    Break,
}

/// What is left to render: a document, or the parts of a fill not yet placed.
#[derive(Clone, Copy)]
enum Cmd<'d> {
    Doc(&'d Doc),
    Fill(&'d [Doc]),
}

type Stack<'d> = Vec<(usize, Mode, Cmd<'d>)>;

/// Renders `doc` for lines of at most `width` columns where it can.
pub fn render(doc: &Doc, width: usize) -> String {
    let mut r = Renderer {
        out: String::new(),
        col: 0,
        pending: None,
        blank: false,
        width,
    };
    let mut stack: Stack = vec![(0, Mode::Break, Cmd::Doc(doc))];
    while let Some((indent, mode, cmd)) = stack.pop() {
        let d = match cmd {
            Cmd::Doc(d) => d,
            Cmd::Fill(parts) => {
                r.fill(parts, indent, mode, &mut stack);
                continue;
            }
        };
        match d {
            Doc::Text(s) => r.write(s),
            Doc::Line if mode == Mode::Flat => {
                if r.pending.is_none() {
                    r.write(" ");
                }
            }
            Doc::Line | Doc::Hard => r.pending = Some(indent),
            Doc::Blank => {
                r.pending = Some(indent);
                r.blank = !r.out.is_empty();
            }
            Doc::Nest(n, inner) => stack.push((indent + n, mode, Cmd::Doc(inner))),
            Doc::Align(inner) => {
                let col = r.pending.unwrap_or(r.col);
                stack.push((col, mode, Cmd::Doc(inner)));
            }
            Doc::Group(inner) => {
                let m = if mode == Mode::Flat || r.fits(inner, &stack) {
                    Mode::Flat
                } else {
                    Mode::Break
                };
                stack.push((indent, m, Cmd::Doc(inner)));
            }
            Doc::Cat(parts) => {
                stack.extend(parts.iter().rev().map(|p| (indent, mode, Cmd::Doc(p))))
            }
            Doc::Fill(parts) => r.fill(parts, indent, mode, &mut stack),
            Doc::Comment { text, own_line } => r.comment(text, *own_line, indent),
        }
    }
    r.finish()
}

struct Renderer {
    out: String,
    col: usize,
    /// A line break not yet written, and the indentation of the line after it.
    pending: Option<usize>,
    /// The pending break leaves an empty line.
    blank: bool,
    width: usize,
}

impl Renderer {
    fn trim_end(&mut self) {
        let kept = self.out.trim_end_matches(' ').len();
        self.col = self.col.saturating_sub(self.out.len() - kept);
        self.out.truncate(kept);
    }

    fn write(&mut self, s: &str) {
        if let Some(indent) = self.pending.take() {
            self.trim_end();
            if !self.out.is_empty() {
                self.out.push('\n');
                if std::mem::take(&mut self.blank) {
                    self.out.push('\n');
                }
            }
            self.out.push_str(&" ".repeat(indent));
            self.col = indent;
        }
        self.out.push_str(s);
        self.col += s.chars().count();
    }

    fn comment(&mut self, text: &str, own_line: bool, indent: usize) {
        let at_start = self.pending.is_some() || self.out.is_empty();
        if !at_start && !own_line {
            self.trim_end();
            self.write("  ");
        } else if !at_start {
            self.pending = Some(indent);
        }
        self.write(text);
    }

    /// Places a fill's first part and the separator after it; the rest is filled anew.
    fn fill<'d>(&mut self, parts: &'d [Doc], indent: usize, mode: Mode, stack: &mut Stack<'d>) {
        let Some((first, rest)) = parts.split_first() else {
            return;
        };
        let left = self.width_left();
        let flat = |d: &[&Doc]| mode == Mode::Flat || fits_flat(d, left);
        let first_mode = if flat(&[first]) {
            Mode::Flat
        } else {
            Mode::Break
        };
        if let Some((sep, after)) = rest.split_first() {
            let sep_mode = match after.first() {
                Some(next) if first_mode == Mode::Flat && flat(&[first, sep, next]) => Mode::Flat,
                _ => Mode::Break,
            };
            stack.push((indent, mode, Cmd::Fill(after)));
            stack.push((indent, sep_mode, Cmd::Doc(sep)));
        }
        stack.push((indent, first_mode, Cmd::Doc(first)));
    }

    /// Columns left on the line, where the next text goes.
    fn width_left(&self) -> isize {
        let col = self.pending.unwrap_or(self.col);
        self.width as isize - col as isize
    }

    /// Whether a group fits flat, together with what must follow it on the same line.
    fn fits(&self, d: &Doc, rest: &Stack) -> bool {
        let mut left = self.width_left();
        if !flat_width(d, &mut left) || left < 0 {
            return false;
        }
        for (_, mode, cmd) in rest.iter().rev() {
            let end = match cmd {
                Cmd::Doc(d) => trailing(d, *mode, &mut left),
                Cmd::Fill(parts) => parts
                    .iter()
                    .find_map(|p| trailing(p, Mode::Flat, &mut left)),
            };
            if let Some(fits) = end {
                return fits;
            }
        }
        left >= 0
    }

    fn finish(mut self) -> String {
        self.trim_end();
        self.out.push('\n');
        self.out
    }
}

fn fits_flat(parts: &[&Doc], mut left: isize) -> bool {
    parts.iter().all(|d| flat_width(d, &mut left)) && left >= 0
}

/// Takes `d`'s width on one line from `left`; false when it cannot be on one line.
fn flat_width(d: &Doc, left: &mut isize) -> bool {
    if *left < 0 {
        return true;
    }
    match d {
        Doc::Text(s) => *left -= s.chars().count() as isize,
        Doc::Line => *left -= 1,
        Doc::Hard | Doc::Blank | Doc::Comment { .. } => return false,
        Doc::Nest(_, inner) | Doc::Align(inner) | Doc::Group(inner) => {
            return flat_width(inner, left)
        }
        Doc::Cat(parts) | Doc::Fill(parts) => return parts.iter().all(|p| flat_width(p, left)),
    }
    true
}

/// Takes the width of what follows a group on its line: `Some(fits)` once the line ends
/// (or overflows), `None` when `d` ends first. Groups that follow are counted flat.
fn trailing(d: &Doc, mode: Mode, left: &mut isize) -> Option<bool> {
    if *left < 0 {
        return Some(false);
    }
    match d {
        Doc::Text(s) => *left -= s.chars().count() as isize,
        Doc::Line if mode == Mode::Break => return Some(true),
        Doc::Line => *left -= 1,
        Doc::Hard | Doc::Blank => return Some(true),
        Doc::Comment { own_line: true, .. } => return Some(true),
        Doc::Comment { text, .. } => *left -= text.chars().count() as isize + 2,
        Doc::Nest(_, inner) | Doc::Align(inner) => return trailing(inner, mode, left),
        Doc::Group(inner) => return trailing(inner, Mode::Flat, left),
        Doc::Cat(parts) => return parts.iter().find_map(|p| trailing(p, mode, left)),
        Doc::Fill(parts) => return parts.iter().find_map(|p| trailing(p, Mode::Flat, left)),
    }
    (*left < 0).then_some(false)
}
