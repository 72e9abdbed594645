//! What the fuzz targets share: the byte formats of their structured inputs, each with a reader
//! (for the fuzzer, over `arbitrary::Unstructured`) and a writer (for `examples/seeds.rs`, which
//! writes the committed seed corpora).
//!
//! The formats are this crate's own rather than `#[derive(Arbitrary)]`'s, so that a seed written
//! by hand or by the generator means what it says whatever the `arbitrary` version: one tag byte
//! per operation, then its fields; numbers little-endian; byte strings as a `u16` length and the
//! bytes. A reader never fails: missing bytes read as zero and a short byte string takes what is
//! left, so every input is a valid script.

pub mod doc_script;
pub mod facts_input;
pub mod sync_script;

use arbitrary::Unstructured;

/// Reads the fields of a script.
pub(crate) struct Reader<'a, 'b>(pub(crate) &'b mut Unstructured<'a>);

impl Reader<'_, '_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        self.0.bytes(n).unwrap_or_default()
    }

    pub(crate) fn u8(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    pub(crate) fn u16(&mut self) -> u16 {
        let mut b = [0; 2];
        let got = self.take(2);
        b[..got.len()].copy_from_slice(got);
        u16::from_le_bytes(b)
    }

    pub(crate) fn u64(&mut self) -> u64 {
        let mut b = [0; 8];
        let got = self.take(8);
        b[..got.len()].copy_from_slice(got);
        u64::from_le_bytes(b)
    }

    pub(crate) fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    pub(crate) fn blob(&mut self) -> Vec<u8> {
        let n = usize::from(self.u16());
        self.take(n).to_vec()
    }

    pub(crate) fn text(&mut self) -> String {
        String::from_utf8_lossy(&self.blob()).into_owned()
    }
}

/// Writes the fields of a script, mirroring [`Reader`].
#[derive(Default)]
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    pub(crate) fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn bool(&mut self, v: bool) {
        self.0.push(u8::from(v));
    }

    pub(crate) fn blob(&mut self, v: &[u8]) {
        let n = u16::try_from(v.len()).expect("seed byte strings are short");
        self.u16(n);
        self.0.extend_from_slice(v);
    }
}
