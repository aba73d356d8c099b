//! Issue 16.5: a released project's ports go to another project only when the
//! range is full, both projects are told (the one that lost them at its next
//! `up`, even after iris-devtester rewrote the registry), and `-v` says why each
//! port was passed over. On the real engine, with compose v1: what is tested
//! here does not differ between composes.

use std::net::Ipv4Addr;
use std::process::{Command, Stdio};

use insta::assert_snapshot;

use crate::support::{
    Cleanup, Compose, Listener, STANDIN, TestEnv, compose_project, port_of, ports, reachable,
    redact_times, standin, standin_compose, unique_name,
};

/// `assign_port` through iris-devtester, which rewrites every assignment with
/// its own six fields.
const PYTHON_WRITE: &str = r#"
import sys
from pathlib import Path
from iris_devtester.ports import PortRegistry

registry_path, port, project = sys.argv[1:]
registry = PortRegistry(registry_path=Path(registry_path), port_range=(int(port), int(port)))
registry.assign_port(project)
"#;

#[test]
#[cfg_attr(
    not(all(has_compose_v1, has_python)),
    ignore = "needs docker-compose 1.x, a Docker engine and IRIS_DEV_TEST_PYTHON (see .ci/run)"
)]
fn a_released_projects_ports_go_only_to_a_full_range_and_both_projects_are_told() {
    standin();
    let block = ports::block(
        "evictions::a_released_projects_ports_go_only_to_a_full_range_and_both_projects_are_told",
    );
    // Two ports for iris-dev; the third is iris-devtester's.
    let env = Compose::V1.env_on(block.part(0, 2));
    let (shops, second) = (block.port(0), block.port(1));
    let (shop, shop_name) =
        compose_project(&env, "shop", &standin_compose("    expose: [\"1972\"]\n"));
    let _cleanup = Cleanup(vec![shop_name]);
    env.run(["up", "-C", "shop", "--wait-timeout", "60"])
        .success();
    assert_eq!(port_of(&env, &shop, false), shops);
    env.run(["down", "-C", "shop"]).success();

    // A free port goes first: shop keeps its released ones.
    let early = env.project("early");
    let first = env.run(["port", "-C", "early"]).success();
    assert_eq!(first.port(), second);
    assert!(!first.stderr().contains("warning"), "{}", first.stderr());
    assert_eq!(env.registry_json()["assignments"][0]["status"], "released");

    // Now the range is full: the new project takes shop's ports, and says so
    // without -v.
    let new = env.project("new");
    let taken = env.run(["port", "-C", "new"]).success();
    assert_eq!(taken.port(), shops);
    assert_snapshot!("eviction_port", taken.snapshot());
    let shop_key = shop.display().to_string();
    assert_eq!(
        env.registered_projects(),
        [early.display().to_string(), new.display().to_string()]
    );
    let registry = env.registry_json();
    assert_eq!(
        registry["iris_dev_evictions"][0]["project_path"],
        shop_key.as_str()
    );

    // iris-devtester rewrites the file: the record survives it.
    python_writes(&env, block.port(2), "py");
    let registry = env.registry_json();
    assert!(
        registry["assignments"][0].get("web_port").is_none(),
        "Python rewrote the entries: {registry:#}"
    );
    assert_eq!(
        registry["iris_dev_evictions"][0]["taken_by"],
        new.display().to_string()
    );

    // With a port free again, shop's next `up` says where its ports went and
    // why, and runs on the free one.
    env.run(["ports", "clear", early.to_str().unwrap()])
        .success();
    let up = env
        .run(["up", "-C", "shop", "--wait-timeout", "60"])
        .success();
    let told: Vec<String> = up
        .stderr()
        .lines()
        .filter(|line| line.starts_with("warning:"))
        .map(|line| redact_times(&line.replace(&env.root().display().to_string(), "[ROOT]")))
        .collect();
    assert_snapshot!("eviction_up_told", told.join("\n"));
    assert_eq!(port_of(&env, &shop, false), second);
    assert!(reachable(Ipv4Addr::LOCALHOST, second));
    assert!(env.registry_json().get("iris_dev_evictions").is_none());
    // Told once.
    env.run(["down", "-C", "shop"]).success();
    let again = env.run(["up", "-C", "shop", "--no-wait"]).success();
    assert!(!again.stderr().contains("warning"), "{}", again.stderr());
}

#[test]
#[cfg_attr(
    not(has_compose_v1),
    ignore = "needs docker-compose 1.x and a Docker engine"
)]
fn verbose_says_why_each_port_was_skipped() {
    standin();
    let env = Compose::V1.env("evictions::verbose_says_why_each_port_was_skipped");
    // The first port: a program on this host; the second: a container of another compose
    // project, started by plain `docker run`.
    let listener = Listener::start(&[env.ports().port(0)]);
    let other = env.project("other");
    let other_name = unique_name(&other);
    let _cleanup = Cleanup(vec![other_name.clone()]);
    let container = format!("{other_name}-standin");
    let label = format!("com.docker.compose.project={other_name}");
    let run = Command::new("docker")
        .args(["run", "-d", "--name", &container, "--label", &label])
        .arg("-p")
        .arg(format!("127.0.0.1:{}:1972", env.ports().port(1)))
        .arg(STANDIN)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "docker run: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    env.project("new");
    let verbose = env.run(["port", "-C", "new", "-v"]).success();
    assert_eq!(verbose.port(), env.ports().port(2));
    let notes: Vec<String> = verbose
        .stderr()
        .lines()
        .filter(|line| line.starts_with("note: skipped"))
        .map(|line| line.replace(&container, "[CONTAINER]"))
        .collect();
    assert_snapshot!(
        "skip_reasons",
        redact_times(
            &notes
                .join("\n")
                .replace(&env.root().display().to_string(), "[ROOT]")
        )
    );
    drop(listener);
}

/// One write by iris-devtester, as any Python process makes it: `assign_port`
/// for the project `name`, from a range of the one port `port`.
fn python_writes(env: &TestEnv, port: u16, name: &str) {
    let python = crate::support::needs::python();
    let output = Command::new(python)
        .args(["-c", PYTHON_WRITE, env.registry().to_str().unwrap()])
        .arg(port.to_string())
        .arg(env.project(name).display().to_string())
        .env("HOME", env.home())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "python: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
