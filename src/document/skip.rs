//! Undeclared values: read past, looking only for a key given twice in any mapping within.

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

use super::keys::KeySeed;
use super::{Dc, PathNode, Seg};

/// Reads any value and keeps nothing; a repeated key in a mapping within is an error.
pub(super) struct Skip<'c, 's> {
    pub dc: &'c Dc<'s>,
    pub path: &'c PathNode<'c>,
}

impl<'de> DeserializeSeed<'de> for Skip<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let (dc, path) = (self.dc, self.path);
        d.deserialize_any(self).map_err(|e| dc.note(path, e))
    }
}

impl<'de> Visitor<'de> for Skip<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        Ok(())
    }

    /// A YAML number with a fraction, in a field no rule reads: dropped, never computed with.
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            let child = PathNode {
                parent: Some(self.path),
                seg: Seg::Index(i),
            };
            let seed = Skip {
                dc: self.dc,
                path: &child,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let dc = self.dc;
        // An error ends the decoding, so the keys are only let go of on success.
        let mut m = dc.keys.borrow().open();
        while let Some(key) = map.next_key_seed(KeySeed(dc.text))? {
            let child = PathNode {
                parent: Some(self.path),
                seg: Seg::Field(&key.name),
            };
            let first = dc.keys.borrow_mut().push(dc.text, &mut m, &key, false);
            if let Some(first) = first {
                return Err(dc.repeated(&child, first, key.at));
            }
            map.next_value_seed(Skip { dc, path: &child })?;
        }
        dc.keys.borrow_mut().close(&m);
        Ok(())
    }

    /// A YAML value with a tag (`!name value`): its value is read past.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        let (de::IgnoredAny, variant) = data.variant()?;
        variant.newtype_variant_seed(self)
    }
}
