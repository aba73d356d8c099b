//! The registry file, as iris-devtester or a damaged disk may leave it: any
//! bytes that parse are written back with every field iris-devtester wrote
//! unchanged, byte for byte (its six per entry, and the top-level keys iris-dev
//! does not know), and what iris-dev writes parses to the same registry.
#![no_main]

use iris_dev::core::registry::Registry;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// iris-devtester's fields of an assignment (`assignment.py`), the ones its
/// rewrites keep.
const PYTHON_FIELDS: [&str; 6] = [
    "project_path",
    "port",
    "assigned_at",
    "assignment_type",
    "status",
    "container_name",
];

fuzz_target!(|bytes: &[u8]| {
    let Ok(registry) = Registry::parse(bytes) else {
        return;
    };
    let written = registry.to_json();
    let again = Registry::parse(&written).expect("what iris-dev writes parses");
    assert_eq!(again, registry, "a rewrite changes nothing");
    assert_eq!(again.to_json(), written, "writing is stable");

    let before: Value = serde_json::from_slice(bytes).expect("it parsed");
    let after: Value = serde_json::from_slice(&written).expect("it was written");
    let entries = |value: &Value| value["assignments"].as_array().cloned().unwrap_or_default();
    let (old, new) = (entries(&before), entries(&after));
    assert_eq!(old.len(), new.len(), "every assignment is kept");
    for (index, (old, new)) in old.iter().zip(&new).enumerate() {
        for field in PYTHON_FIELDS {
            // `container_name` absent and `null` are the same to Python.
            let old = old.get(field).unwrap_or(&Value::Null);
            let new = new.get(field).unwrap_or(&Value::Null);
            assert_eq!(
                serde_json::to_string(old).unwrap(),
                serde_json::to_string(new).unwrap(),
                "assignment {index}: `{field}` changed"
            );
        }
    }
    // Top-level keys of other tools pass through as they were.
    for (key, value) in before.as_object().expect("an object parsed") {
        if key.starts_with("iris_dev_") || key == "assignments" {
            continue;
        }
        assert_eq!(after.get(key), Some(value), "top-level `{key}` changed");
    }
});
