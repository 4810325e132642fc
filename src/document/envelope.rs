//! The envelope: the few fields read before the policy is known, matched without allocating.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::keys::KeySeed;
use super::scalar::{map_scalar, skip_seq};
use super::{Dc, Envelope, PathNode, Seg};
use crate::schema::Schema;
use crate::span::Span;
use crate::types::Base;
use crate::value::Value;

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

/// The document's `policy`, read up to that key and no further: the rest of the text is
/// left to the decoding. Stops with [`FOUND`] once it has the value.
pub(super) struct PolicySeed<'f> {
    pub found: &'f std::cell::Cell<Option<String>>,
}

/// The message with which [`PolicySeed`] stops reading once it has found the policy.
const FOUND: &str = "policy found";

impl<'de> DeserializeSeed<'de> for PolicySeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PolicySeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "policy" {
                self.found.set(map.next_value::<Loose>()?.0);
                return Err(de::Error::custom(FOUND));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// Where a policy's decoded facts hold the envelope's fields, so that a document decoded
/// for it need not be read again for them: each version date and each id, as the indices
/// of the record field and of the field within it. A policy has them only when it declares
/// every one with the type the envelope reads it as (a date; an instant for
/// `claim.filed_at`; text for the ids).
#[derive(Clone, Debug)]
pub struct EnvelopeFields {
    /// `protection.purchased_at`, `order.placed_at`, `claim.filed_at`,
    /// `cancellation.requested_at`.
    dates: [[usize; 2]; 4],
    claim_id: [usize; 2],
    cancellation_id: [usize; 2],
}

/// The envelope as read from decoded facts: each version date (see
/// [`crate::policy_set::VERSION_DATES`]) and the document's id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactEnvelope {
    pub dates: [Option<chrono::NaiveDate>; 4],
    pub id: String,
}

impl EnvelopeFields {
    /// Finds the fields in `schema`; `None` unless each is declared with its type.
    pub fn of(schema: &Schema) -> Option<EnvelopeFields> {
        let at = |record: &str, field: &str, want: Base| -> Option<[usize; 2]> {
            let r = schema.field_index(Schema::ROOT, record)?;
            let Base::Record(id) = schema.records.get(Schema::ROOT)?.fields.get(r)?.ty else {
                return None;
            };
            let f = schema.field_index(id, field)?;
            (schema.records.get(id)?.fields.get(f)?.ty == want).then_some([r, f])
        };
        Some(EnvelopeFields {
            dates: [
                at("protection", "purchased_at", Base::Date)?,
                at("order", "placed_at", Base::Date)?,
                at("claim", "filed_at", Base::DateTime)?,
                at("cancellation", "requested_at", Base::Date)?,
            ],
            claim_id: at("claim", "id", Base::Str)?,
            cancellation_id: at("cancellation", "id", Base::Str)?,
        })
    }

    /// The envelope of facts decoded against the schema these fields were found in;
    /// `None` for a document that is both a claim and a cancellation (the envelope's id is
    /// then whichever the document names first, which the facts do not tell).
    pub fn read(&self, facts: &Value) -> Option<FactEnvelope> {
        let Value::Record(root) = facts else {
            return None;
        };
        let get = |[r, f]: [usize; 2]| match root.get(r) {
            Some(Value::Record(fields)) => fields.get(f).filter(|v| !v.is_absent()),
            _ => None,
        };
        let present = |[r, _]: [usize; 2]| root.get(r).is_some_and(|v| !v.is_absent());
        if present(self.claim_id) && present(self.cancellation_id) {
            return None;
        }
        let mut dates = [None; 4];
        for (slot, at) in dates.iter_mut().zip(self.dates) {
            *slot = match get(at) {
                None => None,
                Some(Value::Date(d)) => Some(*d),
                Some(Value::DateTime(t)) => Some(t.date_naive()),
                Some(_) => return None,
            };
        }
        let id = match get(self.claim_id).or_else(|| get(self.cancellation_id)) {
            None => String::new(),
            Some(Value::Str(s)) => s.to_string(),
            Some(_) => return None,
        };
        Some(FactEnvelope { dates, id })
    }
}
