//! Sharing one registry with the real Python package iris-devtester.
//!
//! Needs `IRIS_DEV_TEST_PYTHON`, a Python with `iris-devtester` installed (`.ci/run`
//! makes one). Where it is not set the test is ignored, with that reason, in the
//! summary; where it is set, the test is mandatory.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use crate::support::TestEnv;

/// Assigns ports to `count` projects through `PortRegistry.assign_port`, then
/// prints every assignment Python can read, one `path port status` a line.
const PYTHON: &str = r#"
import sys
from pathlib import Path
from iris_devtester.ports import PortRegistry

registry_path, start, end, root, count = sys.argv[1:]
registry = PortRegistry(registry_path=Path(registry_path), port_range=(int(start), int(end)))
for n in range(int(count)):
    registry.assign_port(f"{root}/py{n:02}")
for a in registry.list_all():
    print(a.project_path, a.port, a.status)
"#;

#[test]
#[cfg_attr(
    not(has_python),
    ignore = "needs IRIS_DEV_TEST_PYTHON: a Python with iris-devtester (`.ci/run` makes one)"
)]
fn python_and_iris_dev_share_one_registry() {
    let python = crate::support::needs::python();
    let env = TestEnv::new("interop");
    // Python's PortRegistry creates a missing file without the lock; make it first.
    env.run(["ports", "reset"]).success();
    let root = env.root().display().to_string();
    let python_child = Command::new(&python)
        .args([
            "-c",
            PYTHON,
            env.registry().to_str().unwrap(),
            &env.ports().first().to_string(),
            &env.ports().last().to_string(),
            &root,
            "20",
        ])
        .env("HOME", env.home())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let ours: Vec<_> = (0..20)
        .map(|n| {
            let project = env.project(&format!("rs{n:02}"));
            env.spawn(["port"], &project)
        })
        .collect();
    for child in ours {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let output = python_child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let registry = env.registry_json();
    let assignments = registry["assignments"].as_array().unwrap();
    assert_eq!(assignments.len(), 40, "{registry:#}");
    let ports: BTreeSet<_> = assignments
        .iter()
        .map(|a| a["port"].as_u64().unwrap())
        .collect();
    assert_eq!(ports.len(), 40, "duplicate ports: {registry:#}");

    // Python read iris-dev's entries...
    let seen_by_python = String::from_utf8(output.stdout).unwrap();
    let rust_rows = seen_by_python
        .lines()
        .filter(|line| line.contains("/rs"))
        .count();
    let python_rows = seen_by_python
        .lines()
        .filter(|line| line.contains("/py"))
        .count();
    assert_eq!((python_rows, rust_rows > 0), (20, true), "{seen_by_python}");
    // ...and iris-dev reads Python's, including after one more Python write.
    let list: serde_json::Value =
        serde_json::from_str(&env.run(["ports", "list", "--json"]).success().stdout()).unwrap();
    let python_entries = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["project_path"].as_str().unwrap().contains("/py"));
    assert_eq!(python_entries.count(), 20);
    let inspect = env
        .run(["ports", "inspect", &format!("{root}/py00"), "--json"])
        .success();
    let entry: serde_json::Value = serde_json::from_str(&inspect.stdout()).unwrap();
    assert_eq!(entry["assignment_type"], "auto");
    assert!(entry.get("web_port").is_none(), "Python writes no web_port");
    let web = env
        .run_in(&env.project("py00"), ["port", "--web"])
        .success()
        .port();
    let port = entry["port"].as_u64().unwrap();
    assert_eq!(u64::from(web), 52_773 + port - 1972);
}
