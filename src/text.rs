//! A string value: up to 22 bytes held in place, longer ones shared behind an `Arc`.
//!
//! Most strings a document holds are short (ids, codes, SKUs, carriers); holding them in
//! the value itself spares an allocation when a document is read and a free when its facts
//! are dropped. A [`Text`] takes the 24 bytes of a [`crate::value::Value`] with the value's
//! own tag (`tests/text.rs` checks the size), so values are no larger for it.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// The longest string held in place, in bytes.
pub const INLINE: usize = 22;

/// An immutable string: compared and ordered as its bytes, like `str`.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    /// The first `len` bytes of `bytes`, cut from a whole `str` (so always UTF-8).
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    Shared(Arc<str>),
}

impl Text {
    /// `s`, held in place when it is at most [`INLINE`] bytes long.
    pub fn new(s: &str) -> Text {
        let b = s.as_bytes();
        let mut bytes = [0u8; INLINE];
        match (bytes.get_mut(..b.len()), u8::try_from(b.len())) {
            (Some(to), Ok(len)) => {
                to.copy_from_slice(b);
                Text(Repr::Inline { len, bytes })
            }
            _ => Text(Repr::Shared(Arc::from(s))),
        }
    }

    /// The string's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Repr::Shared(s) => s.as_bytes(),
        }
    }

    /// The string. An inline one is checked as UTF-8 again; it always is, being a whole
    /// `str`'s bytes, so the empty fallback is never taken.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            Repr::Shared(s) => s,
        }
    }

    /// The string as a shared `str`: the same allocation when it has one.
    pub fn to_arc(&self) -> Arc<str> {
        match &self.0 {
            Repr::Inline { .. } => Arc::from(self.as_str()),
            Repr::Shared(s) => Arc::clone(s),
        }
    }

    /// Whether the string is held in place (no allocation).
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::new(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::new(&s)
    }
}

impl From<Arc<str>> for Text {
    fn from(s: Arc<str>) -> Text {
        match s.len() <= INLINE {
            true => Text::new(&s),
            false => Text(Repr::Shared(s)),
        }
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    /// Byte order, which is `str`'s order.
    fn cmp(&self, other: &Text) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
