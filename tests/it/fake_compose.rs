//! The compose paths this machine may not run (`docker compose` 2.24.4+ with
//! `!override`, docker-compose 1.x, the engine refusing a port, IRIS never
//! answering), through a fake `docker` and `docker-compose` on PATH that record
//! every call. No engine is involved: `DOCKER_HOST` names an `ssh://` engine, and a
//! fake `ssh` answers as an engine with no containers.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Stdio};

use fs_err as fs;
use insta::assert_snapshot;

use crate::support::{Run, TestEnv, ports};

/// Installed as both `docker` and `docker-compose`.
const FAKE_COMPOSE: &str = r#"#!/bin/sh
# A fake compose: the `docker compose` 2.29.1 plugin or, when "$FAKE_DIR/v1"
# exists, no plugin and a standalone `docker-compose` 1.29.2. Answers `version`
# and `config` (with @IRIS_PORT@ and @IRIS_WEB_PORT@ filled in), records `up` and
# `down` with the ports iris-dev passed, keeps the override it was given.
if [ "${0##*/}" = docker-compose ]; then
  [ -e "$FAKE_DIR/v1" ] || { echo "docker-compose: command not found" >&2; exit 127; }
  version=1.29.2
else
  if [ "$1" = compose ] && [ -e "$FAKE_DIR/v1" ]; then
    echo "docker: 'compose' is not a docker command." >&2; exit 1
  fi
  [ "$1" = compose ] && shift
  version=2.29.1
fi
case " $* " in *" version --short "*) echo "$version"; exit 0;; esac
echo "IRIS_PORT=$IRIS_PORT IRIS_WEB_PORT=$IRIS_WEB_PORT $*" >> "$FAKE_DIR/calls"
case " $* " in
  *" config "*)
    [ -e "$FAKE_DIR/slow-config" ] && exec sleep 30
    sed "s/@IRIS_PORT@/$IRIS_PORT/g; s/@IRIS_WEB_PORT@/$IRIS_WEB_PORT/g" "$FAKE_DIR/config.yaml"
    exit 0;;
  *" up "*)
    for arg; do [ "$previous" = -f ] && last="$arg"; previous="$arg"; done
    cp "$last" "$FAKE_DIR/override.yaml"
    [ -e "$FAKE_DIR/slow" ] && exec sleep 30
    if [ -e "$FAKE_DIR/refuse-once" ]; then
      # The file may name the port to refuse: `web`, or a number; else the
      # superserver port.
      refused=$(cat "$FAKE_DIR/refuse-once"); rm "$FAKE_DIR/refuse-once"
      case "$refused" in web) refused=$IRIS_WEB_PORT;; "") refused=$IRIS_PORT;; esac
      echo "Error response from daemon: Bind for 127.0.0.1:$refused failed: port is already allocated" >&2
      exit 1
    fi
    echo " Container fake-iris-1  Started"; exit 0;;
  *" down "*) echo " Container fake-iris-1  Removed"; exit 0;;
  *" logs "*) echo "iris-1  | started"; exit 0;;
esac
exit 3
"#;

const CONFIG_V2: &str = r#"name: shop
services:
  iris:
    image: intersystemsdc/iris-community:latest
    ports:
      - mode: ingress
        target: 1972
        published: "1972"
        protocol: tcp
      - mode: ingress
        target: 8080
        published: "8080"
        protocol: tcp
"#;

/// What docker-compose 1.29.2 prints for the same file.
const CONFIG_V1: &str = r#"services:
  iris:
    image: intersystemsdc/iris-community
    ports:
    - published: 1972
      target: 1972
    - published: 8080
      target: 8080
version: '3.9'
"#;

const SHOP: &str = "services:\n  iris:\n    image: intersystemsdc/iris-community\n    ports: [\"1972:1972\", \"8080:8080\"]\n";

/// A fake `ssh` whose remote `docker system dial-stdio` is an engine with no
/// containers: enough for iris-dev's client to connect, negotiate and list.
/// Each connection adds a line to `$FAKE_DIR/dials`.
const FAKE_SSH: &str = r#"#!/usr/bin/env python3
import json, os, sys
with open(os.path.join(os.environ.get("FAKE_DIR", ""), "dials"), "a") as dials:
    dials.write(" ".join(sys.argv[1:]) + "\n")
inp, out = sys.stdin.buffer, sys.stdout.buffer
while True:
    line = inp.readline()
    if not line:
        break
    path = line.split()[1].decode()
    length = 0
    while True:
        header = inp.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    inp.read(length)
    if path.endswith("/_ping"):
        status, body = "200 OK", b"OK"
    elif path.endswith("/version"):
        status, body = "200 OK", json.dumps({"ApiVersion": "1.41", "Version": "20.10.24"}).encode()
    elif "/containers/json" in path:
        # The engine's containers: `$FAKE_DIR/containers.json` when there is one.
        try:
            with open(os.path.join(os.environ.get("FAKE_DIR", ""), "containers.json"), "rb") as f:
                body = f.read()
        except OSError:
            body = b"[]"
        status = "200 OK"
    else:
        status, body = "404 Not Found", b'{"message":"no such object"}'
    out.write(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    out.flush()
"#;

/// A project `shop` with the v2 fake compose on PATH, assigning from the port
/// block `name`; returns the fake's directory.
#[track_caller]
pub(crate) fn fake_env(name: &str) -> (TestEnv, PathBuf) {
    let env = TestEnv::new(name);
    let fake = env.project("fake");
    for name in ["docker", "docker-compose"] {
        let program = fake.join(name);
        fs::write(&program, FAKE_COMPOSE).unwrap();
        fs::set_permissions(&program, PermissionsExt::from_mode(0o755)).unwrap();
    }
    let ssh = fake.join("ssh");
    fs::write(&ssh, FAKE_SSH).unwrap();
    fs::set_permissions(&ssh, PermissionsExt::from_mode(0o755)).unwrap();
    fs::write(fake.join("config.yaml"), CONFIG_V2).unwrap();
    let path = format!(
        "{}:{}",
        fake.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = env
        .with("PATH", &path)
        .with("FAKE_DIR", fake.to_str().unwrap())
        // The fake `ssh` answers as an engine with no containers; a remote
        // engine's ports (on a loopback bind, tunneled) are probed here too.
        .with("DOCKER_HOST", "ssh://fake-engine");
    let shop = env.project("shop");
    fs::write(shop.join("compose.yaml"), SHOP).unwrap();
    (env, fake)
}

/// [`fake_env`] with docker-compose 1.29.2 and no `docker compose`.
#[track_caller]
fn fake_env_v1(name: &str) -> (TestEnv, PathBuf) {
    let (env, fake) = fake_env(name);
    fs::write(fake.join("v1"), "").unwrap();
    fs::write(fake.join("config.yaml"), CONFIG_V1).unwrap();
    (env, fake)
}

/// `shop`'s compose project name: its directory's, as compose names it.
fn shop_name(_env: &TestEnv) -> String {
    "shop".to_owned()
}

/// How many times iris-dev dialed the fake engine (through the fake `ssh`).
fn dials(fake: &std::path::Path) -> usize {
    fs::read_to_string(fake.join("dials"))
        .map(|dials| dials.lines().count())
        .unwrap_or(0)
}

/// The fake's calls, with the test root and `shop`'s compose name made stable.
fn calls(env: &TestEnv, fake: &std::path::Path) -> String {
    fs::read_to_string(fake.join("calls"))
        .unwrap_or_default()
        .replace(&env.root().display().to_string(), "[ROOT]")
}

/// What the real composes in `docker.rs` cannot show here: the arguments after
/// `--` reach compose, and an `ssh://` engine (which bollard cannot reach) is
/// recorded with the assignment.
#[test]
fn compose_args_pass_through_and_a_remote_engine_is_recorded() {
    let (env, fake) =
        fake_env("fake_compose::compose_args_pass_through_and_a_remote_engine_is_recorded");
    let name = shop_name(&env);
    env.run(["up", "-C", "shop", "--no-wait", "--", "--remove-orphans"])
        .success();
    let calls = fs::read_to_string(fake.join("calls"))
        .unwrap()
        .replace(&env.root().display().to_string(), "[ROOT]");
    assert_snapshot!("v2_calls", calls);
    let registry = env.registry_json();
    let assignment = &registry["assignments"][0];
    assert_eq!(assignment["engine"], "ssh://fake-engine");
    assert_eq!(assignment["compose_project"], name.as_str());
    assert_eq!(assignment["compose_service"], "iris");

    env.run(["down", "-C", "shop", "--volumes"]).success();
    let calls = fs::read_to_string(fake.join("calls")).unwrap();
    let last = calls.lines().last().unwrap();
    assert!(
        last.ends_with("compose.override.yaml down --volumes"),
        "{last}"
    );
    assert_eq!(env.registry_json()["assignments"][0]["status"], "released");
}

#[test]
fn a_port_the_engine_refuses_is_replaced_by_the_next_free_one() {
    let (env, fake) =
        fake_env("fake_compose::a_port_the_engine_refuses_is_replaced_by_the_next_free_one");
    fs::write(fake.join("refuse-once"), "").unwrap();
    let up = env.run(["up", "-C", "shop", "--no-wait"]).success();
    up.assert_stderr_contains("port is already allocated");
    let (first, next) = (env.ports().port(0), env.ports().port(1));
    up.assert_stderr_contains(&format!(
        "warning: the engine refused port {first}; trying the next free ports"
    ));
    let ups: Vec<_> = fs::read_to_string(fake.join("calls"))
        .unwrap()
        .lines()
        .filter(|line| line.contains(" up -d"))
        .map(|line| line.split(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        ups,
        [format!("IRIS_PORT={first}"), format!("IRIS_PORT={next}")]
    );
    assert_eq!(env.run(["port", "-C", "shop"]).success().port(), next);
    assert!(
        fs::read_to_string(fake.join("override.yaml"))
            .unwrap()
            .contains(&format!("127.0.0.1:{next}:1972"))
    );
}

/// `up` once the engine refuses `refused` (see the fake's `refuse-once`), with
/// these pins (a flag and its port); returns the run and the `IRIS_PORT` and
/// `IRIS_WEB_PORT` of every `up -d` compose got.
#[track_caller]
fn refused_up(name: &str, refused: &str, pins: &[(&str, u16)]) -> (TestEnv, Run, Vec<String>) {
    let (env, fake) = fake_env(name);
    fs::write(fake.join("refuse-once"), refused).unwrap();
    let mut args = vec!["up", "-C", "shop", "--no-wait"]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    for (flag, port) in pins {
        args.extend([(*flag).to_owned(), port.to_string()]);
    }
    let run = env.run(&args);
    let ups = calls(&env, &fake)
        .lines()
        .filter(|line| line.contains(" up -d"))
        .map(|line| line.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    (env, run, ups)
}

#[test]
fn a_pinned_superserver_port_is_never_moved() {
    let name = "fake_compose::a_pinned_superserver_port_is_never_moved";
    let pin = ports::block(name).port(5);
    let (env, run, ups) = refused_up(name, "", &[("--port", pin)]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    run.assert_stderr_contains(&format!(
        "error: the engine refuses port {pin}, which is pinned for"
    ));
    assert_eq!(
        ups,
        [format!(
            "IRIS_PORT={pin} IRIS_WEB_PORT={}",
            pin + ports::WEB_OFFSET
        )],
        "one attempt only"
    );
    // The project had no ports before this `up`, so it has none after it.
    assert_eq!(env.registry_json()["assignments"], serde_json::json!([]));
}

#[test]
fn the_web_port_paired_with_a_pinned_port_is_never_moved() {
    let name = "fake_compose::the_web_port_paired_with_a_pinned_port_is_never_moved";
    let pin = ports::block(name).port(5);
    let (_env, run, ups) = refused_up(name, "web", &[("--port", pin)]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    run.assert_stderr_contains(&format!(
        "error: the engine refuses web port {} of `",
        pin + ports::WEB_OFFSET
    ));
    run.assert_stderr_contains(&format!("which goes with pinned port {pin}"));
    assert_eq!(ups.len(), 1);
}

#[test]
fn a_pinned_web_port_stays_while_the_superserver_port_moves() {
    let name = "fake_compose::a_pinned_web_port_stays_while_the_superserver_port_moves";
    let web = ports::block(&format!("{name}/web")).port(0);
    let (env, run, ups) = refused_up(name, "", &[("--web-port", web)]);
    let run = run.success();
    let (first, next) = (env.ports().port(0), env.ports().port(1));
    run.assert_stderr_contains(&format!(
        "the engine refused port {first}; trying the next free ports"
    ));
    assert_eq!(
        ups,
        [
            format!("IRIS_PORT={first} IRIS_WEB_PORT={web}"),
            format!("IRIS_PORT={next} IRIS_WEB_PORT={web}"),
        ]
    );
    let assignment = &env.registry_json()["assignments"][0];
    assert_eq!(
        (assignment["port"].as_u64(), assignment["web_port"].as_u64()),
        (Some(u64::from(next)), Some(u64::from(web)))
    );
}

#[test]
fn both_pinned_ports_stay_and_the_error_says_which_was_refused() {
    let name = "fake_compose::both_pinned_ports_stay_and_the_error_says_which_was_refused";
    let pin = ports::block(name).port(5);
    let web = ports::block(&format!("{name}/web")).port(0);
    let (_env, run, ups) = refused_up(name, "web", &[("--port", pin), ("--web-port", web)]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    run.assert_stderr_contains(&format!("error: the engine refuses web port {web} of `"));
    assert_eq!(ups, [format!("IRIS_PORT={pin} IRIS_WEB_PORT={web}")]);
}

#[test]
fn a_refused_port_that_is_not_irises_stops_at_once_and_keeps_the_ports() {
    let (env, fake) = fake_env(
        "fake_compose::a_refused_port_that_is_not_irises_stops_at_once_and_keeps_the_ports",
    );
    let before = env.run(["port", "-C", "shop"]).success().port();
    let registry = env.registry_json();
    fs::write(fake.join("refuse-once"), "8080").unwrap();
    let run = env.run(["up", "-C", "shop", "--no-wait"]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    run.assert_stderr_contains(&format!(
        "error: `{}` publishes port 8080 of service `iris` on host port 8080, which is taken\n",
        env.root().join("shop/compose.yaml").display()
    ));
    run.assert_stderr_contains("    4 |     ports: [\"1972:1972\", \"8080:8080\"]");
    run.assert_stderr_contains(
        "replace `\"8080:8080\"` with `\"8080\"` (a port Docker picks), or with `\"${IRIS_8080_PORT:-8080}:8080\"`",
    );
    let ups = calls(&env, &fake).matches(" up -d").count();
    assert_eq!(ups, 1, "the IRIS ports are not moved for another port");
    assert_eq!(
        env.registry_json(),
        registry,
        "a failed up keeps the ports as they were"
    );
    assert_eq!(env.run(["port", "-C", "shop"]).success().port(), before);
}

#[test]
fn a_warm_up_starts_one_compose_process() {
    let (env, fake) = fake_env("fake_compose::a_warm_up_starts_one_compose_process");
    let configs = || {
        fs::read_to_string(fake.join("calls"))
            .unwrap()
            .lines()
            .filter(|line| line.ends_with(" config"))
            .count()
    };
    env.run(["up", "-C", "shop", "--no-wait"]).success();
    env.run(["up", "-C", "shop", "--no-wait"]).success();
    assert_eq!(
        configs(),
        1,
        "the second `up` reads the config from the cache"
    );
    let cache = fs::read_to_string(env.root().join("shop/.iris-dev/cache.json")).unwrap();
    assert!(cache.contains("2.29.1"), "{cache}");

    let compose = env.root().join("shop/compose.yaml");
    let edited = fs::read_to_string(&compose)
        .unwrap()
        .replace("8080:8080", "8081:8080");
    fs::write(&compose, edited).unwrap();
    env.run(["up", "-C", "shop", "--no-wait"]).success();
    assert_eq!(configs(), 2, "an edited compose file is read again");
    env.output(
        env.command(["up", "-C", "shop", "--no-wait"])
            .env("COMPOSE_PROFILES", "debug"),
    )
    .success();
    assert_eq!(configs(), 3, "so is one whose profiles changed");
}

/// Starts the binary in its own process group, as a shell starts a foreground job.
fn spawn_job(env: &TestEnv, args: &[&str]) -> Child {
    env.command(args)
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// What a terminal does on Ctrl-C: SIGINT to the whole foreground group. Returns
/// the job's output, its standard error being `said` so far and then the rest of
/// `stderr`.
fn ctrl_c(env: &TestEnv, child: Child, mut stderr: impl Read, mut said: String) -> Run {
    let group = i32::try_from(child.id()).unwrap();
    // SAFETY: plain syscall on a process group this test created.
    assert_eq!(unsafe { libc::kill(-group, libc::SIGINT) }, 0);
    stderr.read_to_string(&mut said).unwrap();
    let mut output = child.wait_with_output().unwrap();
    output.stderr = said.into_bytes();
    env.wrap(output)
}

#[test]
fn ctrl_c_during_up_is_reported_and_leaves_a_reservation() {
    use std::time::{Duration, Instant};

    let (env, fake) =
        fake_env("fake_compose::ctrl_c_during_up_is_reported_and_leaves_a_reservation");
    fs::write(fake.join("slow"), "").unwrap();
    let mut child = spawn_job(&env, &["up", "-C", "shop", "--no-wait"]);
    let stderr = child.stderr.take().unwrap();
    let started = Instant::now();
    while !fs::read_to_string(fake.join("calls"))
        .unwrap_or_default()
        .contains(" up -d")
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "compose up never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let run = ctrl_c(&env, child, stderr, String::new());
    assert_snapshot!(run.snapshot());
    let assignment = &env.registry_json()["assignments"][0];
    assert_eq!(assignment["status"], "active");
    // A reservation under the name compose was given (no other checkout may
    // take it), not yet recorded as started, so it cannot go stale.
    assert_eq!(assignment["compose_project"], "shop");
    assert!(
        assignment.get("compose_service").is_none(),
        "still a reservation: {assignment}"
    );
}

/// Ctrl-C while compose reads the configuration (seconds, on a cold project):
/// exit 130 with what was interrupted, nothing started, the registry as before.
#[test]
fn ctrl_c_while_compose_reads_the_config_is_reported_and_changes_nothing() {
    use std::time::{Duration, Instant};

    let (env, fake) = fake_env(
        "fake_compose::ctrl_c_while_compose_reads_the_config_is_reported_and_changes_nothing",
    );
    fs::write(fake.join("slow-config"), "").unwrap();
    let mut child = spawn_job(&env, &["up", "-C", "shop", "--no-wait"]);
    let stderr = child.stderr.take().unwrap();
    let started = Instant::now();
    while !calls(&env, &fake).contains(" config") {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "compose config never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let run = ctrl_c(&env, child, stderr, String::new());
    assert_snapshot!(run.snapshot());
    assert!(
        !calls(&env, &fake).contains(" up -d"),
        "compose up never ran"
    );
    assert_eq!(
        env.registry_json()["assignments"],
        serde_json::json!([]),
        "the project had no ports, and has none"
    );
}

/// Ctrl-C while `up` waits for IRIS ends the wait at once, with exit 130 and
/// what is still starting, not after the whole timeout.
#[test]
fn ctrl_c_while_waiting_for_iris_says_it_is_still_starting() {
    let (env, _fake) =
        fake_env("fake_compose::ctrl_c_while_waiting_for_iris_says_it_is_still_starting");
    let mut child = spawn_job(&env, &["up", "-C", "shop", "--wait-timeout", "30"]);
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    while !said.contains("waiting for IRIS on") {
        let read = stderr.read_line(&mut said).unwrap();
        assert_ne!(read, 0, "up ended before it waited: {said}");
    }
    let run = ctrl_c(&env, child, stderr, said);
    assert_eq!(run.code(), 130, "{}", run.snapshot());
    run.assert_stderr_contains(&format!(
        "error: interrupted while waiting for IRIS on 127.0.0.1:{}; it is still starting",
        env.ports().first()
    ));
    let assignment = &env.registry_json()["assignments"][0];
    assert_eq!(
        assignment["compose_project"],
        shop_name(&env).as_str(),
        "compose started the containers, so they are recorded"
    );
}

#[test]
fn no_compose_at_all_says_how_to_install_one() {
    let env = TestEnv::new("fake_compose::no_compose_at_all_says_how_to_install_one")
        .with("PATH", "/nonexistent");
    env.project("shop");
    assert_snapshot!(env.run(["up", "-C", "shop"]).snapshot());
    let env = env.with("IRIS_DEV_COMPOSE", "/nonexistent/compose");
    let run = env.run(["up", "-C", "shop"]);
    assert_eq!(run.code(), 1);
    run.assert_stderr_contains("`/nonexistent/compose` from `IRIS_DEV_COMPOSE` does not run");
}

/// docker-compose 1.x cannot `!override` the base file's ports, so a base that
/// publishes 1972 itself stops `up` before anything starts.
#[test]
fn v1_base_file_publishing_1972_stops_before_anything_starts() {
    let (env, fake) =
        fake_env_v1("fake_compose::v1_base_file_publishing_1972_stops_before_anything_starts");
    assert_snapshot!(env.run(["up", "-C", "shop"]).snapshot());
    let calls = calls(&env, &fake);
    assert!(!calls.contains(" up "), "compose up never ran: {calls}");
    let port = env.ports().first();
    assert!(
        calls.starts_with(&format!(
            "IRIS_PORT={port} IRIS_WEB_PORT={} -p shop -f [ROOT]/shop/compose.yaml config",
            port + ports::WEB_OFFSET
        )),
        "docker-compose, not `docker compose`, read the config: {calls}"
    );
}

#[test]
fn binding_every_interface_is_warned_about() {
    let (env, _fake) = fake_env("fake_compose::binding_every_interface_is_warned_about");
    let run = env
        .run(["up", "-C", "shop", "--bind", "0.0.0.0", "--dry-run"])
        .success();
    assert_snapshot!(run.snapshot());
}

/// Without `!override`, a base file that publishes the assigned port itself on
/// another address keeps that address; iris-dev says so.
#[test]
fn a_base_file_binding_elsewhere_is_warned_about() {
    let (env, fake) = fake_env_v1("fake_compose::a_base_file_binding_elsewhere_is_warned_about");
    fs::write(
        env.root().join("shop/compose.yaml"),
        "services:\n  iris:\n    image: intersystemsdc/iris-community\n    ports: [\"0.0.0.0:${IRIS_PORT:-1972}:1972\"]\n",
    )
    .unwrap();
    fs::write(
        fake.join("config.yaml"),
        "services:\n  iris:\n    image: intersystemsdc/iris-community\n    ports:\n    - 0.0.0.0:@IRIS_PORT@:1972/tcp\nversion: '3.9'\n",
    )
    .unwrap();
    let run = env.run(["up", "-C", "shop", "--dry-run"]).success();
    assert_snapshot!(run.snapshot());
}

#[test]
fn down_says_what_happened_to_the_ports() {
    let (env, fake) = fake_env("fake_compose::down_says_what_happened_to_the_ports");
    assert_snapshot!(
        "down_unassigned",
        env.run(["down", "-C", "shop"]).snapshot()
    );
    env.run(["up", "-C", "shop", "--no-wait"]).success();
    assert_snapshot!("down_keeps", env.run(["down", "-C", "shop"]).snapshot());
    assert_eq!(env.registry_json()["assignments"][0]["status"], "released");
    assert_snapshot!(
        "down_release",
        env.run(["down", "-C", "shop", "--release"]).snapshot()
    );
    assert_eq!(env.registry_json()["assignments"], serde_json::json!([]));
    let downs = calls(&env, &fake)
        .lines()
        .filter(|line| line.contains(" down"))
        .count();
    assert_eq!(downs, 3);
}

#[test]
fn status_text() {
    let (env, _fake) = fake_env("fake_compose::status_text");
    assert_snapshot!(
        "status_unassigned",
        env.run(["status", "-C", "shop"]).success().snapshot()
    );
    env.run(["up", "-C", "shop", "--no-wait"]).success();
    assert_snapshot!(
        "status_started",
        env.run(["status", "-C", "shop"]).success().snapshot()
    );
}

/// The fake starts nothing, so nothing answers on the assigned port.
#[test]
fn iris_not_answering_in_time_is_not_ready() {
    let (env, _fake) = fake_env("fake_compose::iris_not_answering_in_time_is_not_ready");
    let run = env.run(["up", "-C", "shop", "--wait-timeout", "1"]);
    assert_snapshot!(run.snapshot());
    assert_eq!(
        env.registry_json()["assignments"][0]["compose_project"],
        shop_name(&env).as_str(),
        "the containers were started, so they are recorded"
    );
}

#[test]
fn verbose_notes_of_up() {
    let (env, fake) = fake_env("fake_compose::verbose_notes_of_up");
    assert_snapshot!(
        "verbose_up_dry_run",
        env.run(["up", "-v", "-C", "shop", "--dry-run"])
            .success()
            .snapshot()
    );
    assert_snapshot!(
        "verbose_up",
        env.run(["up", "-v", "-C", "shop", "--no-wait"])
            .success()
            .snapshot()
    );
    // The project has its ports: `port` answers from the registry alone and
    // never dials the engine (the fake `ssh` would answer), so there is
    // nothing to note.
    let dials = || dials(&fake);
    let before = dials();
    assert_snapshot!(
        "verbose_port_keeps_its_ports_without_the_engine",
        env.run(["port", "-v", "-C", "shop"]).success().snapshot()
    );
    assert_eq!(
        dials(),
        before,
        "`port` of a project with ports dialed the engine"
    );
    // A new project has to choose ports, and `up`'s assignment could be stale, so
    // `port` asks the engine first: it runs none of `shop`'s containers (the
    // fake engine runs nothing), so `shop`'s port is stale and passed over.
    fs::create_dir(env.root().join("other")).unwrap();
    assert_snapshot!(
        "verbose_port_finds_a_stale_assignment",
        env.run(["port", "-v", "-C", "other"]).success().snapshot()
    );
    assert!(dials() > before, "`port` of a new project asks the engine");
}

#[test]
fn verbose_says_the_engine_refused_the_port_it_moved_from() {
    let (env, fake) =
        fake_env("fake_compose::verbose_says_the_engine_refused_the_port_it_moved_from");
    fs::write(fake.join("refuse-once"), "").unwrap();
    let up = env.run(["up", "-v", "-C", "shop", "--no-wait"]).success();
    up.assert_stderr_contains(&format!(
        "warning: port {} is no longer free for `",
        env.ports().port(0)
    ));
    up.assert_stderr_contains("/shop`: the engine refused it\n");
    assert_eq!(
        env.run(["port", "-C", "shop"]).success().port(),
        env.ports().port(1)
    );
}

/// Compose colours its log lines by itself: `--color never` and `NO_COLOR`
/// turn them off with `--no-color`; `--color always`, and no terminal alone,
/// leave compose to decide.
#[test]
fn logs_without_colour_pass_no_color_to_compose() {
    let (env, fake) = fake_env("fake_compose::logs_without_colour_pass_no_color_to_compose");
    env.run(["up", "-C", "shop", "--no-wait"]).success();
    let last_logs = || {
        calls(&env, &fake)
            .lines()
            .rfind(|line| line.contains(" logs"))
            .map(|line| {
                line.split("compose.override.yaml ")
                    .nth(1)
                    .unwrap_or(line)
                    .to_owned()
            })
            .unwrap()
    };
    // TestEnv sets `NO_COLOR=1`.
    env.run(["logs", "-C", "shop", "--tail", "5"]).success();
    assert_eq!(last_logs(), "logs --no-color --tail 5 iris");
    let without_no_color = |args: &[&str]| {
        env.output(env.command(args).env_remove("NO_COLOR"))
            .success();
        last_logs()
    };
    assert_eq!(
        without_no_color(&["--color", "never", "logs", "-C", "shop"]),
        "logs --no-color iris"
    );
    assert_eq!(without_no_color(&["logs", "-C", "shop"]), "logs iris");
    assert_eq!(
        without_no_color(&["--color", "always", "logs", "-C", "shop"]),
        "logs iris"
    );
}

/// `down --all` says, per project, whether it stopped a running stack or there
/// was nothing running to stop.
#[test]
fn down_all_says_which_stacks_were_running() {
    let (env, fake) = fake_env("fake_compose::down_all_says_which_stacks_were_running");
    let other = env.project("other");
    fs::write(other.join("compose.yaml"), SHOP).unwrap();
    for project in ["shop", "other"] {
        env.run(["up", "-C", project, "--no-wait"]).success();
    }
    fs::write(
        fake.join("containers.json"),
        r#"[{"Id": "c1", "Names": ["/shop-iris-1"], "Image": "intersystemsdc/iris-community", "State": "running", "Labels": {"com.docker.compose.project": "shop", "com.docker.compose.service": "iris"}, "Ports": []}]"#,
    )
    .unwrap();
    let down = env.run(["down", "--all"]).success();
    assert_snapshot!(down.snapshot());
    assert!(
        !down
            .stderr()
            .contains(&format!("stopped `{}`", other.display())),
        "{}",
        down.snapshot()
    );
}

/// A project directory `up` cannot write fails before compose or the engine is
/// asked anything, naming the directory and the fix. Root writes anywhere, so
/// as root the binary runs without `CAP_DAC_OVERRIDE` (util-linux `setpriv`),
/// as the mode bits then bind it too.
#[test]
fn an_unwritable_project_directory_fails_at_once_naming_it() {
    let (env, fake) =
        fake_env("fake_compose::an_unwritable_project_directory_fails_at_once_naming_it");
    let shop = env.root().join("shop");
    fs::set_permissions(&shop, PermissionsExt::from_mode(0o555)).unwrap();
    // SAFETY: a plain syscall without arguments.
    let root = unsafe { libc::geteuid() } == 0;
    let mut command = if root {
        let mut command = env.program("setpriv");
        command.args([
            "--bounding-set=-dac_override,-dac_read_search",
            "--",
            crate::support::BIN,
        ]);
        command
    } else {
        env.command(Vec::<&str>::new())
    };
    command.args(["up", "-C", "shop"]);
    let run = env.output(&mut command);
    fs::set_permissions(&shop, PermissionsExt::from_mode(0o755)).unwrap();
    let snapshot = run
        .snapshot()
        .replace("Permission denied (os error 13)", "[DENIED]");
    assert_snapshot!(snapshot);
    assert_eq!(calls(&env, &fake), "", "compose was never asked anything");
    assert!(
        !env.registry().exists() || env.registry_json()["assignments"] == serde_json::json!([])
    );
}

/// `up --port N` on a port another project or program holds: the hint says to
/// drop or change `--port`, the flag that was used, not `IRIS_DEV_PORT`.
#[test]
fn a_taken_port_pinned_with_the_flag_is_named_as_the_flag() {
    let (env, _fake) =
        fake_env("fake_compose::a_taken_port_pinned_with_the_flag_is_named_as_the_flag");
    env.project("other");
    let (others, free) = (env.ports().port(0), env.ports().port(1));
    assert_eq!(env.run(["port", "-C", "other"]).success().port(), others);
    let held = env.run([
        "up",
        "-C",
        "shop",
        "--port",
        &others.to_string(),
        "--no-wait",
    ]);
    assert_snapshot!("pinned_flag_held", held.snapshot());

    let listener = crate::support::Listener::start(&[free]);
    let busy = env.run(["up", "-C", "shop", "--port", &free.to_string(), "--no-wait"]);
    assert_snapshot!("pinned_flag_busy", listener.redact(&busy.snapshot()));
    let by_variable = env.output(
        env.command(["up", "-C", "shop", "--no-wait"])
            .env("IRIS_DEV_PORT", free.to_string()),
    );
    by_variable.assert_stderr_contains("hint: or pick another port with `IRIS_DEV_PORT=<port>`");
}

/// A directory without a compose file runs the built-in template, and `up`
/// says so in one line, with the command that writes it into the project.
#[test]
fn the_template_is_announced_with_init() {
    let (env, _fake) = fake_env("fake_compose::the_template_is_announced_with_init");
    let plain = env.project("plain");
    let up = env.run(["up", "-C", "plain", "--no-wait"]).success();
    assert_snapshot!("template_announced", up.snapshot());
    let here = env.run_in(&plain.join("."), ["up", "--no-wait"]).success();
    here.assert_stderr_contains(&format!(
        "no compose file in `{0}` or above: using iris-dev's built-in IRIS Community template; `iris-dev init -C {0}` writes it there as `compose.yaml` to edit\n",
        plain.display()
    ));
    let shop = env.run(["up", "-C", "shop", "--no-wait"]).success();
    assert!(!shop.stderr().contains("template"), "{}", shop.snapshot());
}
