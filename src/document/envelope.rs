//! The envelope: the few fields read before the policy is known, matched without allocating.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::keys::KeySeed;
use super::scalar::{map_scalar, skip_seq};
use super::{Dc, Envelope, PathNode, Seg};
use crate::span::Span;

pub(super) struct EnvelopeSeed<'c, 's> {
    pub dc: &'c Dc<'s>,
}

impl<'de> DeserializeSeed<'de> for EnvelopeSeed<'_, '_> {
    type Value = Envelope;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Envelope, D::Error> {
        d.deserialize_map(self)
    }
}

/// The top-level keys the envelope reads, and the keys it reads in each.
const KEYS: [(&str, &[&str]); 5] = [
    ("policy", &[]),
    ("protection", &["purchased_at"]),
    ("order", &["placed_at"]),
    ("claim", &["id", "filed_at"]),
    ("cancellation", &["id", "requested_at"]),
];

impl<'de> Visitor<'de> for EnvelopeSeed<'_, '_> {
    type Value = Envelope;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a document (a mapping with `policy` and the facts it reads)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
        let dc = self.dc;
        let root = PathNode {
            parent: None,
            seg: Seg::Root,
        };
        let mut env = Envelope::default();
        // Where each key was first given: the others' repeats are found by the decoding.
        let mut seen: [Option<Option<Span>>; KEYS.len()] = [None; KEYS.len()];
        while let Some(key) = map.next_key_seed(KeySeed(dc.text))? {
            let found = KEYS.iter().position(|(k, _)| *k == key.name);
            let (Some(i), Some(slot)) = (found, found.and_then(|i| seen.get_mut(i))) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let path = PathNode {
                parent: Some(&root),
                seg: Seg::Field(&key.name),
            };
            if let Some(first) = *slot {
                return Err(dc.repeated(&path, first, key.at));
            }
            *slot = Some(key.at);
            let picks = KEYS.get(i).map_or(&[][..], |(_, p)| p);
            if picks.is_empty() {
                env.policy = map.next_value::<Loose>()?.0;
                continue;
            }
            let [a, b] = map.next_value_seed(Pick {
                dc,
                path: &path,
                keys: picks,
            })?;
            match &*key.name {
                "protection" => env.purchased_at = a,
                "order" => env.placed_at = a,
                "claim" => (env.id, env.filed_at) = (env.id.or(a), b),
                _ => (env.id, env.requested_at) = (env.id.or(a), b),
            }
        }
        Ok(env)
    }
}

/// Any scalar as text; anything else as nothing.
struct Loose(Option<String>);

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Loose, D::Error> {
        Ok(Loose(d.deserialize_any(LooseVisitor)?))
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<String>, A::Error> {
        map_scalar(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<String>, A::Error> {
        skip_seq(seq)?;
        Ok(None)
    }
}

/// A few scalar fields of a nested mapping, as text; the rest is skipped.
struct Pick<'c, 's> {
    dc: &'c Dc<'s>,
    path: &'c PathNode<'c>,
    /// At most two names.
    keys: &'static [&'static str],
}

type Picked = [Option<String>; 2];

impl<'de> DeserializeSeed<'de> for Pick<'_, '_> {
    type Value = Picked;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Picked, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Pick<'_, '_> {
    type Value = Picked;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Picked, A::Error> {
        let dc = self.dc;
        let mut out: Picked = [None, None];
        let mut seen: [Option<Option<Span>>; 2] = [None, None];
        while let Some(key) = map.next_key_seed(KeySeed(dc.text))? {
            let found = self.keys.iter().position(|k| *k == key.name);
            let (Some(slot), Some(value)) = (
                found.and_then(|i| seen.get_mut(i)),
                found.and_then(|i| out.get_mut(i)),
            ) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if let Some(first) = *slot {
                let path = PathNode {
                    parent: Some(self.path),
                    seg: Seg::Field(&key.name),
                };
                return Err(dc.repeated(&path, first, key.at));
            }
            *slot = Some(key.at);
            *value = map.next_value::<Loose>()?.0;
        }
        Ok(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Picked, A::Error> {
        skip_seq(seq)?;
        Ok([None, None])
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Picked, E> {
        Ok([None, None])
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Picked, E> {
        Ok([None, None])
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Picked, E> {
        Ok([None, None])
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Picked, E> {
        Ok([None, None])
    }

    fn visit_unit<E: de::Error>(self) -> Result<Picked, E> {
        Ok([None, None])
    }
}
