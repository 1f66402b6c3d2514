//! [`IpNet`]: an IP address with a prefix length (`10.0.0.1/24`, `2001:db8::1/64`), the input
//! of address and route requests.

use core::fmt;
use core::str::FromStr;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An IPv4 or IPv6 address and a prefix length: an interface address (`10.0.0.1/24`) or a
/// route destination (`10.1.0.0/16`).
///
/// Parsed from `ADDR/LEN` or a bare `ADDR` (a host: `/32` or `/128`); displayed the same way,
/// always with the length. [`IpNet::new`] and parsing reject a length longer than the
/// address ([`IpNet::new_unchecked`] does not, to let tests send the kernel a bad one).
///
/// ```
/// use netlink::route::IpNet;
///
/// let net: IpNet = "10.0.0.1/24".parse()?;
/// assert_eq!((net.addr().to_string(), net.prefix_len()), ("10.0.0.1".into(), 24));
/// assert_eq!(net.network().to_string(), "10.0.0.0/24");
/// assert_eq!("2001:db8::1".parse::<IpNet>()?.to_string(), "2001:db8::1/128");
/// assert!("10.0.0.1/33".parse::<IpNet>().is_err());
/// # Ok::<(), netlink::route::IpNetError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpNet {
    addr: IpAddr,
    prefix_len: u8,
}

/// Why a string or a length is not an [`IpNet`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpNetError {
    /// The address part is not an IPv4 or IPv6 address.
    #[error("`{0}` is not an IP address")]
    Address(String),
    /// The length part is not a number.
    #[error("`{0}` is not a prefix length")]
    Length(String),
    /// The length is longer than the address.
    #[error("prefix length {len} is longer than the {max} bits of the address")]
    TooLong {
        /// The length given.
        len: u8,
        /// The address's bits (32 or 128).
        max: u8,
    },
}

impl IpNet {
    /// `addr/prefix_len`; a length longer than the address (32 or 128 bits) is an error.
    pub fn new(addr: IpAddr, prefix_len: u8) -> Result<IpNet, IpNetError> {
        let max = max_len(&addr);
        if prefix_len > max {
            return Err(IpNetError::TooLong {
                len: prefix_len,
                max,
            });
        }
        Ok(IpNet { addr, prefix_len })
    }

    /// `addr/prefix_len` without checking the length (to send the kernel a request it must
    /// refuse, say).
    pub fn new_unchecked(addr: IpAddr, prefix_len: u8) -> IpNet {
        IpNet { addr, prefix_len }
    }

    /// The host route of `addr` (`/32` or `/128`).
    pub fn host(addr: IpAddr) -> IpNet {
        IpNet {
            addr,
            prefix_len: max_len(&addr),
        }
    }

    /// The network of this address with prefix length `len` (at most the address's bits).
    ///
    /// ```
    /// use netlink::route::IpNet;
    ///
    /// let n: IpNet = "10.1.2.3".parse()?;
    /// assert_eq!(n.network_of_len(16).to_string(), "10.1.0.0/16");
    /// # Ok::<(), netlink::route::IpNetError>(())
    /// ```
    pub fn network_of_len(&self, len: u8) -> IpNet {
        IpNet {
            addr: self.addr,
            prefix_len: len.min(max_len(&self.addr)),
        }
        .network()
    }

    /// The address.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length in bits.
    pub fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    /// `AF_INET` or `AF_INET6`, as the family byte of route headers.
    pub fn family(&self) -> u8 {
        family_of(&self.addr)
    }

    /// The network: the address with the bits past the prefix cleared (`10.0.0.0/24` for
    /// `10.0.0.1/24`).
    pub fn network(&self) -> IpNet {
        let addr = match self.addr {
            IpAddr::V4(a) => {
                let mask = u32::MAX
                    .checked_shl(32u32.saturating_sub(u32::from(self.prefix_len)))
                    .unwrap_or(0);
                IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask))
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX
                    .checked_shl(128u32.saturating_sub(u32::from(self.prefix_len)))
                    .unwrap_or(0);
                IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask))
            }
        };
        IpNet {
            addr,
            prefix_len: self.prefix_len,
        }
    }
}

/// `AF_INET` or `AF_INET6` for an address.
pub(crate) fn family_of(addr: &IpAddr) -> u8 {
    match addr {
        IpAddr::V4(_) => libc::AF_INET as u8,
        IpAddr::V6(_) => libc::AF_INET6 as u8,
    }
}

fn max_len(addr: &IpAddr) -> u8 {
    match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

impl FromStr for IpNet {
    type Err = IpNetError;

    fn from_str(s: &str) -> Result<IpNet, IpNetError> {
        let (a, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().map_err(|_| IpNetError::Address(a.to_owned()))?;
        match len {
            None => Ok(IpNet::host(addr)),
            Some(l) => {
                let len: u8 = l.parse().map_err(|_| IpNetError::Length(l.to_owned()))?;
                IpNet::new(addr, len)
            }
        }
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix_len)
    }
}

impl From<IpAddr> for IpNet {
    fn from(addr: IpAddr) -> IpNet {
        IpNet::host(addr)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for IpNet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        let n: IpNet = "192.168.1.7/20".parse().unwrap();
        assert_eq!(n.to_string(), "192.168.1.7/20");
        assert_eq!(n.network().to_string(), "192.168.0.0/20");
        assert_eq!(n.family(), libc::AF_INET as u8);
        let n: IpNet = "2001:db8::1/64".parse().unwrap();
        assert_eq!(n.network().to_string(), "2001:db8::/64");
        assert_eq!(
            "0.0.0.0/0".parse::<IpNet>().unwrap().network().prefix_len(),
            0
        );
        assert_eq!(
            "::/0".parse::<IpNet>().unwrap().network().addr(),
            "::".parse::<IpAddr>().unwrap()
        );
        assert_eq!("10.0.0.1".parse::<IpNet>().unwrap().prefix_len(), 32);
    }

    #[test]
    fn bad_input() {
        assert_eq!(
            "10.0.0.1/33".parse::<IpNet>(),
            Err(IpNetError::TooLong { len: 33, max: 32 })
        );
        assert_eq!(
            "::1/129".parse::<IpNet>(),
            Err(IpNetError::TooLong { len: 129, max: 128 })
        );
        assert!(matches!(
            "10.0.0/8".parse::<IpNet>(),
            Err(IpNetError::Address(_))
        ));
        assert!(matches!(
            "10.0.0.1/x".parse::<IpNet>(),
            Err(IpNetError::Length(_))
        ));
        assert!(matches!(
            "10.0.0.1/300".parse::<IpNet>(),
            Err(IpNetError::Length(_))
        ));
        assert_eq!(
            "10.0.0.1/33".parse::<IpNet>().unwrap_err().to_string(),
            "prefix length 33 is longer than the 32 bits of the address"
        );
        assert_eq!(
            IpNet::new_unchecked([10, 0, 0, 1].into(), 33).prefix_len(),
            33
        );
    }
}
