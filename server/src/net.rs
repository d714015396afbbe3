//! Who is on the other end of a request: the peer's address, or behind a
//! trusted reverse proxy the address that proxy saw (`X-Forwarded-For`).
//! Rate limits per client address depend on it, so a forged header from an
//! untrusted peer is ignored.

use axum::{
    extract::{ConnectInfo, Request},
    middleware::Next,
    response::Response,
};
use std::net::{IpAddr, SocketAddr};

/// The client's address, as [`resolve`] found it (in request extensions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// An address range in CIDR notation (`10.0.0.0/8`, `::1/128`, or a bare
/// address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Self> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (s.trim(), None),
        };
        let net: IpAddr = addr.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { net, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| match ip {
            IpAddr::V4(v4) => u128::from(u32::from(v4)) << 96,
            IpAddr::V6(v6) => u128::from(v6),
        };
        let ip = match ip {
            // An IPv4 peer on a dual-stack socket arrives as ::ffff:a.b.c.d.
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        if ip.is_ipv4() != self.net.is_ipv4() {
            return false;
        }
        // Both families sit in the top bits, so the mask is the same shape.
        let width = u32::from(self.prefix);
        let mask = if width == 0 {
            0
        } else {
            u128::MAX << (128 - width)
        };
        (bits(ip) & mask) == (bits(self.net) & mask)
    }
}

/// A list of address ranges: the proxies whose `X-Forwarded-For` we
/// believe, or the lobby kiosks' addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Networks(pub Vec<Cidr>);

impl Networks {
    /// A comma-separated list of addresses or CIDR ranges.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Cidr::parse(s).ok_or_else(|| format!("not an address or CIDR range: {s:?}")))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Loopback only (`127.0.0.0/8`, `::1`): this machine.
    pub fn loopback() -> Self {
        Self::parse("127.0.0.0/8, ::1").unwrap_or_default()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client behind `peer`, with `self` the trusted proxies: walking `X-Forwarded-For` from the right,
    /// the first address that is not one of our proxies. With an untrusted
    /// peer the header is ignored (anyone can write it).
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_for
            .iter()
            .flat_map(|h| h.split(','))
            .map(str::trim)
            .rev()
        {
            match hop.parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip;
                    if !self.contains(ip) {
                        break;
                    }
                }
                // A garbled hop: stop at the last address we could read.
                Err(_) => break,
            }
        }
        client
    }
}

/// Middleware: puts the [`ClientAddr`] in the request's extensions.
pub async fn resolve(proxies: Networks, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let client = proxies.client(peer, &forwarded);
    req.extensions_mut().insert(ClientAddr(client));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn cidr_ranges() {
        let lan = Cidr::parse("10.0.0.0/8");
        assert!(lan.is_some_and(|c| c.contains(ip("10.1.2.3"))));
        assert!(lan.is_some_and(|c| !c.contains(ip("11.0.0.1"))));
        assert!(lan.is_some_and(|c| c.contains(ip("::ffff:10.9.9.9"))));
        let one = Cidr::parse("127.0.0.1");
        assert!(one.is_some_and(|c| c.contains(ip("127.0.0.1")) && !c.contains(ip("127.0.0.2"))));
        assert!(Cidr::parse("::1/128").is_some_and(|c| c.contains(ip("::1"))));
        assert!(Cidr::parse("0.0.0.0/0").is_some_and(|c| c.contains(ip("8.8.8.8"))));
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
        assert_eq!(Cidr::parse("nope"), None);
        let here = Networks::loopback();
        assert!(here.contains(ip("127.0.0.1")) && here.contains(ip("::1")));
        assert!(here.contains(ip("::ffff:127.0.0.1")));
        assert!(!here.contains(ip("192.168.1.10")));
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxies = Networks::parse("127.0.0.1, 10.0.0.0/8").unwrap_or_default();
        // Untrusted peer: the header is a lie we ignore.
        assert_eq!(
            proxies.client(ip("203.0.113.5"), &["1.2.3.4"]),
            ip("203.0.113.5")
        );
        // Trusted proxy: the client is the rightmost untrusted hop.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &["6.6.6.6, 198.51.100.7, 10.0.0.2"]),
            ip("198.51.100.7")
        );
        // Several headers read as one list.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &["6.6.6.6", "198.51.100.8"]),
            ip("198.51.100.8")
        );
        // No header: the proxy itself.
        assert_eq!(proxies.client(ip("127.0.0.1"), &[]), ip("127.0.0.1"));
        assert!(Networks::parse("10.0.0.0/8, bad").is_err());
    }
}
