//! What a test that build.rs let run needs from this machine, checked when it
//! starts, so that a missing tool fails the test with its name and the fix
//! instead of passing (or failing) for another reason. Where build.rs found
//! the tool missing the test is ignored and never gets here; with
//! `IRIS_DEV_DOCKER_TESTS=1` every such test runs, and these checks are what
//! make the missing tool a failure.

use std::process::Command;
use std::sync::OnceLock;

/// What `IRIS_DEV_DOCKER_TESTS=1` means, for the messages below.
const MANDATORY: &str = "build.rs let it run (a `cfg` or IRIS_DEV_DOCKER_TESTS=1, which makes every such test mandatory)";

/// The Python with iris-devtester that `IRIS_DEV_TEST_PYTHON` names (as the
/// tests were built with it, or as they run); panics unless it imports
/// `iris_devtester`.
#[track_caller]
pub fn python() -> String {
    let python = option_env!("IRIS_DEV_TEST_PYTHON")
        .map(str::to_owned)
        .or_else(|| std::env::var("IRIS_DEV_TEST_PYTHON").ok())
        .filter(|python| !python.is_empty())
        .unwrap_or_else(|| {
            panic!(
                "this test needs `IRIS_DEV_TEST_PYTHON`, a Python with iris-devtester (`.ci/run` makes one), and {MANDATORY}"
            )
        });
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let checked = CHECKED.get_or_init(|| {
        let output = Command::new(&python)
            .args(["-c", "import iris_devtester"])
            .output()
            .map_err(|err| format!("`{python}` does not run: {err}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "`{python} -c 'import iris_devtester'` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    });
    if let Err(why) = checked {
        panic!("IRIS_DEV_TEST_PYTHON: {why}; {MANDATORY}");
    }
    python
}

/// Panics unless the tests run as root, naming `why` root is needed.
#[track_caller]
pub fn root(why: &str) {
    // SAFETY: a plain syscall without arguments.
    let uid = unsafe { libc::geteuid() };
    assert_eq!(
        uid, 0,
        "this test needs root ({why}) and runs as uid {uid}: {MANDATORY}"
    );
}
