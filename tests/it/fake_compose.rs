//! The compose v2 paths this machine cannot run (`docker compose` 2.24.4+ with
//! `!override`, and the engine refusing a port), through a fake `docker` on PATH
//! that records every call.

use std::os::unix::fs::PermissionsExt;

use fs_err as fs;
use insta::assert_snapshot;
use iris_dev::project::compose_project_name;

use crate::support::TestEnv;

const FAKE_DOCKER: &str = r#"#!/bin/sh
# A fake `docker compose` 2.29.1: answers `version` and `config`, records `up`
# and `down` with the ports iris-dev passed, keeps the override it was given.
[ "$1" = compose ] && shift
case " $* " in *" version --short "*) echo 2.29.1; exit 0;; esac
echo "IRIS_PORT=$IRIS_PORT IRIS_WEB_PORT=$IRIS_WEB_PORT $*" >> "$FAKE_DIR/calls"
case " $* " in
  *" config "*) cat "$FAKE_DIR/config.yaml"; exit 0;;
  *" up "*)
    for arg; do [ "$previous" = -f ] && last="$arg"; previous="$arg"; done
    cp "$last" "$FAKE_DIR/override.yaml"
    [ -e "$FAKE_DIR/slow" ] && exec sleep 30
    if [ -e "$FAKE_DIR/refuse-once" ]; then
      rm "$FAKE_DIR/refuse-once"
      echo "Error response from daemon: Bind for 127.0.0.1:$IRIS_PORT failed: port is already allocated" >&2
      exit 1
    fi
    echo " Container fake-iris-1  Started"; exit 0;;
  *" down "*) exit 0;;
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

fn fake_env(range: &str) -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new(range);
    let fake = env.project("fake");
    let docker = fake.join("docker");
    fs::write(&docker, FAKE_DOCKER).unwrap();
    fs::set_permissions(&docker, PermissionsExt::from_mode(0o755)).unwrap();
    fs::write(fake.join("config.yaml"), CONFIG_V2).unwrap();
    let path = format!(
        "{}:{}",
        fake.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = env
        .with("PATH", &path)
        .with("FAKE_DIR", fake.to_str().unwrap())
        // bollard cannot reach ssh:// engines, so iris-dev goes ahead with compose
        // alone; a remote engine's ports are not probed on this host either.
        .with("DOCKER_HOST", "ssh://fake-engine");
    let shop = env.project("shop");
    fs::write(shop.join("compose.yaml"), "services:\n  iris:\n    image: intersystemsdc/iris-community\n    ports: [\"1972:1972\", \"8080:8080\"]\n").unwrap();
    (env, fake)
}

#[test]
fn compose_v2_replaces_the_base_ports_with_override() {
    let (env, fake) = fake_env("12200-12209");
    let name = compose_project_name(env.root().join("shop").to_str().unwrap());
    let up = env
        .run(["up", "-C", "shop", "--no-wait", "--", "--remove-orphans"])
        .redact(&name, "[NAME]");
    assert_snapshot!("v2_up", up.snapshot());
    let calls = fs::read_to_string(fake.join("calls"))
        .unwrap()
        .replace(&env.root().display().to_string(), "[ROOT]")
        .replace(&name, "[NAME]");
    assert_snapshot!("v2_calls", calls);
    assert_snapshot!(
        "v2_override",
        fs::read_to_string(fake.join("override.yaml"))
            .unwrap()
            .replace(&env.root().display().to_string(), "[ROOT]")
    );
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
    let (env, fake) = fake_env("12210-12219");
    fs::write(fake.join("refuse-once"), "").unwrap();
    let up = env.run(["up", "-C", "shop", "--no-wait"]).success();
    up.assert_stderr_contains("port is already allocated");
    up.assert_stderr_contains("warning: the engine says port 12210 or 63011 is taken");
    let ups: Vec<_> = fs::read_to_string(fake.join("calls"))
        .unwrap()
        .lines()
        .filter(|line| line.contains(" up -d"))
        .map(|line| line.split(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(ups, ["IRIS_PORT=12210", "IRIS_PORT=12211"]);
    assert_eq!(env.run(["port", "-C", "shop"]).success().port(), 12_211);
    assert!(
        fs::read_to_string(fake.join("override.yaml"))
            .unwrap()
            .contains("127.0.0.1:12211:1972")
    );
}

#[test]
fn a_warm_up_starts_one_compose_process() {
    let (env, fake) = fake_env("12230-12239");
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

#[test]
fn ctrl_c_during_up_is_reported_and_leaves_a_reservation() {
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let (env, fake) = fake_env("12240-12249");
    fs::write(fake.join("slow"), "").unwrap();
    let child = env
        .command(["up", "-C", "shop", "--no-wait"])
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
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
    // What a terminal does on Ctrl-C: SIGINT to the whole foreground group.
    let group = i32::try_from(child.id()).unwrap();
    // SAFETY: plain syscall on a process group this test created.
    assert_eq!(unsafe { libc::kill(-group, libc::SIGINT) }, 0);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("error: interrupted while `IRIS_PORT=12240"),
        "{stderr}"
    );
    assert!(stderr.contains("iris-dev down"), "{stderr}");
    let assignment = &env.registry_json()["assignments"][0];
    assert_eq!(assignment["status"], "active");
    assert!(
        assignment.get("compose_project").is_none(),
        "still a reservation: {assignment}"
    );
}

#[test]
fn no_compose_at_all_says_how_to_install_one() {
    let env = TestEnv::new("12250-12259").with("PATH", "/nonexistent");
    env.project("shop");
    assert_snapshot!(env.run(["up", "-C", "shop"]).snapshot());
    let env = env.with("IRIS_DEV_COMPOSE", "/nonexistent/compose");
    let run = env.run(["up", "-C", "shop"]);
    assert_eq!(run.code(), 1);
    run.assert_stderr_contains("`/nonexistent/compose` from `IRIS_DEV_COMPOSE` does not run");
}

#[test]
fn the_projects_own_override_file_is_kept() {
    let (env, fake) = fake_env("12260-12269");
    fs::write(
        env.root().join("shop/docker-compose.override.yml"),
        "services: {}\n",
    )
    .unwrap();
    env.run(["up", "-C", "shop", "--no-wait"]).success();
    let calls = fs::read_to_string(fake.join("calls")).unwrap();
    let local = env.root().join("shop/docker-compose.override.yml");
    for line in calls.lines() {
        assert!(line.contains(&format!("-f {} ", local.display())), "{line}");
    }
}

#[test]
fn dry_run_prints_the_plan_and_changes_nothing() {
    let (env, fake) = fake_env("12220-12229");
    let name = compose_project_name(env.root().join("shop").to_str().unwrap());
    let run = env
        .run(["up", "-C", "shop", "--dry-run"])
        .success()
        .redact(&name, "[NAME]");
    assert_snapshot!(run.snapshot());
    assert!(!env.registry().exists());
    assert!(!env.root().join("shop/.iris-dev").exists());
    let calls = fs::read_to_string(fake.join("calls")).unwrap();
    assert!(
        calls.lines().all(|line| line.ends_with(" config")),
        "only `config` ran: {calls}"
    );
}
