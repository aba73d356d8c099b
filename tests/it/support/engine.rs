//! The real Docker engine, for the tests that ask for it
//! ([`TestEnv::engine`](super::TestEnv::engine) and [`Compose::env`](super::Compose::env)):
//! the stand-in image built from scratch (`tests/standin`, since no registry can
//! be reached), plain `docker` calls, and the cleanup of what a test started.
//! Nothing here runs for a test that did not ask for the engine.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use fs_err as fs;

/// The stand-in image's tag, shared by every test and every helper session.
pub const STANDIN: &str = "iris-dev-standin:test";

/// Builds the stand-in image, once per test run; a failure fails the test.
pub(crate) fn standin() {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(why) = READY.get_or_init(build_standin) {
        panic!("cannot build the stand-in image `{STANDIN}`: {why}");
    }
}

fn build_standin() -> Result<(), String> {
    standin_variant(STANDIN, &[])
}

/// Builds the stand-in variant `tag` (tests/standin/README.md lists them) with
/// these `docker build` arguments, once per test run.
pub(crate) fn standin_variant(tag: &str, build_args: &[&str]) -> Result<(), String> {
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if built.iter().any(|done| done == tag) {
        return Ok(());
    }
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/standin");
    let context = tempfile::tempdir().map_err(|err| err.to_string())?;
    let compile = Command::new("cc")
        .args(["-static", "-O2", "-o"])
        .arg(context.path().join("standin"))
        .arg(source.join("standin.c"))
        .output()
        .map_err(|err| format!("cc: {err}"))?;
    if !compile.status.success() {
        return Err(String::from_utf8_lossy(&compile.stderr).into_owned());
    }
    fs::copy(source.join("Dockerfile"), context.path().join("Dockerfile"))
        .map_err(|err| err.to_string())?;
    let build = Command::new("docker")
        .args(["build", "-q", "-t", tag])
        .args(build_args)
        .arg(context.path())
        .output()
        .map_err(|err| format!("docker build: {err}"))?;
    if !build.status.success() {
        return Err(format!(
            "docker build -t {tag} {}: {}",
            build_args.join(" "),
            String::from_utf8_lossy(&build.stderr)
        ));
    }
    built.push(tag.to_owned());
    Ok(())
}

/// Removes every container, network and volume of the compose projects, even when
/// the test panicked half-way.
pub(crate) struct Cleanup(pub(crate) Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        remove_projects(&self.0, &["network", "rm"], &|args| {
            Command::new("docker")
                .args(args)
                .stderr(Stdio::null())
                .output()
                .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
                .unwrap_or_default()
        });
    }
}

/// Removes every container, network and volume labelled with one of the
/// compose projects `names`, through `engine` (which runs `docker ARGS` or
/// `podman ARGS` and returns what it printed); `network_rm` is how that engine
/// removes networks.
pub(crate) fn remove_projects(
    names: &[String],
    network_rm: &[&str],
    engine: &dyn Fn(&[&str]) -> String,
) {
    for name in names {
        let label = format!("label=com.docker.compose.project={name}");
        for (list, remove) in [
            (&["ps", "-aq", "--filter"][..], &["rm", "-f"][..]),
            (&["network", "ls", "-q", "--filter"][..], network_rm),
            (
                &["volume", "ls", "-q", "--filter"][..],
                &["volume", "rm", "-f"][..],
            ),
        ] {
            let mut query = list.to_vec();
            query.push(&label);
            let ids = engine(&query);
            if !ids.trim().is_empty() {
                let mut args = remove.to_vec();
                args.extend(ids.split_whitespace());
                engine(&args);
            }
        }
    }
}

/// What `docker ARGS` printed; panics if it failed, so that an empty answer
/// means an empty list.
pub(crate) fn docker_out(args: &[&str]) -> String {
    let output = Command::new("docker").args(args).output().unwrap();
    assert!(
        output.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The service `iris` of a compose file on the stand-in, with `extra` lines.
pub(crate) fn standin_compose(extra: &str) -> String {
    format!("services:\n  iris:\n    image: {STANDIN}\n{extra}")
}

/// Whether something accepts a TCP connection on `ip:port` within two seconds.
pub(crate) fn reachable(ip: Ipv4Addr, port: u16) -> bool {
    TcpStream::connect_timeout(&SocketAddr::from((ip, port)), Duration::from_secs(2)).is_ok()
}
