//! Decides which integration tests this machine can run, the way cargo's own
//! `#[cargo_test(requires = "docker")]` does: at build time, as `cfg`s that the
//! tests turn into `#[ignore = "needs ..."]`. A test whose tool is missing shows up
//! as *ignored* in the summary, with its reason, instead of passing silently.
//!
//! CI makes every one of them mandatory: `IRIS_DEV_DOCKER_TESTS=1` turns on every
//! engine-backed `cfg` whatever the probe says (a missing tool then fails the test
//! loudly), and the other variables name the tools `.ci/run` installed.
//!
//! The library and binary ignore these `cfg`s; only `tests/` reads them. So a
//! release build (`cargo install`, `cargo build --release`) probes nothing and
//! never starts `docker`; the dev and test profiles probe, each tool for at most
//! a few seconds.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one probe may take: an engine that hangs must not hang the build.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Every `cfg` this script may set, with what turns it on.
const CHECKS: &[(&str, &str)] = &[
    ("has_docker", "a Docker engine answers `docker info`"),
    (
        "has_python",
        "`IRIS_DEV_TEST_PYTHON` names a Python that imports iris-devtester",
    ),
    ("has_compose_v1", "`docker-compose` 1.x runs"),
    (
        "has_compose_v2",
        "`IRIS_DEV_TEST_COMPOSE_V2` names a DOCKER_CONFIG whose `docker compose` runs (>= 2.24.4)",
    ),
    (
        "has_compose_v2_legacy",
        "`IRIS_DEV_TEST_COMPOSE_V2_LEGACY` names a DOCKER_CONFIG whose `docker compose` runs (< 2.24.4)",
    ),
    ("has_sshd", "`sshd` and `ssh` are installed"),
    ("has_socat", "`socat` is installed"),
    ("has_lsof", "`lsof` is installed"),
    (
        "has_bash_completion",
        "`bash` runs and bash-completion is in `/usr/share/bash-completion`",
    ),
    ("has_zsh", "`zsh` runs with its `zsh/zpty` module"),
    ("has_fish", "`fish` runs"),
    (
        "has_podman",
        "`IRIS_DEV_TEST_PODMAN_HOST` names a Podman API socket (`.ci/podman` starts one)",
    ),
    ("is_root", "the tests run as root"),
];

/// Where Debian's (and most distributions') bash-completion keeps its loader.
const BASH_COMPLETION: &str = "/usr/share/bash-completion/bash_completion";

fn main() {
    for name in [
        "IRIS_DEV_DOCKER_TESTS",
        "IRIS_DEV_TEST_PYTHON",
        "IRIS_DEV_TEST_COMPOSE_V2",
        "IRIS_DEV_TEST_COMPOSE_V2_LEGACY",
        "IRIS_DEV_TEST_PODMAN_HOST",
        "DOCKER_HOST",
        "PATH",
    ] {
        println!("cargo::rerun-if-env-changed={name}");
    }
    println!("cargo::rerun-if-changed=build.rs");
    for (cfg, _) in CHECKS {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }

    let mandatory = var("IRIS_DEV_DOCKER_TESTS").as_deref() == Some("1");
    // `cargo install` (and every release build) has no tests to decide about:
    // it runs no probe at all, so a user's install never talks to Docker. Only
    // the dev and test profiles (`PROFILE=debug`) probe, each probe bounded by
    // PROBE_TIMEOUT.
    if var("PROFILE").as_deref() != Some("debug") && !mandatory {
        return;
    }
    let docker = mandatory || runs("docker", &["info", "--format", "{{.ServerVersion}}"]);
    let enabled = [
        ("has_docker", docker),
        // Mandatory means every one: a missing variable or tool then fails its
        // tests loudly instead of ignoring them. The tests check what they
        // need when they start (tests/it/support/needs.rs, `Compose::check`)
        // and name what is missing: root, the Python, each compose's version.
        (
            "has_python",
            mandatory
                || var("IRIS_DEV_TEST_PYTHON")
                    .is_some_and(|python| runs(&python, &["-c", "import iris_devtester"])),
        ),
        (
            "has_compose_v1",
            docker && (mandatory || runs("docker-compose", &["version", "--short"])),
        ),
        (
            "has_compose_v2",
            docker && (mandatory || compose_plugin_runs("IRIS_DEV_TEST_COMPOSE_V2")),
        ),
        (
            "has_compose_v2_legacy",
            docker && (mandatory || compose_plugin_runs("IRIS_DEV_TEST_COMPOSE_V2_LEGACY")),
        ),
        (
            "has_sshd",
            mandatory || (found("sshd") && runs("ssh", &["-V"])),
        ),
        ("has_socat", mandatory || runs("socat", &["-V"])),
        ("has_lsof", mandatory || runs("lsof", &["-v"])),
        (
            "has_bash_completion",
            mandatory
                || (runs("bash", &["-c", ":"]) && std::path::Path::new(BASH_COMPLETION).is_file()),
        ),
        (
            "has_zsh",
            mandatory || runs("zsh", &["-f", "-c", "zmodload zsh/zpty"]),
        ),
        (
            "has_fish",
            mandatory || runs("fish", &["--no-config", "-c", "true"]),
        ),
        // Like the compose v2 plugins: named by a variable, mandatory in CI,
        // where a missing Podman fails its tests instead of skipping them.
        (
            "has_podman",
            mandatory || var("IRIS_DEV_TEST_PODMAN_HOST").is_some(),
        ),
        ("is_root", mandatory || is_root()),
    ];
    for (cfg, on) in enabled {
        if on {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// Whether `docker compose version` runs with the DOCKER_CONFIG that the
/// variable `name` names.
fn compose_plugin_runs(name: &str) -> bool {
    var(name).is_some_and(|config| {
        let mut command = Command::new("docker");
        command
            .args(["compose", "version", "--short"])
            .env("DOCKER_CONFIG", config);
        finishes(&mut command, Stdio::null()).is_some_and(|(ok, _)| ok)
    })
}

/// Whether `program args` exits 0 within [`PROBE_TIMEOUT`]; one that takes
/// longer is killed and counts as missing.
fn runs(program: &str, args: &[&str]) -> bool {
    let mut command = Command::new(program);
    command.args(args);
    finishes(&mut command, Stdio::null()).is_some_and(|(ok, _)| ok)
}

/// Runs `command` for at most [`PROBE_TIMEOUT`]: whether it exited 0, and its
/// standard output when `stdout` is piped; `None` when it did not start or
/// was killed for taking too long.
fn finishes(command: &mut Command, stdout: Stdio) -> Option<(bool, String)> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + PROBE_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut out = String::new();
                if let Some(mut pipe) = child.stdout.take() {
                    // The child has exited: what it wrote is all in the pipe.
                    let _ = std::io::Read::read_to_string(&mut pipe, &mut out);
                }
                return Some((status.success(), out));
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// `sshd` lives in `/usr/sbin`, which is not always on a user's PATH.
fn found(program: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/sbin".into()])
        .any(|dir| dir.join(program).is_file())
}

fn is_root() -> bool {
    finishes(Command::new("id").arg("-u"), Stdio::piped())
        .is_some_and(|(ok, uid)| ok && uid.trim() == "0")
}
