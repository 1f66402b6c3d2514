//! Small encoding helpers for netlink payloads (the Go package's `nlenc`).
//!
//! Netlink integers travel in the host's native byte order unless a family says otherwise
//! (network byte order for addresses and ports, marked by `NLA_F_NET_BYTEORDER` on some
//! attributes). These functions convert between integers and byte slices in either order,
//! returning a [`SizeError`] instead of panicking when a slice has the wrong length.
//!
//! ```
//! use netlink::enc::{self, ByteOrder};
//!
//! let b = enc::to_bytes::<u32>(0x0102_0304, ByteOrder::Big);
//! assert_eq!(b.as_ref(), &[1, 2, 3, 4]);
//! assert_eq!(enc::from_bytes::<u32>(&b, ByteOrder::Big), Ok(0x0102_0304));
//! assert!(enc::from_bytes::<u32>(&[1, 2], ByteOrder::Native).is_err());
//! ```

// Codec code: no unsafe, no panics, no unchecked indexing or arithmetic on any input.
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)
)]

use thiserror::Error;

/// The order of the bytes of an integer payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ByteOrder {
    /// The host's own order: what the kernel uses for almost every netlink integer.
    #[default]
    Native,
    /// Big-endian, also called network byte order.
    Big,
    /// Little-endian.
    Little,
}

impl ByteOrder {
    /// Network byte order, an alias of [`ByteOrder::Big`].
    pub const NETWORK: ByteOrder = ByteOrder::Big;

    /// Whether this order is the host's native one.
    pub const fn is_native(self) -> bool {
        match self {
            ByteOrder::Native => true,
            ByteOrder::Big => cfg!(target_endian = "big"),
            ByteOrder::Little => cfg!(target_endian = "little"),
        }
    }
}

/// A slice had the wrong length for the integer asked of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("{actual} bytes where {expected} were expected")]
pub struct SizeError {
    /// The size the conversion needs.
    pub expected: usize,
    /// The size given.
    pub actual: usize,
}

mod sealed {
    pub trait Sealed {}
}

/// A fixed-size integer that netlink carries as an attribute payload.
///
/// Implemented for `u8`..`u64` and `i8`..`i64`; sealed.
pub trait Int: sealed::Sealed + Copy + Default + Eq + core::fmt::Debug + 'static {
    /// Its size in bytes.
    const SIZE: usize;
    /// The byte array it converts to and from.
    type Bytes: AsRef<[u8]> + Copy;
    /// Reads it from exactly [`Int::SIZE`] bytes.
    fn read(b: &[u8], order: ByteOrder) -> Result<Self, SizeError>;
    /// Writes it as bytes in `order`.
    fn write(self, order: ByteOrder) -> Self::Bytes;
}

macro_rules! impl_int {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Int for $t {
            const SIZE: usize = core::mem::size_of::<$t>();
            type Bytes = [u8; core::mem::size_of::<$t>()];
            #[inline]
            fn read(b: &[u8], order: ByteOrder) -> Result<Self, SizeError> {
                let arr: Self::Bytes = b.try_into().map_err(|_| SizeError {
                    expected: Self::SIZE,
                    actual: b.len(),
                })?;
                Ok(match order {
                    ByteOrder::Native => <$t>::from_ne_bytes(arr),
                    ByteOrder::Big => <$t>::from_be_bytes(arr),
                    ByteOrder::Little => <$t>::from_le_bytes(arr),
                })
            }
            #[inline]
            fn write(self, order: ByteOrder) -> Self::Bytes {
                match order {
                    ByteOrder::Native => self.to_ne_bytes(),
                    ByteOrder::Big => self.to_be_bytes(),
                    ByteOrder::Little => self.to_le_bytes(),
                }
            }
        }
    )*};
}
impl_int!(u8, u16, u32, u64, i8, i16, i32, i64);

/// Reads an integer from exactly `T::SIZE` bytes in `order`.
#[inline]
pub fn from_bytes<T: Int>(b: &[u8], order: ByteOrder) -> Result<T, SizeError> {
    T::read(b, order)
}

/// The bytes of `v` in `order`.
#[inline]
pub fn to_bytes<T: Int>(v: T, order: ByteOrder) -> T::Bytes {
    v.write(order)
}

/// Writes `v` in `order` into `b`, which must be exactly `T::SIZE` bytes long.
#[inline]
pub fn put<T: Int>(b: &mut [u8], v: T, order: ByteOrder) -> Result<(), SizeError> {
    if b.len() != T::SIZE {
        return Err(SizeError {
            expected: T::SIZE,
            actual: b.len(),
        });
    }
    b.copy_from_slice(v.write(order).as_ref());
    Ok(())
}

/// Reads a native-order `u16` (the Go package's `nlenc.Uint16`).
#[inline]
pub fn u16(b: &[u8]) -> Result<u16, SizeError> {
    from_bytes(b, ByteOrder::Native)
}

/// Reads a native-order `u32` (the Go package's `nlenc.Uint32`).
#[inline]
pub fn u32(b: &[u8]) -> Result<u32, SizeError> {
    from_bytes(b, ByteOrder::Native)
}

/// Reads a native-order `u64` (the Go package's `nlenc.Uint64`).
#[inline]
pub fn u64(b: &[u8]) -> Result<u64, SizeError> {
    from_bytes(b, ByteOrder::Native)
}

/// Reads a native-order `i32` (the Go package's `nlenc.Int32`).
#[inline]
pub fn i32(b: &[u8]) -> Result<i32, SizeError> {
    from_bytes(b, ByteOrder::Native)
}

/// The text of a C string payload: the bytes up to the first NUL (or all of them), decoded as
/// UTF-8 with invalid sequences replaced (the Go package's `nlenc.String`).
pub fn string(b: &[u8]) -> std::borrow::Cow<'_, str> {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(b.get(..end).unwrap_or_default())
}

/// The bytes of `s` followed by a terminating NUL (the Go package's `nlenc.Bytes`).
pub fn nul_terminated(s: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(s.len().saturating_add(1));
    v.extend_from_slice(s.as_bytes());
    v.push(0);
    v
}

/// Rounds `len` up to the 4-byte alignment of netlink messages and attributes, or `None` if
/// that overflows.
#[inline]
pub const fn align(len: usize) -> Option<usize> {
    match len.checked_add(3) {
        Some(v) => Some(v & !3),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_width_both_orders() {
        assert_eq!(to_bytes(0x0102u16, ByteOrder::Big), [1, 2]);
        assert_eq!(to_bytes(0x0102u16, ByteOrder::Little), [2, 1]);
        assert_eq!(to_bytes(-2i32, ByteOrder::Big), [0xff, 0xff, 0xff, 0xfe]);
        assert_eq!(from_bytes::<i64>(&[0xff; 8], ByteOrder::Native), Ok(-1));
        assert_eq!(
            from_bytes::<u64>(&[0, 0, 0, 0, 0, 0, 1, 0], ByteOrder::Big),
            Ok(256)
        );
        assert_eq!(u16(&0x1234u16.to_ne_bytes()), Ok(0x1234));
        assert_eq!(i32(&(-7i32).to_ne_bytes()), Ok(-7));
    }

    #[test]
    fn wrong_sizes_are_errors() {
        assert_eq!(
            u32(&[1, 2, 3]),
            Err(SizeError {
                expected: 4,
                actual: 3
            })
        );
        let mut b = [0u8; 3];
        assert!(put(&mut b, 1u16, ByteOrder::Native).is_err());
        let mut b = [0u8; 2];
        put(&mut b, 0xabcdu16, ByteOrder::Big).unwrap();
        assert_eq!(b, [0xab, 0xcd]);
    }

    #[test]
    fn strings_and_alignment() {
        assert_eq!(string(b"eth0\0\0\0"), "eth0");
        assert_eq!(string(b"lo"), "lo");
        assert_eq!(nul_terminated("lo"), b"lo\0");
        assert_eq!(align(0), Some(0));
        assert_eq!(align(5), Some(8));
        assert_eq!(align(usize::MAX), None);
        assert!(ByteOrder::Native.is_native());
        assert_ne!(ByteOrder::Big.is_native(), ByteOrder::Little.is_native());
    }
}
