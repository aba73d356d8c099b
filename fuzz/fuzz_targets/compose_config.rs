//! `compose config` output (YAML from compose, or from a broken plugin): every
//! question iris-dev asks of a parsed config answers without a panic, and every
//! `ports` entry in short syntax reads back the container port it names.
#![no_main]

use iris_dev::core::compose::config::{ComposeConfig, PortMapping, interpolate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(config) = ComposeConfig::parse(text) {
        let service = config.iris_service(None).map(str::to_owned);
        let _ = config.fixed_names("fuzz");
        for (name, service) in &config.services {
            let _ = service.environment();
            let _ = service.mount_targets();
            for mapping in service.port_mappings() {
                assert_ne!(mapping.target, 0, "{text:?}: container port 0");
            }
            let _ = config.iris_service(Some(name));
            let _ = config.fixed_host_ports(name);
        }
        if let Ok(service) = service {
            let _ = config.fixed_host_ports(&service);
        }
    }
    if let Some(mapping) = PortMapping::parse_short(text) {
        assert_ne!(mapping.target, 0, "{text:?}: container port 0");
    }
    // `${VAR:-default}` and friends: no panic, and a text without `$` is kept.
    let expanded = interpolate(text, &|name| (name.len() % 2 == 0).then(|| name.to_owned()));
    if !text.contains('$') {
        assert_eq!(expanded, text);
    }
});
