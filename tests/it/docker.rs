//! End to end against the Docker engine on this machine, with a stand-in image
//! built from scratch (`tests/standin`), since no registry can be reached.
//!
//! Where build.rs finds no engine these tests are ignored, with the reason, in the
//! summary; with `IRIS_DEV_DOCKER_TESTS=1` (as `.ci/run` sets) they always run, so a
//! missing engine is a failure.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use fs_err as fs;
use insta::assert_snapshot;
use iris_dev::project::compose_project_name;

use crate::support::TestEnv;

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
        for name in &self.0 {
            let label = format!("label=com.docker.compose.project={name}");
            for (list, remove) in [
                (vec!["ps", "-aq", "--filter", &label], vec!["rm", "-f"]),
                (
                    vec!["network", "ls", "-q", "--filter", &label],
                    vec!["network", "rm"],
                ),
                (
                    vec!["volume", "ls", "-q", "--filter", &label],
                    vec!["volume", "rm", "-f"],
                ),
            ] {
                let ids = Command::new("docker")
                    .args(&list)
                    .output()
                    .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
                    .unwrap_or_default();
                if !ids.trim().is_empty() {
                    let mut args = remove.clone();
                    args.extend(ids.split_whitespace());
                    let _ = Command::new("docker")
                        .args(&args)
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status();
                }
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

/// A project directory with this compose file; returns it and its compose name.
pub(crate) fn compose_project(env: &TestEnv, name: &str, compose: &str) -> (PathBuf, String) {
    let dir = env.project(name);
    fs::write(dir.join("compose.yaml"), compose).unwrap();
    let compose_name = compose_project_name(dir.to_str().unwrap());
    (dir, compose_name)
}

fn standin_compose(extra: &str) -> String {
    format!("services:\n  iris:\n    image: {STANDIN}\n{extra}")
}

/// `status` text with each container's published ports in one order: the engine
/// lists them in no fixed order.
fn sorted_container_ports(text: &str) -> String {
    text.lines()
        .map(|line| match line.rsplit_once("  ") {
            Some((head, ports)) if line.starts_with("container ") => {
                let mut ports: Vec<_> = ports.split(", ").collect();
                ports.sort_unstable();
                format!("{head}  {}\n", ports.join(", "))
            }
            _ => format!("{line}\n"),
        })
        .collect()
}

pub(crate) fn reachable(ip: Ipv4Addr, port: u16) -> bool {
    TcpStream::connect_timeout(&SocketAddr::from((ip, port)), Duration::from_secs(2)).is_ok()
}

pub(crate) fn port_of(env: &TestEnv, dir: &Path, web: bool) -> u16 {
    let mut args = vec!["port", "-C", dir.to_str().unwrap()];
    if web {
        args.push("--web");
    }
    env.run(args).success().port()
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn two_projects_run_side_by_side_on_loopback_only() {
    standin();
    let env = TestEnv::new("12100-12109");
    let (alpha, alpha_name) =
        compose_project(&env, "alpha", &standin_compose("    expose: [\"1972\"]\n"));
    let beta_file = format!("x-iris-dev:\n  service: iris\n{}", standin_compose(""));
    let (beta, beta_name) = compose_project(&env, "beta", &beta_file);
    let _cleanup = Cleanup(vec![alpha_name, beta_name]);

    let children: Vec<_> = [&alpha, &beta]
        .iter()
        .map(|dir| env.spawn(["up", "--wait-timeout", "60"], dir))
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(stderr.contains("ready IRIS for"), "{stderr}");
        assert!(output.stdout.is_empty(), "up prints nothing on stdout");
    }
    let ports: Vec<u16> = [&alpha, &beta]
        .iter()
        .map(|dir| port_of(&env, dir, false))
        .collect();
    assert_ne!(ports[0], ports[1]);
    for dir in [&alpha, &beta] {
        for web in [false, true] {
            let port = port_of(&env, dir, web);
            assert!(reachable(Ipv4Addr::LOCALHOST, port), "127.0.0.1:{port}");
            assert!(
                !reachable(Ipv4Addr::new(127, 0, 0, 2), port),
                "127.0.0.2:{port} must not answer"
            );
        }
    }
    let status: serde_json::Value = serde_json::from_str(
        &env.run(["status", "--json", "-C", "alpha"])
            .success()
            .stdout(),
    )
    .unwrap();
    let container = &status["containers"][0];
    assert_eq!(container["state"], "running");
    assert_eq!(container["health"], "healthy");
    for port in container["ports"].as_array().unwrap() {
        assert_eq!(port["host_ip"], "127.0.0.1");
    }
    assert_eq!(status["assignment"]["compose_service"], "iris");
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn down_then_up_keeps_the_ports() {
    standin();
    let env = TestEnv::new("12110-12119");
    let (shop, name) = compose_project(&env, "shop", &standin_compose("    expose: [\"1972\"]\n"));
    let _cleanup = Cleanup(vec![name.clone()]);
    env.run(["up", "-C", "shop"]).success();
    let port = port_of(&env, &shop, false);
    let web_port = port_of(&env, &shop, true);
    let status = env
        .run(["status", "-C", "shop"])
        .success()
        .redact(format!("{name}_iris_1"), "[CONTAINER]")
        .redact(format!("{name}-iris-1"), "[CONTAINER]")
        .redact(&name, "[NAME]")
        .redact(web_port.to_string(), "[WEB_PORT]")
        .redact(port.to_string(), "[PORT]");
    assert_snapshot!("status_running", sorted_container_ports(&status.snapshot()));
    let down = env.run(["down", "-C", "shop"]).success();
    down.assert_stderr_contains(&format!("it keeps port {port}"));
    assert!(!reachable(Ipv4Addr::LOCALHOST, port));
    let registry = env.registry_json();
    assert_eq!(registry["assignments"][0]["status"], "released");
    env.run(["up", "-C", "shop", "--no-wait"]).success();
    assert_eq!(port_of(&env, &shop, false), port);
    env.run(["down", "-C", "shop", "--release", "--volumes"])
        .success();
    assert_eq!(env.registry_json()["assignments"], serde_json::json!([]));
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn removed_containers_go_stale_and_free_their_port() {
    standin();
    let env = TestEnv::new("12120-12120");
    let (alpha, name) =
        compose_project(&env, "alpha", &standin_compose("    expose: [\"1972\"]\n"));
    let _cleanup = Cleanup(vec![name.clone()]);
    env.run(["up", "-C", "alpha", "--no-wait"]).success();
    assert_eq!(port_of(&env, &alpha, false), 12_120);
    env.project("beta");
    let full = env.run(["port", "-C", "beta"]);
    assert_eq!(
        full.code(),
        1,
        "the only port is taken: {}",
        full.snapshot()
    );

    let ids = docker_out(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={name}"),
    ]);
    let mut rm = vec!["rm", "-f"];
    rm.extend(ids.split_whitespace());
    assert!(Command::new("docker").args(&rm).status().unwrap().success());
    let before = fs::read(env.registry()).unwrap();
    assert_snapshot!(
        "prune_dry_run_stale",
        env.run(["ports", "prune", "--dry-run"]).snapshot()
    );
    assert_eq!(fs::read(env.registry()).unwrap(), before);
    assert_snapshot!("prune_stale", env.run(["ports", "prune"]).snapshot());
    assert_eq!(env.registry_json()["assignments"][0]["status"], "stale");
    assert_eq!(env.run(["port", "-C", "beta"]).success().port(), 12_120);
    let projects: Vec<_> = env.registry_json()["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["project_path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(projects, [env.root().join("beta").display().to_string()]);
}

#[test]
#[cfg_attr(
    not(has_compose_v1),
    ignore = "needs a Docker engine and docker-compose 1.x, which cannot `!override` the base ports"
)]
fn a_base_file_publishing_1972_stops_before_anything_starts() {
    standin();
    let env = TestEnv::new("12130-12139");
    let file = standin_compose("    ports:\n      - \"1972:1972\"\n");
    let (_, name) = compose_project(&env, "fixed", &file);
    let _cleanup = Cleanup(vec![name.clone()]);
    // The message itself is snapshotted in `fake_compose`, whatever compose is here.
    let run = env.run(["up", "-C", "fixed"]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    run.assert_stderr_contains("publishes IRIS's port 1972 on host port 1972");
    let label = format!("label=com.docker.compose.project={name}");
    assert_eq!(docker_out(&["ps", "-aq", "--filter", &label]), "");

    // The suggested fix works: the base publishes the assigned port itself.
    let fixed = standin_compose("    ports:\n      - \"127.0.0.1:${IRIS_PORT:-1972}:1972\"\n");
    fs::write(env.root().join("fixed/compose.yaml"), fixed).unwrap();
    env.run(["up", "-C", "fixed", "--wait-timeout", "60"])
        .success();
    assert!(reachable(Ipv4Addr::LOCALHOST, 12_130));
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn an_unreachable_engine_is_named_and_changes_nothing() {
    standin();
    let env = TestEnv::new("12140-12149").with("DOCKER_HOST", "unix:///nonexistent");
    compose_project(&env, "shop", &standin_compose("    expose: [\"1972\"]\n"));
    assert_snapshot!("unreachable_up", env.run(["up", "-C", "shop"]).snapshot());
    assert!(!env.registry().exists(), "nothing was assigned");
    assert_snapshot!("unreachable_prune", env.run(["ports", "prune"]).snapshot());
    let status = env.run(["status", "-C", "shop"]).success();
    status
        .assert_stdout_contains("unknown: cannot reach the Docker engine at `unix:///nonexistent`");
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn no_compose_file_runs_the_built_in_template() {
    standin();
    let env = TestEnv::new("12150-12159").with("IRIS_DEV_IMAGE", STANDIN);
    let plain = env.project("plain");
    let _cleanup = Cleanup(vec![compose_project_name(plain.to_str().unwrap())]);
    let up = env
        .run(["up", "-C", "plain", "--wait-timeout", "60"])
        .success();
    up.assert_stderr_contains("superserver  127.0.0.1:12150");
    assert!(plain.join(".iris-dev/compose.yaml").is_file());
    assert!(plain.join(".iris-dev/compose.override.yaml").is_file());
    assert!(reachable(Ipv4Addr::LOCALHOST, 12_150));
    let volumes = docker_out(&[
        "volume",
        "ls",
        "-q",
        "--filter",
        &format!(
            "label=com.docker.compose.project={}",
            compose_project_name(plain.to_str().unwrap())
        ),
    ]);
    assert!(
        volumes.contains("iris-data"),
        "the template keeps IRIS's data in a named volume: {volumes}"
    );
    env.run(["down", "-C", "plain", "--volumes"]).success();
    assert!(!reachable(Ipv4Addr::LOCALHOST, 12_150));

    let init = env.run(["init", "-C", "plain"]).success();
    init.assert_stderr_contains("wrote");
    assert_eq!(
        fs::read_to_string(plain.join("compose.yaml")).unwrap(),
        include_str!("../../templates/compose.yaml")
    );
    assert_eq!(
        env.run(["init", "-C", "plain"]).code(),
        1,
        "init never overwrites"
    );
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn compose_errors_pass_through() {
    standin();
    let env = TestEnv::new("12160-12169");
    compose_project(
        &env,
        "broken",
        "services:\n  iris:\n    image: [not, a, string]\n",
    );
    let run = env.run(["up", "-C", "broken"]);
    assert_eq!(run.code(), 1);
    run.assert_stderr_contains("compose.yaml");
    run.assert_stderr_contains("config` failed with exit code 1");

    compose_project(
        &env,
        "two",
        &format!("{}  db:\n    image: {STANDIN}\n", standin_compose("")),
    );
    assert_snapshot!(
        "unknown_service",
        env.run(["up", "-C", "two", "--service", "nope"]).snapshot()
    );
    assert_snapshot!("no_iris_service", env.run(["up", "-C", "two"]).snapshot());

    let (_, name) = compose_project(
        &env,
        "missing-image",
        "services:\n  iris:\n    image: iris-dev-does-not-exist:never\n    expose: [\"1972\"]\n",
    );
    let _cleanup = Cleanup(vec![name]);
    let run = env.run(["up", "-C", "missing-image"]);
    assert_ne!(run.code(), 0);
    run.assert_stderr_contains("iris-dev-does-not-exist");
    run.assert_stderr_contains("failed with exit code");
}
