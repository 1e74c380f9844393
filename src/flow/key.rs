//! Flow identity: the 5-tuple, stored in a canonical order so both directions find one entry.

use std::fmt;
use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    pub ip: IpAddr,
    pub port: u16,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ip {
            IpAddr::V4(a) => write!(f, "{a}:{}", self.port),
            IpAddr::V6(a) => write!(f, "[{a}]:{}", self.port),
        }
    }
}

/// The 5-tuple with `lo < hi`, so that both directions of a flow share one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FlowKey {
    pub lo: Endpoint,
    pub hi: Endpoint,
    /// IP protocol number (6 TCP, 17 UDP).
    pub proto: u8,
}

/// Hashed as a few machine words (the derived hash feeds each address as a byte slice, which
/// costs several times more per packet). Equal keys hash equally, as `Eq` requires.
impl std::hash::Hash for FlowKey {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for e in [self.lo, self.hi] {
            match e.ip {
                IpAddr::V4(a) => h.write_u64((u64::from(u32::from(a)) << 16) | u64::from(e.port)),
                IpAddr::V6(a) => {
                    let v = u128::from(a);
                    h.write_u64(v as u64);
                    h.write_u64(((v >> 64) as u64) ^ u64::from(e.port));
                }
            }
        }
        h.write_u8(self.proto);
    }
}

impl FlowKey {
    /// The key for a packet from `src` to `dst`, and the side (0 = `lo`, 1 = `hi`) that sent it.
    pub fn new(src: Endpoint, dst: Endpoint, proto: u8) -> (FlowKey, usize) {
        if src <= dst {
            (
                FlowKey {
                    lo: src,
                    hi: dst,
                    proto,
                },
                0,
            )
        } else {
            (
                FlowKey {
                    lo: dst,
                    hi: src,
                    proto,
                },
                1,
            )
        }
    }

    pub fn endpoint(&self, side: usize) -> Endpoint {
        if side == 0 { self.lo } else { self.hi }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions_share_a_key_and_display_like_spec() {
        let a = Endpoint {
            ip: "10.0.0.1".parse().unwrap(),
            port: 50000,
        };
        let b = Endpoint {
            ip: "10.0.0.2".parse().unwrap(),
            port: 443,
        };
        let (k1, s1) = FlowKey::new(a, b, 6);
        let (k2, s2) = FlowKey::new(b, a, 6);
        assert_eq!(k1, k2);
        assert_ne!(s1, s2);
        assert_eq!(k1.endpoint(s1), a);
        assert_eq!(a.to_string(), "10.0.0.1:50000");
        let v6 = Endpoint {
            ip: "2001:db8::1".parse().unwrap(),
            port: 443,
        };
        assert_eq!(v6.to_string(), "[2001:db8::1]:443");
    }
}
