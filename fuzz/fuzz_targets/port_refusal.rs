//! The engine's words for a taken host port, in any line compose prints: a
//! refusal that names a port names one the line holds, and the messages of
//! Docker, its userland proxy and Podman name the port they were built with.
#![no_main]

use arbitrary::Arbitrary;
use iris_dev::core::compose::port_refusal;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    line: &'a str,
    prefix: &'a str,
    address: u32,
    port: u16,
    kind: u8,
}

fuzz_target!(|input: Input<'_>| {
    if let Some(Some(refusal)) = port_refusal(input.line) {
        assert!(input.line.contains(&refusal.port.to_string()), "{input:?}");
    }
    if input.port == 0 || input.prefix.contains(['\n', ':']) {
        return;
    }
    let address = std::net::Ipv4Addr::from(input.address);
    let port = input.port;
    let line = match input.kind % 4 {
        0 => format!(
            "{}Bind for {address}:{port} failed: port is already allocated",
            input.prefix
        ),
        1 => format!(
            "{}listen tcp4 {address}:{port}: bind: address already in use",
            input.prefix
        ),
        2 => format!(
            "{}rootlessport listen tcp {address}:{port}: bind: address already in use",
            input.prefix
        ),
        _ => format!(
            "{}listen tcp6 [::1]:{port}: bind: address already in use",
            input.prefix
        ),
    };
    let refusal = port_refusal(&line)
        .flatten()
        .unwrap_or_else(|| panic!("{line:?}"));
    assert_eq!(refusal.port, port, "{line:?}");
});
