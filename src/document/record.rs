//! Records, lists and fields: the walk over a policy's fact layout.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::scalar::{expected, read_scalar, ScalarSeed};
use super::{Dc, PathNode, Place, Seg, MAX_LIST_ITEMS};
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
        let fields: &[FieldSchema] = self
            .dc
            .schema
            .records
            .get(self.record)
            .map_or(&[], |r| &r.fields);
        // One allocation: the record itself, filled in place.
        let mut values: Vec<Value> = vec![Value::Absent; fields.len()];
        let mut given = Given::new(fields.len());
        while let Some(key) = map.next_key_seed(KeySeed(fields))? {
            let Some(i) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let Some(field) = fields.get(i) else { continue };
            let child = PathNode {
                parent: Some(self.path),
                seg: Seg::Field(&field.name),
            };
            let value = map.next_value_seed(FieldSeed {
                dc: self.dc,
                field,
                path: &child,
            })?;
            if given.mark(i) {
                let msg = "field is given twice".into();
                return Err(self.dc.fail_at(&child, msg, Place::Repeated));
            }
            if let Some(slot) = values.get_mut(i) {
                *slot = value;
            }
        }
        for (field, slot) in fields.iter().zip(values.iter_mut()) {
            if !slot.is_absent() {
                continue;
            }
            match (&field.default, field.optional) {
                (Some(d), _) => *slot = d.clone(),
                (None, true) => {}
                (None, false) => {
                    let child = PathNode {
                        parent: Some(self.path),
                        seg: Seg::Field(&field.name),
                    };
                    let what = expected(&field.ty, self.dc.schema);
                    return Err(self.dc.fail_at(
                        &child,
                        format!("required field is missing (expected {what})"),
                        Place::Missing,
                    ));
                }
            }
        }
        Ok(Value::Record(values.into_boxed_slice()))
    }
}

/// Which fields of one record a document has given: a bitset, on the heap only past 64.
struct Given {
    first: u64,
    rest: Vec<bool>,
}

impl Given {
    fn new(fields: usize) -> Self {
        Given {
            first: 0,
            rest: if fields > 64 {
                vec![false; fields]
            } else {
                Vec::new()
            },
        }
    }

    /// Marks field `i` given; says whether it already was.
    fn mark(&mut self, i: usize) -> bool {
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

/// Matches a key against the record's field names without allocating.
struct KeySeed<'f>(&'f [FieldSchema]);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|f| f.name == v))
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
