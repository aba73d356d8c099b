//! `DOCKER_HOST` and context URLs: `ssh://[user@]host[:port]` parses to a
//! target whose display parses back to the same target; every URL gets a
//! transport or `None` without a panic; `tunnel`'s forward host is always an
//! address `ssh -L` reads.
#![no_main]

use iris_dev::core::engine::Endpoint;
use iris_dev::core::engine::dial::{SshTarget, Transport, forward_host};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|url: &str| {
    if let Some(target) = SshTarget::parse(url) {
        assert!(!target.host.is_empty());
        let _ = target.ssh_args();
        let _ = target.tunnel_args("127.0.0.1", &[1972, 52773]);
        let shown = target.display();
        // A v6 host is shown without brackets, which only parse back with a port.
        if !target.host.contains(':') {
            assert_eq!(
                SshTarget::parse(&format!("ssh://{shown}")),
                Some(target),
                "{url:?}"
            );
        }
    }
    let endpoint = Endpoint::new(url);
    let transport = Transport::of(&endpoint);
    if !url.starts_with("ssh://") {
        assert!(transport.is_some(), "{url:?}");
    }
    let _ = endpoint.is_local();
    let _ = endpoint.host();
    let _ = endpoint.registry_key();
    let host = forward_host(Some(url));
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    assert!(
        bare.parse::<std::net::IpAddr>().is_ok(),
        "{url:?} -> {host:?}"
    );
});
