//! End to end against Podman: rootful Podman's Docker-compatible API service
//! on a private socket (`IRIS_DEV_TEST_PODMAN_HOST`, which `.ci/podman`
//! starts), driven by compose v2 (`IRIS_DEV_TEST_COMPOSE_V2`), with the
//! stand-in image copied over from Docker (`docker save | podman load`).
//!
//! Where build.rs finds no Podman socket these tests are ignored, with the
//! reason; with `IRIS_DEV_DOCKER_TESTS=1` (as `.ci/run` sets) they always run,
//! so a missing Podman is a failure. Ports: the `podman::` blocks of
//! `support/ports.rs` (10600-10699). Every stack is named
//! `irisdevpm-...`, so `.ci/podman` can remove what a killed test left.

use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use fs_err as fs;

use crate::support::{
    BIN, STANDIN, TestEnv, ports, reachable, remove_projects, standin, standin_variant,
};

const NOHEALTH: &str = "iris-dev-standin:nohealth";
/// The stand-in running as irisowner (51773), as IRIS does.
const IRISOWNER: &str = "iris-dev-standin:irisowner";

/// The Podman socket the tests were built for.
fn host() -> &'static str {
    option_env!("IRIS_DEV_TEST_PODMAN_HOST").unwrap_or_else(|| {
        panic!("`IRIS_DEV_TEST_PODMAN_HOST` was not set at build time; `.ci/podman` starts Podman's service and sets it")
    })
}

/// `unix:///PATH` as the socket's path.
fn socket_path() -> &'static str {
    host()
        .strip_prefix("unix://")
        .expect("IRIS_DEV_TEST_PODMAN_HOST is a unix:// socket")
}

/// `podman --url HOST ARGS`: the service the tests use, never another.
fn podman(args: &[&str]) -> Output {
    Command::new("podman")
        .args(["--url", host()])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|err| panic!("podman {args:?}: {err}"))
}

fn podman_out(args: &[&str]) -> String {
    let output = podman(args);
    assert!(
        output.status.success(),
        "podman {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The stand-ins (healthy, and without a health check), built by Docker and
/// loaded into Podman once per test run.
fn podman_standin() {
    static LOADED: OnceLock<Result<(), String>> = OnceLock::new();
    let loaded = LOADED.get_or_init(|| {
        standin();
        standin_variant(NOHEALTH, &["--target", "nohealth"])?;
        standin_variant(IRISOWNER, &["--build-arg", "STANDIN_USER=51773"])?;
        let save = Command::new("docker")
            .args(["save", STANDIN, NOHEALTH, IRISOWNER])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|err| format!("docker save: {err}"))?;
        let load = Command::new("podman")
            .args(["--url", host(), "load"])
            .stdin(save.stdout.unwrap())
            .output()
            .map_err(|err| format!("podman load: {err}"))?;
        if !load.status.success() {
            return Err(String::from_utf8_lossy(&load.stderr).into_owned());
        }
        Ok(())
    });
    if let Err(why) = loaded {
        panic!("cannot load the stand-in into Podman: {why}");
    }
}

/// A TestEnv on the port block `name` (in `support/ports.rs`) whose iris-dev
/// and compose v2 talk to the Podman service.
fn podman_env(name: &str) -> TestEnv {
    let config = option_env!("IRIS_DEV_TEST_COMPOSE_V2").unwrap_or_else(|| {
        panic!("`IRIS_DEV_TEST_COMPOSE_V2` was not set at build time; `.ci/run` shows how")
    });
    TestEnv::new(name)
        .with("DOCKER_HOST", host())
        .with("DOCKER_CONFIG", config)
}

/// A project with this compose file, named `irisdevpm-NAME-PID-N` in its
/// `.env`: the tests run at once on one Podman, and several call theirs `shop`.
fn project(env: &TestEnv, name: &str, compose: &str) -> (std::path::PathBuf, String) {
    static PROJECTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = env.project(name);
    fs::write(dir.join("compose.yaml"), compose).unwrap();
    let n = PROJECTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let stack = format!("irisdevpm-{name}-{}-{n}", std::process::id());
    fs::write(dir.join(".env"), format!("COMPOSE_PROJECT_NAME={stack}\n")).unwrap();
    (dir, stack)
}

/// The IRIS service on `image`, picked by its exposed superserver port.
fn compose_file(image: &str, extra: &str) -> String {
    format!("services:\n  iris:\n    image: {image}\n    expose: [\"1972\"]\n{extra}")
}

/// Removes the stacks' containers, networks and volumes from Podman, even when
/// the test panicked.
struct Cleanup(Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        remove_projects(&self.0, &["network", "rm", "-f"], &|args| {
            String::from_utf8_lossy(&podman(args).stdout).into_owned()
        });
    }
}

fn port_of(env: &TestEnv, dir: &Path) -> u16 {
    env.run(["port", "-C", dir.to_str().unwrap()])
        .success()
        .port()
}

#[test]
#[cfg_attr(
    not(all(has_podman, has_compose_v2)),
    ignore = "needs Podman's API service (IRIS_DEV_TEST_PODMAN_HOST) and compose v2, see .ci/podman"
)]
fn up_status_ports_who_and_down_on_podman() {
    podman_standin();
    let env = podman_env("podman::up_status_ports_who_and_down_on_podman");
    let (shop, stack) = project(&env, "shop", &compose_file(STANDIN, ""));
    let _cleanup = Cleanup(vec![stack.clone()]);
    let up = env
        .run(["up", "-C", "shop", "--wait-timeout", "60"])
        .success();
    up.assert_stderr_contains("ready IRIS for");
    let port = port_of(&env, &shop);
    assert!(reachable(Ipv4Addr::LOCALHOST, port), "127.0.0.1:{port}");
    let container = format!("{stack}-iris-1");

    let status: serde_json::Value = serde_json::from_str(
        &env.run(["status", "--json", "-C", "shop"])
            .success()
            .stdout(),
    )
    .unwrap();
    assert_eq!(status["containers"][0]["name"], container.as_str());
    assert_eq!(status["containers"][0]["state"], "running");
    assert_eq!(status["engine"]["url"], host());
    assert_eq!(status["engine"]["chosen"], "from `DOCKER_HOST`");

    let doctor = env.run(["doctor", "-C", "shop"]);
    doctor.assert_stdout_contains("answers: Podman Engine ");

    // conmon holds the published port on the host: it is named as the
    // container it serves, not by its long command line.
    let who = env.run(["ports", "who", &port.to_string()]).success();
    who.assert_stdout_contains(&format!(
        "{port}  container `{container}`, through Podman's `conmon` (process "
    ));
    assert!(!who.stdout().contains("--exit-command"), "{}", who.stdout());
    let json: serde_json::Value = serde_json::from_str(
        &env.run(["ports", "who", "--json", &port.to_string()])
            .success()
            .stdout(),
    )
    .unwrap();
    let conmon = json[0]["owners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|owner| owner["kind"] == "process")
        .expect("a process holds the port");
    assert_eq!(conmon["serves"], container.as_str());
    assert!(conmon["command"].as_str().unwrap().contains("conmon"));

    let env_lines = env.run(["env", "-C", "shop"]).success().stdout();
    assert!(
        env_lines.contains(&format!("export IRIS_PORT={port}\n")),
        "{env_lines}"
    );
    let logs = env.run(["logs", "-C", "shop"]).success();
    assert!(
        format!("{}{}", logs.stdout(), logs.stderr()).contains("standin: listening"),
        "{}",
        logs.snapshot()
    );
    let ps = env.run(["compose", "-C", "shop", "ps", "-q"]).success();
    assert!(!ps.stdout().trim().is_empty(), "{}", ps.snapshot());

    env.run(["down", "-C", "shop"])
        .success()
        .assert_stderr_contains(&format!("it keeps port {port}"));
    assert!(!reachable(Ipv4Addr::LOCALHOST, port));
    assert_eq!(env.registry_json()["assignments"][0]["status"], "released");
    let left = podman_out(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={stack}"),
    ]);
    assert!(left.trim().is_empty(), "down leaves no container: {left}");
}

#[test]
#[cfg_attr(
    not(all(has_podman, has_compose_v2)),
    ignore = "needs Podman's API service (IRIS_DEV_TEST_PODMAN_HOST) and compose v2, see .ci/podman"
)]
fn a_container_removed_with_podman_rm_goes_stale() {
    podman_standin();
    let name = "podman::a_container_removed_with_podman_rm_goes_stale";
    let env = podman_env(name);
    let only = ports::block(name).first();
    let (_, stack) = project(&env, "alpha", &compose_file(STANDIN, ""));
    let _cleanup = Cleanup(vec![stack.clone()]);
    env.run(["up", "-C", "alpha", "--no-wait"]).success();
    env.project("beta");
    assert_eq!(
        env.run(["port", "-C", "beta"]).code(),
        1,
        "the only port is taken"
    );
    podman_out(&["rm", "-f", &format!("{stack}-iris-1")]);
    let list = env.run(["ports", "list"]).success();
    list.assert_stdout_contains("active  none");
    let prune = env.run(["ports", "prune"]).success();
    assert!(
        prune.snapshot().contains("stale") && prune.snapshot().contains(&only.to_string()),
        "{}",
        prune.snapshot()
    );
    assert_eq!(port_of(&env, &env.root().join("beta")), only);
}

#[test]
#[cfg_attr(
    not(all(has_podman, has_compose_v2)),
    ignore = "needs Podman's API service (IRIS_DEV_TEST_PODMAN_HOST) and compose v2, see .ci/podman"
)]
fn two_projects_run_at_once_on_podman() {
    podman_standin();
    let env = podman_env("podman::two_projects_run_at_once_on_podman");
    let (alpha, alpha_stack) = project(&env, "alpha", &compose_file(STANDIN, ""));
    let (beta, beta_stack) = project(&env, "beta", &compose_file(STANDIN, ""));
    let _cleanup = Cleanup(vec![alpha_stack, beta_stack]);
    let children: Vec<_> = [&alpha, &beta]
        .iter()
        .map(|dir| env.spawn(["up", "--wait-timeout", "60"], dir))
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(stderr.contains("ready IRIS for"), "{stderr}");
    }
    let ports = [port_of(&env, &alpha), port_of(&env, &beta)];
    assert_ne!(ports[0], ports[1]);
    for port in ports {
        assert!(reachable(Ipv4Addr::LOCALHOST, port), "127.0.0.1:{port}");
        assert!(
            !reachable(Ipv4Addr::new(127, 0, 0, 2), port),
            "127.0.0.2:{port} must not answer: loopback only"
        );
    }
}

/// Podman runs a container's health check only from a systemd timer, which a
/// container engine without systemd (CI's, a devcontainer's) does not have: the
/// engine's health stays `starting`. `up` must still wait until IRIS listens,
/// through the service's own check run by exec, and, for an image without one,
/// through the port.
#[test]
#[cfg_attr(
    not(all(has_podman, has_compose_v2)),
    ignore = "needs Podman's API service (IRIS_DEV_TEST_PODMAN_HOST) and compose v2, see .ci/podman"
)]
fn up_waits_for_iris_where_podman_runs_no_health_check() {
    podman_standin();
    let env = podman_env("podman::up_waits_for_iris_where_podman_runs_no_health_check");
    let late = "    environment:\n      STANDIN_READY_AFTER: \"3\"\n";
    let (_, checked) = project(&env, "checked", &compose_file(STANDIN, late));
    let (_, bare) = project(&env, "bare", &compose_file(NOHEALTH, late));
    let _cleanup = Cleanup(vec![checked.clone(), bare.clone()]);
    for (name, stack) in [("checked", &checked), ("bare", &bare)] {
        env.run(["up", "-C", name, "--wait-timeout", "60"])
            .success()
            .assert_stderr_contains("ready IRIS for");
        let container = format!("{stack}-iris-1");
        let logs = podman(&["logs", &container]);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&logs.stdout),
            String::from_utf8_lossy(&logs.stderr)
        );
        assert!(
            said.contains("standin: listening on 1972 and 52773"),
            "`up` returned for `{name}` before IRIS listened: {said}"
        );
    }
    // The engine itself never ran the check: iris-dev's wait is what waited.
    let health = podman_out(&[
        "inspect",
        "--format",
        "{{.State.Health.Status}}",
        &format!("{checked}-iris-1"),
    ]);
    assert_eq!(health.trim(), "starting", "Podman ran no health check");
    // `status` runs the check itself where the engine still says `starting`.
    let status: serde_json::Value = serde_json::from_str(
        &env.run(["status", "--json", "-C", "checked"])
            .success()
            .stdout(),
    )
    .unwrap();
    let iris = status["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|container| container["name"] == format!("{checked}-iris-1").as_str())
        .unwrap_or_else(|| panic!("no IRIS container in {status}"));
    assert_eq!(iris["health"], "healthy", "{status}");
}

/// Without `DOCKER_HOST` or a docker context, and with no Docker socket,
/// iris-dev finds Podman's socket itself and tells compose: root's
/// (`/run/podman/podman.sock`), or this user's (`$XDG_RUNTIME_DIR/podman/`).
/// The Docker socket is hidden in a mount namespace of the test's own.
#[test]
#[cfg_attr(
    not(all(has_podman, has_compose_v2, is_root)),
    ignore = "needs root (a mount namespace), Podman's API service and compose v2, see .ci/podman"
)]
fn podmans_socket_is_found_with_the_docker_socket_hidden() {
    podman_standin();
    let env = podman_env("podman::podmans_socket_is_found_with_the_docker_socket_hidden");
    let (_, stack) = project(&env, "shop", &compose_file(STANDIN, ""));
    let _cleanup = Cleanup(vec![stack.clone()]);
    let xdg = env.root().join("xdg");
    fs::create_dir_all(xdg.join("podman")).unwrap();
    std::os::unix::fs::symlink(socket_path(), xdg.join("podman/podman.sock")).unwrap();

    // `sh -c SCRIPT sh BIN ARGS...` in a private mount namespace.
    let hidden = |script: &str, xdg: Option<&Path>, args: &[&str]| {
        let mut command = env.program("unshare");
        command
            .args([
                "-m",
                "--propagation",
                "private",
                "sh",
                "-c",
                script,
                "sh",
                BIN,
            ])
            .args(args)
            .current_dir(env.root().join("shop"))
            .env_remove("DOCKER_HOST");
        if let Some(xdg) = xdg {
            command.env("XDG_RUNTIME_DIR", xdg);
        }
        env.output(&mut command)
    };
    // A file where Docker's socket was: not a socket, so not an engine.
    let no_docker = "mount --bind /dev/null /run/docker.sock && exec \"$@\"";
    let up = hidden(no_docker, Some(&xdg), &["-v", "up", "--wait-timeout", "60"]).success();
    up.assert_stderr_contains(&format!(
        "note: engine `unix://{}/podman/podman.sock` (rootless Podman's socket: no `DOCKER_HOST`, \
         no docker context, and nothing to connect to at `/var/run/docker.sock`)",
        xdg.display()
    ));
    up.assert_stderr_contains("ready IRIS for");
    let running = podman_out(&["ps", "-q", "--filter", &format!("name={stack}-iris-1")]);
    assert!(!running.trim().is_empty(), "compose started it on Podman");

    // /run of its own: no Docker socket, and root's Podman socket in its place.
    let rootful = format!(
        "mount -t tmpfs tmpfs /run && mkdir /run/podman && ln -s {} /run/podman/podman.sock && exec \"$@\"",
        socket_path()
    );
    let status = hidden(&rootful, None, &["status", "--json"]).success();
    let status: serde_json::Value = serde_json::from_str(&status.stdout()).unwrap();
    assert_eq!(status["engine"]["url"], "unix:///run/podman/podman.sock");
    assert_eq!(
        status["engine"]["chosen"],
        "rootful Podman's socket: no `DOCKER_HOST`, no docker context, and nothing to connect to at `/var/run/docker.sock`"
    );
    assert_eq!(status["containers"][0]["state"], "running");
    hidden(&rootful, None, &["down"]).success();
    let left = podman_out(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={stack}"),
    ]);
    assert!(
        left.trim().is_empty(),
        "down found the stack on Podman: {left}"
    );

    // With Docker's socket there, Docker's wins, as Docker's CLI would have it.
    let doctor = env.output(
        env.command(["doctor"])
            .current_dir(env.root().join("shop"))
            .env_remove("DOCKER_HOST"),
    );
    doctor.assert_stdout_contains(
        "engine: `unix:///var/run/docker.sock` (Docker's socket, the first place looked) answers: Docker Engine ",
    );
}

/// podman-compose differs from compose where iris-dev relies on it: `up`,
/// `up --dry-run` and `doctor` refuse it before running anything, saying why
/// and what to use instead. No engine is asked.
#[test]
fn podman_compose_is_refused_with_what_to_use_instead() {
    let env = TestEnv::new("podman::podman_compose_is_refused_with_what_to_use_instead")
        .with("IRIS_DEV_COMPOSE", "podman-compose");
    let (_, _) = project(&env, "shop", &compose_file(STANDIN, ""));
    for args in [["up", "--dry-run"], ["up", "--no-wait"]] {
        let run = env.run_in(&env.root().join("shop"), args);
        assert_eq!(run.code(), 1, "{}", run.snapshot());
        run.assert_stderr_contains(
            "error: `podman-compose` from `IRIS_DEV_COMPOSE` runs podman-compose, which iris-dev does not support: its `port` prints a bare port number",
        );
        run.assert_stderr_contains(
            "hint: use compose v2 or docker-compose with Podman: unset `IRIS_DEV_COMPOSE`",
        );
    }
    assert!(!env.registry().exists(), "nothing was assigned");
    let doctor = env.run_in(&env.root().join("shop"), ["doctor"]);
    doctor.assert_stdout_contains(
        "fail  compose: `podman-compose` from `IRIS_DEV_COMPOSE` runs podman-compose",
    );
    doctor.assert_stdout_contains("fix: use compose v2 or docker-compose with Podman");
}

/// Debian's docker-compose 1.x speaks the same API to Podman's socket: `up`,
/// `status` and `down` with it, found as the standalone (an empty
/// DOCKER_CONFIG has no `docker compose` plugin).
#[test]
#[cfg_attr(
    not(all(has_podman, has_compose_v1)),
    ignore = "needs Podman's API service (IRIS_DEV_TEST_PODMAN_HOST) and docker-compose 1.x, see .ci/podman"
)]
fn docker_compose_v1_runs_the_stack_on_podman() {
    podman_standin();
    let mut env = podman_env("podman::docker_compose_v1_runs_the_stack_on_podman");
    let config = env.project("docker-config");
    env.set("DOCKER_CONFIG", config.to_str().unwrap());
    let (shop, stack) = project(&env, "shop", &compose_file(STANDIN, ""));
    let _cleanup = Cleanup(vec![stack.clone()]);
    let up = env
        .run(["-v", "up", "-C", "shop", "--wait-timeout", "60"])
        .success();
    up.assert_stderr_contains("note: using docker-compose 1.");
    up.assert_stderr_contains("ready IRIS for");
    let port = port_of(&env, &shop);
    assert!(reachable(Ipv4Addr::LOCALHOST, port), "127.0.0.1:{port}");
    let status = env.run(["status", "-C", "shop"]).success();
    // docker-compose 1.x names containers with underscores.
    let container = format!("container {stack}_iris_1 ");
    assert!(
        status
            .stdout()
            .lines()
            .any(|line| line.starts_with(&container) && line.contains(" running")),
        "{}",
        status.snapshot()
    );
    env.run(["down", "-C", "shop"]).success();
    assert!(!reachable(Ipv4Addr::LOCALHOST, port));
}

/// The built-in template on Podman: its root one-shot makes the named volume
/// irisowner's, IRIS (the stand-in as 51773) writes durable %SYS there, and
/// the data outlives `down` and `up`.
#[test]
#[cfg_attr(
    not(all(has_podman, has_compose_v2)),
    ignore = "needs Podman's API service (IRIS_DEV_TEST_PODMAN_HOST) and compose v2, see .ci/podman"
)]
fn the_template_keeps_durable_sys_writable_on_podman() {
    podman_standin();
    let env = podman_env("podman::the_template_keeps_durable_sys_writable_on_podman")
        .with("IRIS_DEV_IMAGE", IRISOWNER);
    let (dir, stack) = project(&env, "durable", "");
    fs::remove_file(dir.join("compose.yaml")).unwrap();
    let _cleanup = Cleanup(vec![stack.clone()]);
    let dir_arg = dir.to_str().unwrap();
    env.run(["init", "-C", dir_arg]).success();
    let container = format!("{stack}-iris-1");
    let durable = || {
        podman_out(&["exec", &container, "stat", "-c", "%u:%g", "/durable/iris"])
            + &podman_out(&["exec", &container, "cat", "/durable/iris/iris.cpf"])
    };
    env.run(["up", "-C", dir_arg, "--wait-timeout", "60"])
        .success();
    assert_eq!(durable(), "51773:51773\nstarted version=1\n");
    env.run(["down", "-C", dir_arg]).success();
    env.run(["up", "-C", dir_arg, "--wait-timeout", "60"])
        .success();
    assert_eq!(
        durable(),
        "51773:51773\nstarted version=1\nstarted version=1\n",
        "the volume outlived down"
    );
    env.run(["down", "-C", dir_arg, "--volumes"]).success();
}
