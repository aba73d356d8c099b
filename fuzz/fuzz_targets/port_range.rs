//! Ports and ranges as users type them (`--port`, `IRIS_DEV_PORT`,
//! `IRIS_DEV_PORT_RANGE`): what parses prints back as text that parses to the
//! same value, a range never starts after it ends, and a refusal quotes the
//! text it refused.
#![no_main]

use iris_dev::core::allocate::PortRange;
use iris_dev::core::port::Port;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match text.parse::<Port>() {
        Ok(port) => {
            assert_ne!(port.get(), 0);
            assert_eq!(port.to_string().parse::<Port>(), Ok(port));
        }
        Err(message) => assert!(message.contains(text.trim()), "{message}"),
    }
    match PortRange::parse(text) {
        Ok(range) => {
            assert!(range.start <= range.end && range.start > 0, "{text:?}");
            assert_eq!(PortRange::parse(&range.to_string()), Ok(range));
            let _ = range.overlap_with_iris(range);
        }
        Err(message) => assert!(!message.is_empty()),
    }
});
