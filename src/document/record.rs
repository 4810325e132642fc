//! Records, lists and fields: the walk over a policy's fact layout.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::keys::{Key, KeySeed, Mapping};
use super::near::near;
use super::scalar::{expected, read_scalar, ScalarSeed};
use super::skip::Skip;
use super::{engine_key, Dc, PathNode, Place, Seg, MAX_LIST_ITEMS};
use crate::schema::FieldSchema;
use crate::types::{Base, RecordId};
use crate::value::Value;

pub(super) struct RecordSeed<'c, 's> {
    pub dc: &'c Dc<'s>,
    pub record: RecordId,
    pub path: &'c PathNode<'c>,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let (dc, path) = (self.dc, self.path);
        d.deserialize_map(self).map_err(|e| dc.note(path, e))
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of fields")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let dc = self.dc;
        let record = dc.schema.records.get(self.record);
        let (name, fields): (&str, &[FieldSchema]) =
            record.map_or(("", &[]), |r| (&r.name, &r.fields));
        // The other keys of a decision, which a `decision` record skips.
        let skips: &[&str] = record.map_or(&[], |r| r.skips);
        // One allocation: the record itself, filled in place.
        let mut values = Value::absent(fields.len());
        let mut given = Given::new(fields.len());
        // An error ends the decoding, so the keys are only let go of on success.
        let mut m = dc.keys.borrow().open();
        while let Some(key) = map.next_key_seed(KeySeed(dc.text))? {
            let child = PathNode {
                parent: Some(self.path),
                seg: Seg::Field(&key.name),
            };
            let Some(i) = fields.iter().position(|f| f.name == key.name) else {
                if dc.strict && !engine_key(name, &key.name) && !skips.contains(&&*key.name) {
                    let help = strict_help(&key, fields, &given);
                    return Err(dc.unknown(&child, key.at, help));
                }
                if let Some(first) = dc.keys.borrow_mut().push(dc.text, &mut m, &key, false) {
                    return Err(dc.repeated(&child, first, key.at));
                }
                map.next_value_seed(Skip { dc, path: &child })?;
                continue;
            };
            if given.mark(i) {
                let first = dc.keys.borrow().find(dc.text, &m, &key.name, true);
                return Err(dc.repeated(&child, first.flatten(), key.at));
            }
            dc.keys.borrow_mut().push(dc.text, &mut m, &key, true);
            let Some(field) = fields.get(i) else { continue };
            let value = map.next_value_seed(FieldSeed {
                dc,
                field,
                path: &child,
            })?;
            if let Some(slot) = values.get_mut(i) {
                *slot = value;
            }
        }
        self.misspelt(&m, name, fields, skips, &given)?;
        dc.keys.borrow_mut().close(&m);
        if let Err(field) = fill_defaults(fields, &mut values) {
            let child = PathNode {
                parent: Some(self.path),
                seg: Seg::Field(&field.name),
            };
            let what = expected(&field.ty, dc.schema);
            return Err(dc.fail_at(
                &child,
                format!("required field is missing (expected {what})"),
                Place::Missing,
            ));
        }
        Ok(Value::Record(values.into_boxed_slice()))
    }
}

impl RecordSeed<'_, '_> {
    /// Refuses the first undeclared key of the mapping that reads as a misspelling of a
    /// declared field the mapping leaves out (the engine's own keys aside).
    fn misspelt<E: de::Error>(
        &self,
        m: &Mapping,
        record: &str,
        fields: &[FieldSchema],
        skips: &[&str],
        given: &Given,
    ) -> Result<(), E> {
        let keys = self.dc.keys.borrow();
        for (key, at) in keys.undeclared(self.dc.text, m) {
            if engine_key(record, key) || skips.contains(&key) {
                continue;
            }
            if let Some(field) = closest(key, fields, given) {
                let child = PathNode {
                    parent: Some(self.path),
                    seg: Seg::Field(key),
                };
                let help = format!("did you mean `{field}`?");
                return Err(self.dc.unknown(&child, at, help));
            }
        }
        Ok(())
    }
}

/// The declared field not given so far that `key` reads as a misspelling of, if any (the
/// nearest; the first declared of equally near ones).
pub(super) fn closest<'f>(key: &str, fields: &'f [FieldSchema], given: &Given) -> Option<&'f str> {
    fields
        .iter()
        .enumerate()
        .filter(|(i, _)| !given.has(*i))
        .filter_map(|(_, f)| Some((near(key, &f.name)?, f.name.as_str())))
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

/// What to do about an undeclared key when reading strictly.
fn strict_help(key: &Key<'_>, fields: &[FieldSchema], given: &Given) -> String {
    if let Some(field) = closest(&key.name, fields, given) {
        return format!("did you mean `{field}`?");
    }
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    format!(
        "read strictly, a document gives only the fields the policy declares; here: {}",
        names.join(", ")
    )
}

/// Which fields of one record a document has given: a bitset, on the heap only past 64.
pub(super) struct Given {
    first: u64,
    rest: Vec<bool>,
}

impl Given {
    pub(super) fn new(fields: usize) -> Self {
        Given {
            first: 0,
            rest: if fields > 64 {
                vec![false; fields]
            } else {
                Vec::new()
            },
        }
    }

    /// Whether field `i` is given.
    pub(super) fn has(&self, i: usize) -> bool {
        if i < 64 {
            self.first & (1u64 << i) != 0
        } else {
            self.rest.get(i).is_some_and(|b| *b)
        }
    }

    /// Marks field `i` given; says whether it already was.
    pub(super) fn mark(&mut self, i: usize) -> bool {
        if i < 64 {
            let bit = 1u64 << i;
            let was = self.first & bit != 0;
            self.first |= bit;
            was
        } else {
            self.rest
                .get_mut(i)
                .is_some_and(|b| std::mem::replace(b, true))
        }
    }
}

struct FieldSeed<'c, 's> {
    dc: &'c Dc<'s>,
    field: &'c FieldSchema,
    path: &'c PathNode<'c>,
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let (dc, path) = (self.dc, self.path);
        d.deserialize_option(self).map_err(|e| dc.note(path, e))
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&expected(&self.field.ty, self.dc.schema))
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Absent)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Absent)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        TypeSeed {
            dc: self.dc,
            base: &self.field.ty,
            path: self.path,
        }
        .deserialize(d)
    }
}

struct TypeSeed<'c, 's> {
    dc: &'c Dc<'s>,
    base: &'c Base,
    path: &'c PathNode<'c>,
}

impl<'de> DeserializeSeed<'de> for TypeSeed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let (dc, path) = (self.dc, self.path);
        match self.base {
            Base::Record(id) => RecordSeed {
                dc,
                record: *id,
                path,
            }
            .deserialize(d),
            Base::List(elem) => d
                .deserialize_seq(ListVisitor { dc, elem, path })
                .map_err(|e| dc.note(path, e)),
            base => {
                let seed = ScalarSeed {
                    base,
                    schema: dc.schema,
                };
                read_scalar(dc.format, d, seed)
                    .map_err(|e| dc.note(path, e))?
                    .map_err(|msg| dc.fail(path, msg))
            }
        }
    }
}

struct ListVisitor<'c, 's> {
    dc: &'c Dc<'s>,
    elem: &'c Base,
    path: &'c PathNode<'c>,
}

impl<'de> Visitor<'de> for ListVisitor<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let child = PathNode {
                parent: Some(self.path),
                seg: Seg::Index(items.len()),
            };
            if items.len() >= MAX_LIST_ITEMS {
                return Err(self.dc.fail(
                    &child,
                    format!("list holds more than {MAX_LIST_ITEMS} items"),
                ));
            }
            match seq.next_element_seed(TypeSeed {
                dc: self.dc,
                base: self.elem,
                path: &child,
            })? {
                Some(v) => items.push(v),
                None => break,
            }
        }
        Ok(Value::List(items.into()))
    }
}

/// Fills each field the mapping left out with its default (an optional or assessed field
/// stays absent); the first required field left out, if any.
pub(super) fn fill_defaults<'f>(
    fields: &'f [FieldSchema],
    values: &mut [Value],
) -> Result<(), &'f FieldSchema> {
    for (field, slot) in fields.iter().zip(values.iter_mut()) {
        if !slot.is_absent() {
            continue;
        }
        match (&field.default, field.optional || field.assessed) {
            (Some(d), _) => *slot = d.clone(),
            (None, true) => {}
            (None, false) => return Err(field),
        }
    }
    Ok(())
}
