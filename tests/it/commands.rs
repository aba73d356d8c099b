//! `port`, `env` and `ports ...` as a user sees them.

use std::net::{Ipv4Addr, TcpListener};

use fs_err as fs;
use insta::assert_snapshot;

use crate::support::{FakeEngine, Listener, TestEnv, ports};

#[test]
fn port_is_sticky_and_distinct_per_project() {
    let env = TestEnv::new("commands::port_is_sticky_and_distinct_per_project");
    let alpha = env.project("alpha");
    let beta = env.project("beta");
    let missing = env.run(["port", "-C"]);
    assert_eq!(missing.code(), 2, "a missing value is a usage error");

    let a = env
        .run(["-C", alpha.to_str().unwrap(), "port"])
        .success()
        .port();
    let b = env.run_in(&beta, ["port"]).success().port();
    assert_ne!(a, b);
    assert!(env.ports().contains(a) && env.ports().contains(b));
    for _ in 0..3 {
        assert_eq!(env.run(["port", "-C", "alpha"]).success().port(), a);
    }
    let web = env.run(["port", "--web", "-C", "alpha"]).success().port();
    assert_eq!(u32::from(web), 52_773 + u32::from(a) - 1972);
}

#[test]
fn project_root_is_the_nearest_compose_file_upwards() {
    let env = TestEnv::new("commands::project_root_is_the_nearest_compose_file_upwards");
    let shop = env.project("shop");
    fs::write(shop.join("compose.yaml"), "services: {}\n").unwrap();
    let deep = env.project("shop/src/app");
    let from_root = env.run(["port", "-C", "shop"]).success().port();
    let from_deep = env.run_in(&deep, ["port"]).success().port();
    assert_eq!(from_deep, from_root);
    let registry = env.registry_json();
    assert_eq!(registry["assignments"].as_array().unwrap().len(), 1);
    assert_eq!(
        registry["assignments"][0]["project_path"],
        shop.to_str().unwrap()
    );
}

#[test]
fn env_formats() {
    let env = TestEnv::new("commands::env_formats");
    env.project("shop");
    assert_snapshot!(env.run(["env", "-C", "shop"]).snapshot());
    let make = env
        .run(["env", "-C", "shop", "--format", "make"])
        .success()
        .stdout();
    let port = env.ports().first();
    assert!(
        make.contains(&format!("export IRIS_PORT := {port}\n")),
        "{make}"
    );
    let dotenv = env
        .run(["env", "-C", "shop", "--format", "dotenv"])
        .success()
        .stdout();
    let web = u32::from(port) + u32::from(ports::WEB_OFFSET);
    assert!(
        dotenv.contains(&format!("IRIS_WEB_PORT={web}\n")),
        "{dotenv}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &env.run(["env", "-C", "shop", "--format", "json"])
            .success()
            .stdout(),
    )
    .unwrap();
    assert_eq!(json["IRIS_PORT"], port, "a port is a number");
    assert_eq!(json["IRIS_HOST"], "127.0.0.1");
}

#[test]
fn env_output_evaluates_in_a_shell() {
    let env = TestEnv::new("commands::env_output_evaluates_in_a_shell");
    let dir = env.project("it's here");
    let exports = env.run_in(&dir, ["env"]).success().stdout();
    let script = format!(
        "set -e\n{exports}\nprintf '%s %s %s %s' \"$IRIS_HOST\" \"$IRIS_PORT\" \"$IRIS_DEV_COMPOSE_PROJECT\" \"${{COMPOSE_PROJECT_NAME-unset}}\""
    );
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sh failed on:\n{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.trim_end(),
        format!("127.0.0.1 {} itshere unset", env.ports().first()),
        "the directory's name, never in the variable compose reads"
    );
}

#[test]
fn ports_list_inspect_clear() {
    let env = TestEnv::new("commands::ports_list_inspect_clear");
    assert_snapshot!("list_empty", env.run(["ports", "list"]).snapshot());
    env.project("alpha");
    env.project("beta");
    env.run(["port", "-C", "alpha"]).success();
    env.env_pinned_beta();
    // No engine, so the live state is the same on every machine: `unknown`.
    let mut list = env.command(["ports", "list"]);
    list.env("DOCKER_HOST", "unix:///nonexistent");
    assert_snapshot!("list_two", env.output(&mut list).snapshot());
    let json: serde_json::Value =
        serde_json::from_str(&env.run(["ports", "list", "--json"]).success().stdout()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert!(json[0]["state"].is_string(), "{json}");
    assert_eq!(json[1]["assignment_type"], "manual");
    // Once an assignment belongs to another engine, the table names each one's.
    let mut registry = env.registry_json();
    let one_engine = registry.clone();
    registry["assignments"][1]["engine"] = "ssh://builder@far".into();
    fs::write(env.registry(), serde_json::to_string(&registry).unwrap()).unwrap();
    let mut list = env.command(["ports", "list"]);
    list.env("DOCKER_HOST", "unix:///nonexistent");
    assert_snapshot!("list_two_engines", env.output(&mut list).snapshot());
    fs::write(env.registry(), serde_json::to_string(&one_engine).unwrap()).unwrap();
    let inspect = env.run(["ports", "inspect", "alpha"]);
    assert_snapshot!("inspect_alpha", inspect.snapshot());
    let inspected: serde_json::Value = serde_json::from_str(
        &env.run(["-C", "alpha", "ports", "inspect", "--json"])
            .success()
            .stdout(),
    )
    .unwrap();
    assert_eq!(inspected["port"], env.ports().first());
    assert_snapshot!(
        "inspect_missing",
        env.run(["ports", "inspect", "nowhere"]).snapshot()
    );

    let before = fs::read(env.registry()).unwrap();
    assert_snapshot!(
        "clear_missing",
        env.run(["ports", "clear", "alpha", "gone"]).snapshot()
    );
    assert_eq!(
        fs::read(env.registry()).unwrap(),
        before,
        "a failed clear changes nothing"
    );
    assert_snapshot!(
        "clear_alpha",
        env.run(["ports", "clear", "alpha"]).snapshot()
    );
    assert_snapshot!("clear_all", env.run(["ports", "clear", "--all"]).snapshot());
    assert_eq!(env.registry_json()["assignments"], serde_json::json!([]));
}

impl TestEnv {
    fn env_pinned_beta(&self) {
        let pin = ports::block("commands::ports_list_inspect_clear/pin").port(0);
        let run = self
            .output(
                self.command(["port", "-C", "beta"])
                    .env("IRIS_DEV_PORT", pin.to_string()),
            )
            .success();
        assert_eq!(run.port(), pin);
    }
}

#[test]
fn manual_pin_conflict_names_the_holder() {
    let env = TestEnv::new("commands::manual_pin_conflict_names_the_holder");
    env.project("alpha");
    env.project("beta");
    env.run(["port", "-C", "alpha"]).success();
    let alphas = env.ports().first();
    let env = env.with("IRIS_DEV_PORT", &alphas.to_string());
    assert_snapshot!(env.run(["port", "-C", "beta"]).snapshot());
    assert_eq!(
        env.run(["port", "-C", "alpha"]).success().port(),
        alphas,
        "pinning your own port works"
    );
}

#[test]
fn a_port_taken_by_a_plain_listener_is_skipped() {
    let block = ports::block("commands::a_port_taken_by_a_plain_listener_is_skipped");
    let listener = TcpListener::bind((Ipv4Addr::UNSPECIFIED, block.port(0))).unwrap();
    let env = TestEnv::on(block.part(0, 10));
    env.project("alpha");
    assert_eq!(
        env.run(["port", "-C", "alpha"]).success().port(),
        block.port(1)
    );
    drop(listener);

    // The first port is free again; its web port is not.
    let web_of_first = block.port(0) + ports::WEB_OFFSET;
    let web_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, web_of_first)).unwrap();
    env.project("beta");
    assert_eq!(
        env.run(["port", "-C", "beta"]).success().port(),
        block.port(2),
        "a busy web port skips the pair"
    );
    drop(web_listener);

    let pin = block.port(20);
    let listener = Listener::start(&[pin]);
    let pinned = TestEnv::on(block.part(10, 10)).with("IRIS_DEV_PORT", &pin.to_string());
    pinned.project("gamma");
    // The error names the listening process as the holder.
    let snapshot = listener.redact(&pinned.run(["port", "-C", "gamma"]).snapshot());
    assert_snapshot!(snapshot);
}

#[test]
fn exhausted_range_lists_assignments_and_remedies() {
    let env = TestEnv::on(
        ports::block("commands::exhausted_range_lists_assignments_and_remedies").part(0, 2),
    );
    for name in ["a", "b", "c"] {
        env.project(name);
    }
    env.run(["port", "-C", "a"]).success();
    env.run(["port", "-C", "b"]).success();
    assert_snapshot!(env.run(["port", "-C", "c"]).snapshot());
}

#[test]
fn bad_environment_is_a_usage_error() {
    let env = TestEnv::new("commands::bad_environment_is_a_usage_error")
        .with("IRIS_DEV_PORT_RANGE", "high");
    assert_snapshot!(env.run(["port"]).snapshot());
    let env = TestEnv::new("commands::bad_environment_is_a_usage_error")
        .with("IRIS_DEV_LOCK_TIMEOUT", "-1");
    assert_eq!(env.run(["port"]).code(), 2);
}

#[test]
fn quiet_keeps_data_and_errors() {
    let env = TestEnv::new("commands::quiet_keeps_data_and_errors");
    let run = env.run(["-q", "ports", "list"]).success();
    assert_eq!(run.stdout(), "");
    assert_eq!(run.stderr(), "");
    let run = env.run(["-q", "ports", "clear", "nowhere"]);
    assert_eq!(run.code(), 1);
    assert!(run.stderr().starts_with("error: no port assignment for"));
    let colour = env.run(["--color", "always", "ports", "clear", "nowhere"]);
    assert!(colour.stderr().contains("\u{1b}["));
}

#[test]
fn env_names_the_compose_project_up_would_use() {
    let env = TestEnv::new("commands::env_names_the_compose_project_up_would_use");
    let shop = env.project("shop");
    fs::write(shop.join("compose.yaml"), "name: shop-dev\nservices: {}\n").unwrap();
    let name = |run: crate::support::Run| {
        let json: serde_json::Value = serde_json::from_str(&run.success().stdout()).unwrap();
        assert_eq!(json.get("COMPOSE_PROJECT_NAME"), None);
        json["IRIS_DEV_COMPOSE_PROJECT"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        name(env.run(["env", "-C", "shop", "--format", "json"])),
        "shop-dev"
    );
    let env = env.with("COMPOSE_PROJECT_NAME", "ci-42");
    assert_eq!(
        name(env.run(["env", "-C", "shop", "--format", "json"])),
        "ci-42"
    );
}

#[test]
fn init_writes_the_template_once() {
    let env = TestEnv::new("commands::init_writes_the_template_once");
    let plain = env.project("plain");
    assert_snapshot!("init", env.run(["init", "-C", "plain"]).snapshot());
    let written = fs::read_to_string(plain.join("compose.yaml")).unwrap();
    assert_eq!(written, include_str!("../../templates/compose.yaml"));
    fs::write(plain.join("compose.yaml"), "services: {}\n").unwrap();
    assert_snapshot!("init_refuses", env.run(["init", "-C", "plain"]).snapshot());
    assert_eq!(
        fs::read_to_string(plain.join("compose.yaml")).unwrap(),
        "services: {}\n",
        "init never overwrites"
    );
}

/// Without an engine, `ports prune` still removes projects whose directory is gone.
#[test]
fn ports_prune_removes_projects_that_are_gone() {
    let env = TestEnv::new("commands::ports_prune_removes_projects_that_are_gone")
        .with("DOCKER_HOST", "unix:///nonexistent");
    env.project("kept");
    let gone = env.project("gone");
    env.run(["port", "-C", "kept"]).success();
    env.run(["port", "-C", "gone"]).success();
    fs::remove_dir(&gone).unwrap();
    let before = fs::read(env.registry()).unwrap();
    assert_snapshot!(
        "prune_dry_run",
        env.run(["ports", "prune", "--dry-run"]).snapshot()
    );
    assert_eq!(
        fs::read(env.registry()).unwrap(),
        before,
        "a dry run changes nothing"
    );
    assert_snapshot!("prune", env.run(["ports", "prune"]).snapshot());
    assert_eq!(
        env.registered_projects(),
        [env.root().join("kept").display().to_string()]
    );
    let again = env.run(["ports", "prune"]).success();
    again.assert_stderr_contains("nothing to prune");
}

/// With an engine that answers and runs nothing, `-v` says which ports `port`
/// chose and nothing more. (A fake engine: on the real one, another test's
/// containers could be news.)
#[test]
fn verbose_notes_of_port() {
    let engine = FakeEngine::answering("[]", std::time::Duration::ZERO);
    let env = TestEnv::new("commands::verbose_notes_of_port").with("DOCKER_HOST", &engine.url());
    env.project("alpha");
    assert_snapshot!(
        "verbose_port_new",
        env.run(["port", "-v", "-C", "alpha"])
            .redact(engine.url(), "[ENGINE]")
            .snapshot()
    );
    assert_snapshot!(
        "verbose_port_again",
        env.run(["port", "-v", "-C", "alpha"])
            .redact(engine.url(), "[ENGINE]")
            .snapshot()
    );
    assert_eq!(
        engine.listings(),
        1,
        "only the new project's `port` lists containers"
    );
}

/// The list of an exhausted range is aligned, and the pin it suggests is not
/// one another project holds (here `pinned` has the first port past the
/// widened range).
#[test]
fn an_exhausted_range_suggests_a_pin_nobody_holds() {
    let env = TestEnv::new("commands::an_exhausted_range_suggests_a_pin_nobody_holds");
    for name in ["a", "billing", "pinned", "c"] {
        env.project(name);
    }
    env.run(["port", "-C", "a"]).success();
    env.run(["port", "-C", "billing"]).success();
    let pin = ports::block("commands::an_exhausted_range_suggests_a_pin_nobody_holds/pin").port(0);
    let pinned = env.output(
        env.command(["port", "-C", "pinned"])
            .env("IRIS_DEV_PORT", pin.to_string()),
    );
    assert_eq!(pinned.success().port(), pin);
    assert_snapshot!(env.run(["port", "-C", "c"]).snapshot());
}
