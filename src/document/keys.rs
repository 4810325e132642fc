//! Mapping keys: read with their place in the text, and remembered per mapping to refuse repeats.
//!
//! Both parsers lend a key as a slice of the document text whenever it is written without
//! escapes, so its byte offset (and so its line and column) comes for free. The keys of the
//! mappings being read are kept on one stack per document, as spans of the text (a key the
//! parser had to unescape is copied into one buffer): a mapping pushes its keys, looks for a
//! repeat among its own, and pops them when it ends. Nothing is allocated per mapping, and a
//! mapping of many keys switches from comparing every pair to a hash set of their hashes, so
//! a hostile document of a million keys takes linear time.

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::fmt;
use std::hash::BuildHasher;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};

use crate::span::Span;

/// A mapping key as the document wrote it, and where (when the parser lent it from the text).
pub(super) struct Key<'de> {
    pub name: Cow<'de, str>,
    pub at: Option<Span>,
}

/// Reads one mapping key; `text` is the document, to tell where a lent key sits.
pub(super) struct KeySeed<'t>(pub &'t str);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key<'de>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key {
            at: span_in(self.0, v),
            name: Cow::Borrowed(v),
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key {
            at: None,
            name: Cow::Owned(v.to_string()),
        })
    }
}

/// The span of `part` in `text`, when `part` is a slice of it.
fn span_in(text: &str, part: &str) -> Option<Span> {
    let base = text.as_ptr() as usize;
    let at = (part.as_ptr() as usize).checked_sub(base)?;
    (at + part.len() <= text.len()).then(|| Span::new(at, at + part.len()))
}

/// One remembered key: its name's span in the document text (where it is written), or,
/// for a key the parser unescaped, in [`KeyStack::copies`].
#[derive(Clone, Copy)]
struct Entry {
    name: Span,
    copied: bool,
    /// Whether the policy declares the key (its repeats are found by field index instead).
    declared: bool,
}

impl Entry {
    /// Where the key is written in the document, when known.
    fn at(&self) -> Option<Span> {
        (!self.copied).then_some(self.name)
    }
}

/// The keys of every mapping being read, innermost last.
#[derive(Default)]
pub(super) struct KeyStack {
    entries: Vec<Entry>,
    copies: String,
}

/// Room for the keys of the mappings a claim nests, so that the stack is allocated once.
const ROOM: usize = 32;

/// Mappings with more undeclared keys than this find repeats through a hash set.
const LINEAR: usize = 16;

/// One mapping's share of the stack, from where its keys start.
pub(super) struct Mapping {
    first: usize,
    copies: usize,
    /// Hashes of the undeclared keys, once the mapping has more than [`LINEAR`] of them.
    hashed: Option<(RandomState, HashSet<u64>)>,
    undeclared: usize,
}

impl KeyStack {
    /// Starts a mapping.
    pub fn open(&self) -> Mapping {
        Mapping {
            first: self.entries.len(),
            copies: self.copies.len(),
            hashed: None,
            undeclared: 0,
        }
    }

    /// Ends a mapping: forgets its keys.
    pub fn close(&mut self, m: &Mapping) {
        self.entries.truncate(m.first);
        self.copies.truncate(m.copies);
    }

    fn name<'a>(&'a self, text: &'a str, e: &Entry) -> &'a str {
        let from = if e.copied { self.copies.as_str() } else { text };
        from.get(e.name.start..e.name.end).unwrap_or("")
    }

    /// Remembers a key of the mapping `m`. For an undeclared key, says where the mapping
    /// already had it, if it did (`Some(None)` when that place is not known).
    pub fn push(
        &mut self,
        text: &str,
        m: &mut Mapping,
        key: &Key<'_>,
        declared: bool,
    ) -> Option<Option<Span>> {
        let repeat = match declared {
            true => None,
            false => self.repeat(text, m, &key.name),
        };
        let (name, copied) = match key.at {
            Some(at) => (at, false),
            None => {
                let start = self.copies.len();
                self.copies.push_str(&key.name);
                (Span::new(start, self.copies.len()), true)
            }
        };
        if self.entries.capacity() == 0 {
            self.entries.reserve(ROOM);
        }
        self.entries.push(Entry {
            name,
            copied,
            declared,
        });
        m.undeclared += usize::from(!declared);
        repeat
    }

    /// Where the mapping already has the undeclared key `name`.
    fn repeat(&self, text: &str, m: &mut Mapping, name: &str) -> Option<Option<Span>> {
        if m.hashed.is_none() && m.undeclared >= LINEAR {
            let state = RandomState::new();
            let set = self
                .own(m)
                .filter(|e| !e.declared)
                .map(|e| state.hash_one(self.name(text, e)))
                .collect();
            m.hashed = Some((state, set));
        }
        if let Some((state, set)) = &mut m.hashed {
            // A new hash cannot be a repeat; a known one is compared to make sure.
            if set.insert(state.hash_one(name)) {
                return None;
            }
        }
        self.find(text, m, name, false)
    }

    fn own<'a>(&'a self, m: &Mapping) -> impl Iterator<Item = &'a Entry> {
        self.entries.get(m.first..).unwrap_or(&[]).iter()
    }

    /// Where the mapping `m` first has the key `name` (declared or not, as asked).
    pub fn find(
        &self,
        text: &str,
        m: &Mapping,
        name: &str,
        declared: bool,
    ) -> Option<Option<Span>> {
        self.own(m)
            .find(|e| e.declared == declared && self.name(text, e) == name)
            .map(Entry::at)
    }

    /// The undeclared keys of the mapping `m`, in document order, with their places.
    pub fn undeclared<'a>(
        &'a self,
        text: &'a str,
        m: &Mapping,
    ) -> impl Iterator<Item = (&'a str, Option<Span>)> + 'a {
        let entries = match m.undeclared {
            0 => &[],
            _ => self.entries.get(m.first..).unwrap_or(&[]),
        };
        entries
            .iter()
            .filter(|e| !e.declared)
            .map(move |e| (self.name(text, e), e.at()))
    }
}
