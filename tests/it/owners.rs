//! Who holds a port: ranges whose web ports do not fit, the fast path that never
//! asks the engine, `ports who`, `lsof`, the errors that say a port is taken,
//! and `doctor`.

use insta::assert_snapshot;

use crate::support::{FakeEngine, Listener, TestEnv, ports};

#[test]
fn a_range_past_the_paired_web_ports_is_refused_at_once() {
    // Past the table's ports on purpose: the range is refused before any
    // port is probed, and the pinned web port below is never bound.
    let block = "owners::a_range_past_the_paired_web_ports_is_refused_at_once";
    let env = TestEnv::new(block).with("IRIS_DEV_PORT_RANGE", "30000-30010");
    let run = env.run(["port"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    run.assert_stderr_contains("`IRIS_DEV_PORT_RANGE=30000-30010` is invalid");
    run.assert_stderr_contains("ends at 14734 or lower");
    assert!(!run.stderr().contains("in use"), "{}", run.stderr());

    let top = TestEnv::new(block);
    assert_eq!(top.ports().last(), ports::HIGHEST);
    top.project("p");
    assert_eq!(top.run(["port", "-C", "p"]).success().port(), 14_733);
    let web = top.run(["port", "--web", "-C", "p"]).success().port();
    assert_eq!(web, 65_534);

    let pinned = TestEnv::new(block)
        .with("IRIS_DEV_PORT_RANGE", "30000-30010")
        .with("IRIS_DEV_WEB_PORT", "30100");
    pinned.project("p");
    let port = pinned.run(["port", "-C", "p"]).success().port();
    assert!((30_000..=30_010).contains(&port));
}

#[test]
fn port_with_an_active_assignment_makes_no_engine_connection() {
    let env = TestEnv::new("owners::port_with_an_active_assignment_makes_no_engine_connection")
        .with("DOCKER_HOST", "unix:///nonexistent");
    env.project("p");
    let first = env.run(["port", "-C", "p"]).success().port();

    let engine = FakeEngine::silent();
    let env = env.with("DOCKER_HOST", &engine.url());
    assert_eq!(env.run(["port", "-C", "p"]).success().port(), first);
    let run = env.run(["env", "-C", "p", "--format", "dotenv"]).success();
    run.assert_stdout_contains(&format!("IRIS_PORT={first}"));
    assert_eq!(engine.connections(), 0, "the fast path asked the engine");

    // A project without ports is the slow path: it asks the engine, which does
    // not answer, and still gets ports.
    env.project("q");
    let second = env.run(["port", "-C", "q"]).success().port();
    assert_ne!(second, first);
    assert!(engine.connections() > 0);
}

#[test]
fn ports_who_names_a_listener_an_assignment_and_a_free_port() {
    let env = TestEnv::new("owners::ports_who_names_a_listener_an_assignment_and_a_free_port")
        .with("DOCKER_HOST", "unix:///nonexistent");
    env.project("shop");
    let port = env.run(["port", "-C", "shop"]).success().port();
    let (held, free) = (env.ports().port(9), env.ports().port(8));
    let listener = std::net::TcpListener::bind(("127.0.0.1", held)).unwrap();

    let run = env
        .run([
            "ports",
            "who",
            &port.to_string(),
            &held.to_string(),
            &free.to_string(),
        ])
        .success();
    let shop = env.root().join("shop");
    run.assert_stdout_contains(&format!(
        "{port}  the registry: superserver port of `{}` (active, auto)",
        shop.display()
    ));
    run.assert_stdout_contains(&format!("{held}  process {} `", std::process::id()));
    run.assert_stdout_contains(&format!("{free}  free"));

    let run = env
        .run(["ports", "who", &held.to_string(), "--json"])
        .success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let owner = &json[0]["owners"][0];
    assert_eq!(owner["kind"], "process");
    assert_eq!(owner["pid"], std::process::id());
    let command = owner["command"].as_str().unwrap();
    let me = std::env::current_exe().unwrap();
    assert!(command.starts_with(&me.display().to_string()), "{command}");
    drop(listener);
}

#[test]
#[cfg_attr(not(is_root), ignore = "needs root, to run iris-dev as another user")]
fn another_users_listener_is_unknown_with_the_reason() {
    crate::support::needs::root("to run iris-dev as another user");
    let port = ports::block("owners::another_users_listener_is_unknown_with_the_reason").port(0);
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let output = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(crate::support::BIN)
        .args(["ports", "who", &port.to_string()])
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("NO_COLOR", "1")
        .env("DOCKER_HOST", "unix:///nonexistent")
        .current_dir("/")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        stdout.trim(),
        format!(
            "{port}  unknown: a process of another user (root) listens on port {port}; try again with sudo"
        )
    );
    drop(listener);
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn ports_who_names_a_container_and_assignment_skips_its_port() {
    crate::support::standin();
    let env = TestEnv::engine("owners::ports_who_names_a_container_and_assignment_skips_its_port");
    let published = env.ports().port(0);
    let name = format!("iris-dev-who-{}", std::process::id());
    let run = std::process::Command::new("docker")
        .args(["run", "-d", "--name", &name, "-p"])
        .arg(format!("127.0.0.1:{published}:1972"))
        .arg(crate::support::STANDIN)
        .output()
        .unwrap();
    let _remove = RemoveContainer(name.clone());
    assert!(run.status.success(), "{run:?}");

    let run = env.run(["ports", "who", &published.to_string()]).success();
    run.assert_stdout_contains(&format!(
        "{published}  container `{name}` (image `{}`, engine `",
        crate::support::STANDIN
    ));

    // The engine publishes the first port, so automatic assignment skips it.
    env.project("p");
    assert_eq!(
        env.run(["port", "-C", "p"]).success().port(),
        env.ports().port(1)
    );
}

#[test]
#[cfg(unix)]
#[cfg_attr(
    not(has_lsof),
    ignore = "needs `lsof`; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn lsof_names_a_listener() {
    let listener = Listener::start(&[0]);
    let port = listener.ports[0];
    let owners = iris_dev::edges::platform::lsof_listeners(
        &iris_dev::edges::process::DuctRunner,
        &std::collections::BTreeSet::from([port]),
    )
    .expect("lsof runs");
    assert_eq!(owners.len(), 1, "{owners:?}");
    let (held, owner) = &owners[0];
    assert_eq!(*held, port);
    let iris_dev::core::owner::Owner::Process { pid, command, .. } = owner else {
        panic!("not a process: {owner:?}");
    };
    assert_eq!(*pid, listener.pid());
    // lsof prints the process's name (`python3`, or `python3.11` where that is
    // what the interpreter is called).
    assert!(command.starts_with("python3"), "{command:?}");
}

#[test]
fn a_pin_another_project_holds_names_its_assignment() {
    let env = TestEnv::new("owners::a_pin_another_project_holds_names_its_assignment")
        .with("DOCKER_HOST", "unix:///nonexistent");
    env.project("alpha");
    env.project("beta");
    let alphas = env.ports().first();
    assert_eq!(env.run(["port", "-C", "alpha"]).success().port(), alphas);
    let env = env.with("IRIS_DEV_PORT", &alphas.to_string());
    let run = env.run(["port", "-C", "beta"]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    let alpha = env.root().join("alpha");
    run.assert_stderr_contains(&format!(
        "caused by: port {alphas} is held by project `{}` (auto, active)",
        alpha.display()
    ));
    assert!(
        !run.stderr().contains("held by the registry"),
        "said twice: {}",
        run.stderr()
    );
    run.assert_stderr_contains(&format!(
        "hint: free it with `iris-dev ports clear {}`",
        alpha.display()
    ));
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn taken_port_errors_name_containers() {
    crate::support::standin();
    let env = TestEnv::engine("owners::taken_port_errors_name_containers");
    env.project("alpha");
    env.project("beta");
    let (alphas, rest) = (env.ports().port(0), env.ports().port(1));
    assert_eq!(env.run(["port", "-C", "alpha"]).success().port(), alphas);
    // A container publishing alpha's port, as alpha's stack would, and one
    // publishing the rest of the range.
    let run_container = |name: &str, port: u16| {
        let run = std::process::Command::new("docker")
            .args(["run", "-d", "--name", name, "-p"])
            .arg(format!("127.0.0.1:{port}:1972"))
            .arg(crate::support::STANDIN)
            .output()
            .unwrap();
        let remove = RemoveContainer(name.to_owned());
        assert!(run.status.success(), "{run:?}");
        remove
    };
    let alpha = format!("iris-dev-held-{}", std::process::id());
    let _alpha = run_container(&alpha, alphas);
    let other = format!("iris-dev-range-{}", std::process::id());
    let _other = run_container(&other, rest);
    let container = |name: &str| {
        format!(
            "container `{name}` (image `{}`, engine `",
            crate::support::STANDIN
        )
    };

    // The range is exhausted: alpha's assignment explains its port, the other
    // container the rest.
    let run = env.run(["port", "-C", "beta"]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    run.assert_stderr_contains(&format!(
        "caused by: no port in {} is free",
        env.ports().range()
    ));
    run.assert_stderr_contains(&format!("  port {rest}: {}", container(&other)));
    assert!(!run.stderr().contains(&alpha), "{}", run.snapshot());

    let env = env.with("IRIS_DEV_PORT", &alphas.to_string());
    let run = env.run(["port", "-C", "beta"]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    run.assert_stderr_contains(&format!("caused by: port {alphas} is held by project `"));
    run.assert_stderr_contains(&format!("  held by {}", container(&alpha)));
}

#[test]
fn an_exhausted_range_names_the_processes_that_hold_it() {
    let block = ports::block("owners::an_exhausted_range_names_the_processes_that_hold_it");
    let listener = Listener::start(&[block.port(0), block.port(1)]);
    let env = TestEnv::on(block.part(0, 2)).with("DOCKER_HOST", "unix:///nonexistent");
    env.project("p");
    let run = env.run(["port", "-C", "p"]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    run.assert_stderr_contains(&format!(
        "  ports {}: process {} `",
        env.ports().range(),
        listener.pid()
    ));
    assert_snapshot!(listener.redact(&run.snapshot()));
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn doctor_is_ok_on_a_healthy_setup() {
    let env = TestEnv::engine("owners::doctor_is_ok_on_a_healthy_setup");
    let shop = env.project("shop");
    fs_err::write(
        shop.join("compose.yaml"),
        "services:\n  iris:\n    image: intersystemsdc/iris-community\n    ports:\n      - \"127.0.0.1:${IRIS_PORT:-1972}:1972\"\n",
    )
    .unwrap();
    env.run(["port", "-C", "shop"]).success();
    let run = env.run(["doctor", "-C", "shop"]);
    assert_eq!(run.code(), 0, "{}", run.snapshot());
    run.assert_stdout_contains("ok    engine: ");
    run.assert_stdout_contains("holds 1 assignment(s)");
    run.assert_stdout_contains("ok    project: IRIS service `iris`");
    run.assert_stdout_contains("ok    registry: iris-devtester can read every assignment");
    run.assert_stdout_contains("userland proxy: ");
    assert!(!run.stdout().contains("fail"), "{}", run.snapshot());

    let run = env.run(["doctor", "-C", "shop", "--json"]);
    let checks: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert!(
        checks
            .as_array()
            .unwrap()
            .iter()
            .all(|check| check["level"] != "fail")
    );
}

#[test]
fn doctor_fails_naming_a_damaged_registry() {
    let env = TestEnv::new("owners::doctor_fails_naming_a_damaged_registry")
        .with("DOCKER_HOST", "unix:///nonexistent");
    fs_err::create_dir_all(env.registry_dir()).unwrap();
    fs_err::write(env.registry(), "{ not json").unwrap();
    let run = env.run(["doctor"]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    run.assert_stdout_contains(&format!(
        "fail  registry: the port registry `{}` cannot be read",
        env.registry().display()
    ));
    run.assert_stdout_contains(
        "fix: move it aside and start an empty registry with `iris-dev ports reset`",
    );
    run.assert_stderr_contains("error: ");
}

#[test]
fn doctor_fails_on_an_entry_iris_devtester_cannot_read() {
    // iris-dev reads a `Z` timestamp; Python 3.9's `fromisoformat` does not.
    let env = TestEnv::new("owners::doctor_fails_on_an_entry_iris_devtester_cannot_read")
        .with("DOCKER_HOST", "unix:///nonexistent");
    fs_err::create_dir_all(env.registry_dir()).unwrap();
    fs_err::write(
        env.registry(),
        r#"{"schema_version": "1.0", "assignments": [{"project_path": "/shop", "port": 13160, "assigned_at": "2026-01-01T00:00:00Z", "assignment_type": "auto", "status": "active", "container_name": null}]}"#,
    )
    .unwrap();
    let run = env.run(["doctor"]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    run.assert_stdout_contains("holds 1 assignment(s)");
    run.assert_stdout_contains(&format!(
        "fail  registry: iris-devtester cannot read `{}`: assignment 0: `assigned_at` is \"2026-01-01T00:00:00Z\"",
        env.registry().display()
    ));
}

/// Removes the named container when dropped, so a failed test leaves none.
struct RemoveContainer(String);

impl Drop for RemoveContainer {
    fn drop(&mut self) {
        let _ = std::process::Command::new("docker")
            .args(["rm", "-f", &self.0])
            .output();
    }
}

/// A listener's command line (here `python3 -c` with a script of a few hundred
/// characters; podman's `conmon` runs to thousands) is cut to a line's width,
/// its start kept; `--json` keeps it whole.
#[test]
fn ports_who_shortens_a_long_command_line() {
    let env = TestEnv::new("owners::ports_who_shortens_a_long_command_line")
        .with("DOCKER_HOST", "unix:///nonexistent");
    let port = env.ports().first().to_string();
    let listener = Listener::start(&[env.ports().first()]);
    let run = env.run(["ports", "who", &port]).success();
    let line = run
        .stdout()
        .lines()
        .find(|line| line.contains(&format!("process {}", listener.pid())))
        .unwrap_or_else(|| panic!("no process line: {}", run.snapshot()))
        .to_owned();
    let command = line
        .split_once('`')
        .and_then(|(_, rest)| rest.rsplit_once('`'))
        .map(|(command, _)| command)
        .unwrap();
    assert_eq!(command.chars().count(), 80, "{line}");
    assert!(command.contains("python3 -c import socket"), "{line}");
    assert!(command.ends_with('…'), "{line}");
    let json: serde_json::Value = serde_json::from_str(
        &env.run(["ports", "who", &port, "--json"])
            .success()
            .stdout(),
    )
    .unwrap();
    let whole = json.to_string();
    assert!(whole.contains("sys.stdin.read()"), "{whole}");
}
