//! Fixed-layout C structures: [`NlStruct`] and the fields it is made of.

use crate::enc::{ByteOrder, Int};

/// `struct nla_bitfield32`: values and the mask of the bits they set (`NLA_BITFIELD32`).
#[cfg(feature = "derive")]
#[derive(crate::NlStruct, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Bitfield32 {
    /// The bits' values.
    pub value: u32,
    /// Which bits `value` sets.
    pub selector: u32,
}

/// A fixed-layout C structure, usually derived with [`#[derive(NlStruct)]`](macro@crate::NlStruct).
///
/// Fields are laid out as C lays out a struct of the same fields (each at a multiple of its
/// alignment, the size a multiple of the largest alignment), encoded one by one without
/// `unsafe`. Decoding is tolerant of other kernel versions: a shorter payload is read as if
/// zero-filled, and a longer one keeps its extra bytes in the `#[nla(tail)]` field, if any, so
/// the round trip is byte-exact.
///
/// ```
/// use netlink::genl::GenlHeader;
/// use netlink::NlStruct;
///
/// let h = GenlHeader { cmd: 3, version: 2, reserved: 0 };
/// let bytes = h.to_bytes();
/// assert_eq!(bytes, [3, 2, 0, 0]);
/// assert_eq!(GenlHeader::from_bytes(&bytes), h);
/// // A shorter payload reads as if zero-filled.
/// assert_eq!(GenlHeader::from_bytes(&[3]), GenlHeader { cmd: 3, version: 0, reserved: 0 });
/// ```
pub trait NlStruct: Sized {
    /// Size of the C structure in bytes (`sizeof`).
    const SIZE: usize;
    /// Its alignment in bytes.
    const ALIGN: usize;
    /// Writes the fields into `out` (exactly [`SIZE`](Self::SIZE) bytes, zeroed).
    fn put(&self, out: &mut [u8]);
    /// Reads the structure from `b`, zero-filling a short `b`; bytes past
    /// [`SIZE`](Self::SIZE) go to the tail field, if any.
    fn read_from(b: &[u8]) -> Self;
    /// Bytes kept past the known size (the `#[nla(tail)]` field), if any.
    fn tail(&self) -> &[u8] {
        &[]
    }
    /// Appends the structure's bytes, then its tail, to `buf`.
    fn write_to(&self, buf: &mut Vec<u8>) {
        let start = buf.len();
        buf.resize(start.saturating_add(Self::SIZE), 0);
        if let Some(out) = buf.get_mut(start..) {
            self.put(out);
        }
        buf.extend_from_slice(self.tail());
    }
    /// The structure's bytes, then its tail, in a new buffer.
    fn to_bytes(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(Self::SIZE.saturating_add(self.tail().len()));
        self.write_to(&mut buf);
        buf
    }
    /// Reads the structure from `b` (the inverse of [`to_bytes`](Self::to_bytes)); the same as
    /// [`read_from`](Self::read_from): a short `b` is zero-filled, bytes past
    /// [`SIZE`](Self::SIZE) go to the tail field, if any.
    fn from_bytes(b: &[u8]) -> Self {
        Self::read_from(b)
    }
}

impl<T: NlStruct> StructField for T {
    const SIZE: usize = T::SIZE;
    const ALIGN: usize = T::ALIGN;
    #[inline]
    fn put(&self, out: &mut [u8], _: ByteOrder) {
        NlStruct::put(self, out);
    }
    #[inline]
    fn get(b: &[u8], _: ByteOrder) -> Self {
        T::read_from(b.get(..T::SIZE).unwrap_or(b))
    }
}

/// A field of an [`NlStruct`]: an integer, a byte array, a numeric enum or a nested structure.
pub trait StructField: Sized {
    /// Size in bytes.
    const SIZE: usize;
    /// Alignment in bytes.
    const ALIGN: usize;
    /// Writes the field into `out` (exactly [`SIZE`](Self::SIZE) bytes).
    fn put(&self, out: &mut [u8], order: ByteOrder);
    /// Reads the field from `b` (at most [`SIZE`](Self::SIZE) bytes; missing ones are zero).
    fn get(b: &[u8], order: ByteOrder) -> Self;
}

macro_rules! int_field {
    ($($t:ty),*) => {$(
        impl StructField for $t {
            const SIZE: usize = core::mem::size_of::<$t>();
            const ALIGN: usize = core::mem::align_of::<$t>();
            #[inline]
            fn put(&self, out: &mut [u8], order: ByteOrder) {
                if let Some(exact) = out.get_mut(..core::mem::size_of::<$t>()) {
                    exact.copy_from_slice(self.write(order).as_ref());
                }
            }
            #[inline]
            fn get(b: &[u8], order: ByteOrder) -> Self {
                if let Some(exact) = b.get(..core::mem::size_of::<$t>()) {
                    return <$t as Int>::read(exact, order).unwrap_or_default();
                }
                let mut arr = [0u8; core::mem::size_of::<$t>()];
                for (d, s) in arr.iter_mut().zip(b) {
                    *d = *s;
                }
                <$t as Int>::read(&arr, order).unwrap_or_default()
            }
        }
    )*};
}
int_field!(u8, u16, u32, u64, i8, i16, i32, i64);

impl<const N: usize> StructField for [u8; N] {
    const SIZE: usize = N;
    const ALIGN: usize = 1;
    fn put(&self, out: &mut [u8], _: ByteOrder) {
        for (d, s) in out.iter_mut().zip(self) {
            *d = *s;
        }
    }
    fn get(b: &[u8], _: ByteOrder) -> Self {
        let mut arr = [0u8; N];
        for (d, s) in arr.iter_mut().zip(b) {
            *d = *s;
        }
        arr
    }
}

/// Rounds `offset` up to a multiple of `align` (a power of two) in constant context.
pub const fn align_up(offset: usize, align: usize) -> usize {
    if align <= 1 {
        return offset;
    }
    let Some(v) = offset.checked_add(align.wrapping_sub(1)) else {
        return offset;
    };
    match v.checked_div(align) {
        Some(q) => match q.checked_mul(align) {
            Some(r) => r,
            None => offset,
        },
        None => offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn align_up_rounds_to_powers_of_two() {
        assert_eq!(align_up(0, 4), 0);
        assert_eq!(align_up(1, 4), 4);
        assert_eq!(align_up(9, 8), 16);
        assert_eq!(align_up(7, 1), 7);
        assert_eq!(align_up(usize::MAX, 8), usize::MAX);
    }
}
