//! End to end against the Docker engine on this machine, with a stand-in image
//! built from scratch (`tests/standin`), since no registry can be reached.
//!
//! Where build.rs finds no engine these tests are ignored, with the reason, in the
//! summary; with `IRIS_DEV_DOCKER_TESTS=1` (as `.ci/run` sets) they always run, so a
//! missing engine is a failure.
//!
//! Most run once per compose ([`Compose`]): Debian's `docker-compose` 1.29, compose
//! v2 before `!override` and v2 with it, as `<test>::v1`, `<test>::v2_legacy` and
//! `<test>::v2`. A compose this machine lacks makes its tests ignored, with the
//! reason; `.ci/run` installs all three.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use fs_err as fs;
use insta::assert_snapshot;
use iris_dev::core::project::compose_project_name;

use crate::support::TestEnv;

pub const STANDIN: &str = "iris-dev-standin:test";

/// The compose a matrix test runs on; [`compose_matrix!`] makes one test per value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compose {
    /// `docker-compose` 1.x on PATH, with no `docker compose` plugin to find.
    V1,
    /// `docker compose` before 2.24.4, which cannot read `!override`: the plugin
    /// in the DOCKER_CONFIG named by `IRIS_DEV_TEST_COMPOSE_V2_LEGACY`.
    V2Legacy,
    /// `docker compose` 2.24.4 or newer: the plugin in `IRIS_DEV_TEST_COMPOSE_V2`.
    V2,
}

impl Compose {
    /// A [`TestEnv`] whose iris-dev finds this compose, with the ports of `range`
    /// moved into this compose's own block (the matrix runs in parallel).
    pub(crate) fn env(self, range: &str) -> TestEnv {
        let (first, last) = range.split_once('-').unwrap();
        let shift = |port: &str| self.port(port.parse().unwrap());
        let env = TestEnv::new(&format!("{}-{}", shift(first), shift(last)));
        let config = self.docker_config(&env);
        env.with("DOCKER_CONFIG", &config)
    }

    /// The DOCKER_CONFIG in which `docker compose` is this compose, or is missing.
    pub(crate) fn docker_config(self, env: &TestEnv) -> String {
        match self {
            // An empty DOCKER_CONFIG of the test's own, so `docker compose` is not
            // found and iris-dev falls back to `docker-compose`.
            Self::V1 => env.project("docker-config").display().to_string(),
            Self::V2Legacy => plugin_config(
                "IRIS_DEV_TEST_COMPOSE_V2_LEGACY",
                option_env!("IRIS_DEV_TEST_COMPOSE_V2_LEGACY"),
            ),
            Self::V2 => plugin_config(
                "IRIS_DEV_TEST_COMPOSE_V2",
                option_env!("IRIS_DEV_TEST_COMPOSE_V2"),
            ),
        }
    }

    /// `port` moved into this compose's block: v1 keeps it, v2 adds 300 or 600.
    pub(crate) fn port(self, port: u16) -> u16 {
        port + match self {
            Self::V1 => 0,
            Self::V2Legacy => 300,
            Self::V2 => 600,
        }
    }

    /// The compose command as iris-dev names it, up to the version.
    pub(crate) fn command(self) -> &'static str {
        match self {
            Self::V1 => "docker-compose 1.",
            Self::V2Legacy | Self::V2 => "docker compose 2.",
        }
    }

    /// Whether it reads `!override`, so the base file's IRIS ports can be replaced.
    pub(crate) fn override_tag(self) -> bool {
        self == Self::V2
    }

    /// The container compose creates for the first replica of `service`.
    pub(crate) fn container(self, project: &str, service: &str) -> String {
        match self {
            Self::V1 => format!("{project}_{service}_1"),
            Self::V2Legacy | Self::V2 => format!("{project}-{service}-1"),
        }
    }

    /// Plain compose, as the user types it in the project beside iris-dev:
    /// `docker-compose`, or `docker compose` from this compose's DOCKER_CONFIG,
    /// with the test's environment and nothing inherited.
    pub(crate) fn plain(self, env: &TestEnv) -> Command {
        let mut command = match self {
            Self::V1 => env.program("docker-compose"),
            Self::V2Legacy | Self::V2 => {
                let mut command = env.program("docker");
                command.arg("compose");
                command
            }
        };
        command.env("DOCKER_CONFIG", self.docker_config(env));
        command
    }

    /// The snapshot suffix of output that differs between composes.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Self::V1 => "v1",
            Self::V2Legacy => "v2_legacy",
            Self::V2 => "v2",
        }
    }
}

/// The DOCKER_CONFIG with the v2 plugin, as `name` said when the tests were built
/// (build.rs turned the same variable into the `cfg` that runs them).
fn plugin_config(name: &str, value: Option<&str>) -> String {
    value
        .unwrap_or_else(|| panic!("`{name}` was not set at build time; `.ci/run` shows how"))
        .to_owned()
}

/// For each `test(compose: Compose)`, a module of that name with one test per
/// compose (`test::v1`, `test::v2_legacy`, `test::v2`), ignored with the reason
/// where that compose is missing.
macro_rules! compose_matrix {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            use super::Compose;

            #[test]
            #[cfg_attr(not(has_compose_v1), ignore = "needs docker-compose 1.x and a Docker engine")]
            fn v1() {
                super::$test(Compose::V1);
            }

            #[test]
            #[cfg_attr(
                not(has_compose_v2_legacy),
                ignore = "needs compose v2 < 2.24.4 (IRIS_DEV_TEST_COMPOSE_V2_LEGACY, see .ci/run)"
            )]
            fn v2_legacy() {
                super::$test(Compose::V2Legacy);
            }

            #[test]
            #[cfg_attr(
                not(has_compose_v2),
                ignore = "needs compose v2 (IRIS_DEV_TEST_COMPOSE_V2, see .ci/run)"
            )]
            fn v2() {
                super::$test(Compose::V2);
            }
        }
    )*};
}

pub(crate) use compose_matrix;

compose_matrix!(
    detection_names_the_compose_and_dry_run_changes_nothing,
    two_projects_run_side_by_side_on_loopback_only,
    down_then_up_keeps_the_ports,
    removed_containers_go_stale_and_free_their_port,
    a_base_file_publishing_1972_is_replaced_or_stops_before_anything_starts,
    the_projects_own_override_file_is_kept,
    no_compose_file_runs_the_built_in_template,
    the_templates_one_shot_is_not_unhealthy_after_a_clean_exit,
    compose_errors_pass_through,
);

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
    let compose_name = unique_name(&dir);
    (dir, compose_name)
}

/// Names the project's stack after its whole path in its `.env`, as a user
/// would: tests of the compose matrix run at once with the same directory names
/// on one engine, and each gets a TestEnv (a registry) of its own.
pub(crate) fn unique_name(dir: &std::path::Path) -> String {
    let name = compose_project_name(dir.to_str().unwrap());
    fs::write(dir.join(".env"), format!("COMPOSE_PROJECT_NAME={name}\n")).unwrap();
    name
}

pub(crate) fn standin_compose(extra: &str) -> String {
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

fn two_projects_run_side_by_side_on_loopback_only(compose: Compose) {
    standin();
    let env = compose.env("12100-12109");
    let (alpha, alpha_name) =
        compose_project(&env, "alpha", &standin_compose("    expose: [\"1972\"]\n"));
    let beta_file = format!("x-iris-dev:\n  service: iris\n{}", standin_compose(""));
    let (beta, beta_name) = compose_project(&env, "beta", &beta_file);
    let _cleanup = Cleanup(vec![alpha_name.clone(), beta_name]);

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
    assert_eq!(container["name"], compose.container(&alpha_name, "iris"));
    assert_eq!(container["state"], "running");
    // `up` returns once the service's own check passes, which may be before the
    // engine's first scheduled check.
    assert!(
        ["healthy", "starting"].contains(&container["health"].as_str().unwrap()),
        "{container}"
    );
    for port in container["ports"].as_array().unwrap() {
        assert_eq!(port["host_ip"], "127.0.0.1");
    }
    assert_eq!(status["assignment"]["compose_service"], "iris");

    let env_lines = env.run(["env", "-C", "alpha"]).success().stdout();
    assert!(
        env_lines.contains(&format!("export IRIS_PORT={}\n", ports[0])),
        "{env_lines}"
    );
    assert!(
        env_lines.contains(&format!("export IRIS_DEV_COMPOSE_PROJECT={alpha_name}\n")),
        "{env_lines}"
    );
}

fn down_then_up_keeps_the_ports(compose: Compose) {
    standin();
    let env = compose.env("12110-12119");
    let (shop, name) = compose_project(&env, "shop", &standin_compose("    expose: [\"1972\"]\n"));
    let _cleanup = Cleanup(vec![name.clone()]);
    env.run(["up", "-C", "shop"]).success();
    let port = port_of(&env, &shop, false);
    let web_port = port_of(&env, &shop, true);
    let status = env
        .run(["status", "-C", "shop"])
        .success()
        .redact(compose.container(&name, "iris"), "[CONTAINER]")
        .redact(&name, "[NAME]")
        .redact(web_port.to_string(), "[WEB_PORT]")
        .redact(port.to_string(), "[PORT]")
        // The engine's own first check may not have run yet.
        .redact("running, starting", "running, [HEALTH]")
        .redact("running, healthy", "running, [HEALTH]");
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

fn removed_containers_go_stale_and_free_their_port(compose: Compose) {
    standin();
    let env = compose.env("12120-12120");
    let only = compose.port(12_120);
    let (alpha, name) =
        compose_project(&env, "alpha", &standin_compose("    expose: [\"1972\"]\n"));
    let _cleanup = Cleanup(vec![name.clone()]);
    env.run(["up", "-C", "alpha", "--no-wait"]).success();
    assert_eq!(port_of(&env, &alpha, false), only);
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
    let port = only.to_string();
    assert_snapshot!(
        "prune_dry_run_stale",
        env.run(["ports", "prune", "--dry-run"])
            .redact(&port, "[PORT]")
            .snapshot()
    );
    assert_eq!(fs::read(env.registry()).unwrap(), before);
    assert_snapshot!(
        "prune_stale",
        env.run(["ports", "prune"])
            .redact(&port, "[PORT]")
            .snapshot()
    );
    assert_eq!(env.registry_json()["assignments"][0]["status"], "stale");
    assert_eq!(env.run(["port", "-C", "beta"]).success().port(), only);
    assert_eq!(
        env.registered_projects(),
        [env.root().join("beta").display().to_string()]
    );
}

fn a_base_file_publishing_1972_is_replaced_or_stops_before_anything_starts(compose: Compose) {
    standin();
    let env = compose.env("12130-12137");
    // The base file's own host ports: high, so that a regression never binds 1972.
    let fixed = compose.port(12_138);
    let other = compose.port(12_139);
    let file = standin_compose(&format!(
        "    ports:\n      - \"{fixed}:1972\"\n      - \"{other}:8080\"\n"
    ));
    let (_, name) = compose_project(&env, "fixed", &file);
    let _cleanup = Cleanup(vec![name.clone()]);
    let run = env.run(["up", "-C", "fixed"]);
    let label = format!("label=com.docker.compose.project={name}");
    if compose.override_tag() {
        // `!override` replaces the base file's list: IRIS's port is published on
        // the assigned port only, and the service's other port is kept.
        run.success();
        let assigned = compose.port(12_130);
        assert!(reachable(Ipv4Addr::LOCALHOST, assigned));
        assert!(
            !reachable(Ipv4Addr::LOCALHOST, fixed),
            "{fixed} is not published"
        );
        let status: serde_json::Value = serde_json::from_str(
            &env.run(["status", "--json", "-C", "fixed"])
                .success()
                .stdout(),
        )
        .unwrap();
        let mut published: Vec<_> = status["containers"][0]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|port| port["host_ip"] != "::")
            .map(|port| {
                (
                    port["host_port"].as_u64().unwrap(),
                    port["container_port"].as_u64().unwrap(),
                )
            })
            .collect();
        published.sort_unstable();
        let web = u64::from(port_of(&env, &env.root().join("fixed"), true));
        let mut expected = vec![
            (u64::from(assigned), 1972),
            (u64::from(other), 8080),
            (web, 52773),
        ];
        expected.sort_unstable();
        assert_eq!(published, expected);
    } else {
        insta::with_settings!({ snapshot_suffix => compose.suffix() }, {
            assert_snapshot!(run.snapshot());
        });
        assert_eq!(docker_out(&["ps", "-aq", "--filter", &label]), "");
    }

    // The suggested fix works: the base publishes the assigned port itself.
    let fixed = standin_compose("    ports:\n      - \"127.0.0.1:${IRIS_PORT:-1972}:1972\"\n");
    fs::write(env.root().join("fixed/compose.yaml"), fixed).unwrap();
    env.run(["up", "-C", "fixed", "--wait-timeout", "60"])
        .success();
    assert!(reachable(Ipv4Addr::LOCALHOST, compose.port(12_130)));
}

fn the_projects_own_override_file_is_kept(compose: Compose) {
    standin();
    let env = compose.env("12170-12179");
    let (shop, name) = compose_project(&env, "shop", &standin_compose("    expose: [\"1972\"]\n"));
    let _cleanup = Cleanup(vec![name.clone()]);
    fs::write(
        shop.join("docker-compose.override.yml"),
        "services:\n  iris:\n    labels:\n      dev.iris-dev.test: local-override\n",
    )
    .unwrap();
    env.run(["up", "-C", "shop", "--no-wait"]).success();
    let started = docker_out(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={name}"),
        "--filter",
        "label=dev.iris-dev.test=local-override",
    ]);
    assert_eq!(started.lines().count(), 1, "{started:?}");
    assert!(reachable(Ipv4Addr::LOCALHOST, port_of(&env, &shop, false)));
}

fn detection_names_the_compose_and_dry_run_changes_nothing(compose: Compose) {
    standin();
    let env = compose.env("12180-12189");
    let file = standin_compose("    expose: [\"1972\"]\n    ports:\n      - \"8080\"\n");
    let (shop, name) = compose_project(&env, "shop", &file);
    let _cleanup = Cleanup(vec![name.clone()]);
    let run = env
        .run(["up", "-C", "shop", "--dry-run", "-v"])
        .success()
        .redact(&name, "[NAME]");
    run.assert_stderr_contains(&format!("note: using {}", compose.command()));
    let plan = run
        .stdout()
        .replace(&env.root().display().to_string(), "[ROOT]")
        .replace(&name, "[NAME]");
    assert_eq!(
        plan.contains("ports: !override"),
        compose.override_tag(),
        "{plan}"
    );
    insta::with_settings!({ snapshot_suffix => compose.suffix() }, {
        assert_snapshot!("dry_run_plan", plan);
    });
    assert!(!env.registry().exists());
    assert!(!shop.join(".iris-dev").exists());
    let label = format!("label=com.docker.compose.project={name}");
    assert_eq!(docker_out(&["ps", "-aq", "--filter", &label]), "");
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

fn no_compose_file_runs_the_built_in_template(compose: Compose) {
    standin();
    let env = compose.env("12150-12159").with("IRIS_DEV_IMAGE", STANDIN);
    let port = compose.port(12_150);
    let plain = env.project("plain");
    let _cleanup = Cleanup(vec![unique_name(&plain)]);
    let up = env
        .run(["up", "-C", "plain", "--wait-timeout", "60"])
        .success();
    up.assert_stderr_contains(&format!("superserver  127.0.0.1:{port}"));
    assert!(plain.join(".iris-dev/compose.yaml").is_file());
    assert!(plain.join(".iris-dev/compose.override.yaml").is_file());
    assert!(reachable(Ipv4Addr::LOCALHOST, port));
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
    assert!(!reachable(Ipv4Addr::LOCALHOST, port));

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

/// The template's `iris-init` runs `chown` once, from the IRIS image: it does
/// not inherit the image's health check, and `status` shows it as exited (a
/// stopped container's health is not news).
fn the_templates_one_shot_is_not_unhealthy_after_a_clean_exit(compose: Compose) {
    standin();
    let env = compose.env("14070-14071").with("IRIS_DEV_IMAGE", STANDIN);
    let plain = env.project("oneshot");
    let name = unique_name(&plain);
    let _cleanup = Cleanup(vec![name.clone()]);
    env.run(["up", "-C", "oneshot", "--wait-timeout", "60"])
        .success();
    let init = compose.container(&name, "iris-init");
    let check = docker_out(&["inspect", "-f", "{{json .Config.Healthcheck}}", &init]);
    assert!(check.contains("NONE"), "iris-init's health check: {check}");
    let status = env.run(["status", "-C", "oneshot"]).success();
    let line = status
        .stdout()
        .lines()
        .find(|line| line.starts_with(&format!("container {init} ")))
        .unwrap_or_else(|| panic!("no line for {init}: {}", status.snapshot()))
        .to_owned();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        ["container", init.as_str(), "exited"],
        "{}",
        status.snapshot()
    );
    env.run(["down", "-C", "oneshot", "--volumes"]).success();
}

fn compose_errors_pass_through(compose: Compose) {
    standin();
    let env = compose.env("12160-12169");
    compose_project(
        &env,
        "broken",
        "services:\n  iris:\n    image: [not, a, string]\n",
    );
    let run = env.run(["up", "-C", "broken"]);
    // Compose's own exit code, passed through: 2.24.3 says 15 for a bad file.
    let code = if compose == Compose::V2Legacy { 15 } else { 1 };
    assert_eq!(run.code(), code, "{}", run.snapshot());
    run.assert_stderr_contains("compose.yaml");
    run.assert_stderr_contains(&format!("config` failed with exit code {code}"));

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
    if compose == Compose::V1 {
        run.assert_stderr_contains("iris-dev-does-not-exist");
    } else {
        // v2 names the service it pulls for, not the image.
        run.assert_stderr_contains(" iris Pulling");
    }
    run.assert_stderr_contains("failed with exit code");
}

#[test]
#[cfg_attr(
    not(all(has_compose_v1, has_compose_v2_legacy, has_compose_v2)),
    ignore = "needs docker-compose 1.x and both compose v2 (see .ci/run)"
)]
fn a_warm_project_notices_another_compose() {
    standin();
    let mut env = Compose::V1.env("12190-12199");
    let (shop, name) = compose_project(&env, "shop", &standin_compose("    expose: [\"1972\"]\n"));
    let _cleanup = Cleanup(vec![name]);
    for compose in [Compose::V1, Compose::V2Legacy, Compose::V2, Compose::V1] {
        let config = compose.docker_config(&env);
        env.set("DOCKER_CONFIG", &config);
        let up = env.run(["up", "-C", "shop", "--no-wait", "-v"]).success();
        up.assert_stderr_contains(&format!("note: using {}", compose.command()));
        let generated = fs::read_to_string(shop.join(".iris-dev/compose.override.yaml")).unwrap();
        assert_eq!(
            generated.contains("!override"),
            compose.override_tag(),
            "{compose:?}: {generated}"
        );
        env.run(["down", "-C", "shop"]).success();
    }
}
