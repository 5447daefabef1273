//! The fingerprint of a job's template variables (see `render::Memo` and
//! `render::reuse`): a hash of the values as serde sees them, written without
//! JSON's escaping into a buffer that XXH3 takes in large pieces. Hashing the
//! JSON of every page's context cost a rebuild of 100 000 pages more CPU than
//! anything else it does; this does the same work in a fraction of it.
//!
//! Every value is written with a tag of its kind and every string, sequence
//! and map with its length, so no two different values write the same bytes.

use serde::ser::{self, Serialize};
use xxhash_rust::xxh3::Xxh3Default;

/// Bytes gathered before XXH3 takes them.
const CHUNK: usize = 16 * 1024;

/// A running fingerprint: values added in turn, each under a key.
#[derive(Clone, Default)]
pub(super) struct Fingerprint {
    hasher: Xxh3Default,
    buf: Vec<u8>,
}

impl Fingerprint {
    /// Adds `value` under `key`.
    pub(super) fn add<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.str(key);
        // Writing into memory cannot fail, and every value innsyn serializes has a
        // representation here; a custom `Serialize` that refused would only
        // leave the fingerprint shorter, which its tag for the key still tells.
        let _ = value.serialize(&mut *self);
    }

    /// Adds a number, such as another fingerprint.
    pub(super) fn add_u64(&mut self, n: u64) {
        self.tag(b'u');
        self.bytes(&n.to_le_bytes());
    }

    /// Adds a string.
    pub(super) fn add_str(&mut self, s: &str) {
        self.str(s);
    }

    /// The fingerprint of everything added.
    pub(super) fn finish(&self) -> u64 {
        let mut h = self.hasher.clone();
        h.update(&self.buf);
        h.digest()
    }

    fn bytes(&mut self, b: &[u8]) {
        if self.buf.len() + b.len() > CHUNK && !self.buf.is_empty() {
            self.hasher.update(&self.buf);
            self.buf.clear();
        }
        if b.len() > CHUNK {
            self.hasher.update(b);
        } else {
            self.buf.extend_from_slice(b);
        }
    }

    fn tag(&mut self, t: u8) {
        self.bytes(&[t]);
    }

    fn len(&mut self, n: usize) {
        self.bytes(&(n as u64).to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.tag(b's');
        self.len(s.len());
        self.bytes(s.as_bytes());
    }
}

/// The only error: none happens, but serde's traits want a type.
#[derive(Debug)]
pub(super) struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a value could not be fingerprinted")
    }
}

impl std::error::Error for Never {}

impl ser::Error for Never {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Never
    }
}

type Done = Result<(), Never>;

impl ser::Serializer for &mut Fingerprint {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Done {
        self.bytes(&[b'b', u8::from(v)]);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Done {
        self.tag(b'i');
        self.bytes(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Done {
        self.tag(b'I');
        self.bytes(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Done {
        self.add_u64(v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Done {
        self.tag(b'U');
        self.bytes(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Done {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Done {
        self.tag(b'f');
        self.bytes(&v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Done {
        self.str(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Done {
        self.str(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Done {
        self.tag(b'B');
        self.len(v.len());
        self.bytes(v);
        Ok(())
    }
    fn serialize_none(self) -> Done {
        self.tag(b'n');
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Done {
        self.tag(b'S');
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        self.tag(b'0');
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Done {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Done {
        self.str(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Done {
        self.tag(b'v');
        self.str(variant);
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, Never> {
        // The length when known, and an end mark either way.
        self.tag(b'[');
        self.len(len.unwrap_or(usize::MAX));
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, Never> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, Never> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Never> {
        self.tag(b'v');
        self.str(variant);
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, Never> {
        self.tag(b'{');
        self.len(len.unwrap_or(usize::MAX));
        Ok(self)
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Self, Never> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Never> {
        self.tag(b'v');
        self.str(variant);
        self.serialize_map(Some(len))
    }
}

/// The traits of sequences, tuples and tuple variants: their elements in turn,
/// then the end mark.
macro_rules! sequence {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for &mut Fingerprint {
            type Ok = ();
            type Error = Never;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
                value.serialize(&mut **self)
            }
            fn end(self) -> Done {
                self.tag(b']');
                Ok(())
            }
        }
    )*};
}

sequence!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for &mut Fingerprint {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Done {
        self.tag(b':');
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        self.tag(b'}');
        Ok(())
    }
}

/// The traits of structs and struct variants: each field's name and value (a
/// skipped field is absent, as in JSON), then the end mark.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for &mut Fingerprint {
            type Ok = ();
            type Error = Never;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Done {
                self.tag(b':');
                self.str(key);
                value.serialize(&mut **self)
            }
            fn end(self) -> Done {
                self.tag(b'}');
                Ok(())
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn of<T: Serialize>(value: &T) -> u64 {
        let mut f = Fingerprint::default();
        f.add("v", value);
        f.finish()
    }

    #[test]
    fn values_that_differ_anywhere_differ_in_their_fingerprint() {
        let values = [
            json!(null),
            json!(""),
            json!("a"),
            json!("ab"),
            json!(["a", "b"]),
            json!(["ab"]),
            json!(["a", ["b"]]),
            json!([["a"], "b"]),
            json!({"a": "b"}),
            json!({"a": ["b"]}),
            json!({"ab": ""}),
            json!({"a": "", "b": ""}),
            json!(0),
            json!(-0.0),
            json!(0.0),
            json!(1),
            json!("1"),
            json!(true),
            json!(false),
            json!([]),
            json!({}),
            json!([null]),
        ];
        let prints: Vec<u64> = values.iter().map(of).collect();
        for i in 0..values.len() {
            for j in 0..i {
                assert_ne!(prints[i], prints[j], "{} and {}", values[i], values[j]);
            }
        }
        assert_eq!(of(&json!({"a": [1, "x"]})), of(&json!({"a": [1, "x"]})));
    }

    #[test]
    fn a_long_value_hashes_alike_however_it_is_cut_into_chunks() {
        let long = "å".repeat(CHUNK);
        let mut one = Fingerprint::default();
        one.add("a", &long);
        one.add("b", "x");
        let mut two = Fingerprint::default();
        two.add("a", &long);
        two.add("b", "y");
        assert_ne!(one.finish(), two.finish());
        let mut again = Fingerprint::default();
        again.add("a", &long);
        again.add("b", "x");
        assert_eq!(one.finish(), again.finish());
    }
}
