//! Whether a host port is free, by trying to bind it.
//!
//! The one place that opens sockets to look at the host. A port counts as busy
//! only when a bind says "address in use": a port we are not allowed to bind
//! (below 1024 without privileges) may still be free for the Docker daemon.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};

use crate::core::allocate::HostPorts;

/// Binds each candidate on `0.0.0.0`, `127.0.0.1` and `::`, the addresses Docker
/// publishes on, and releases it at once.
pub struct BindProbe;

impl HostPorts for BindProbe {
    fn is_free(&self, port: u16) -> bool {
        let addresses = [
            SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)),
            SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)),
        ];
        addresses
            .iter()
            .all(|address| match TcpListener::bind(address) {
                Ok(_) => true,
                Err(err) => err.kind() != io::ErrorKind::AddrInUse,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listener_makes_its_port_busy() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        assert!(!BindProbe.is_free(port));
        drop(listener);
        assert!(BindProbe.is_free(port));
    }
}
