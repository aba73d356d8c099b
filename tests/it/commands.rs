//! `port`, `env` and `ports ...` as a user sees them.

use std::net::{Ipv4Addr, TcpListener};

use fs_err as fs;
use insta::assert_snapshot;

use crate::support::{Listener, TestEnv};

#[test]
fn port_is_sticky_and_distinct_per_project() {
    let env = TestEnv::new("10210-10219");
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
    assert!((10_210..=10_219).contains(&a) && (10_210..=10_219).contains(&b));
    for _ in 0..3 {
        assert_eq!(env.run(["port", "-C", "alpha"]).success().port(), a);
    }
    let web = env.run(["port", "--web", "-C", "alpha"]).success().port();
    assert_eq!(u32::from(web), 52_773 + u32::from(a) - 1972);
}

#[test]
fn project_root_is_the_nearest_compose_file_upwards() {
    let env = TestEnv::new("10220-10229");
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
    let env = TestEnv::new("10230-10239");
    env.project("shop");
    assert_snapshot!(env.run(["env", "-C", "shop"]).snapshot());
    let make = env
        .run(["env", "-C", "shop", "--format", "make"])
        .success()
        .stdout();
    assert!(make.contains("export IRIS_PORT := 10230\n"), "{make}");
    let dotenv = env
        .run(["env", "-C", "shop", "--format", "dotenv"])
        .success()
        .stdout();
    assert!(dotenv.contains("IRIS_WEB_PORT=61031\n"), "{dotenv}");
    let json: serde_json::Value = serde_json::from_str(
        &env.run(["env", "-C", "shop", "--format", "json"])
            .success()
            .stdout(),
    )
    .unwrap();
    assert_eq!(json["IRIS_PORT"], 10_230, "a port is a number");
    assert_eq!(json["IRIS_HOST"], "127.0.0.1");
}

#[test]
fn env_output_evaluates_in_a_shell() {
    let env = TestEnv::new("10240-10249");
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
        "127.0.0.1 10240 itshere unset",
        "the directory's name, never in the variable compose reads"
    );
}

#[test]
fn ports_list_inspect_clear() {
    let env = TestEnv::new("10250-10259");
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
    assert_eq!(inspected["port"], 10_250);
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
        let run = self
            .output(
                self.command(["port", "-C", "beta"])
                    .env("IRIS_DEV_PORT", "10300"),
            )
            .success();
        assert_eq!(run.port(), 10_300);
    }
}

#[test]
fn manual_pin_conflict_names_the_holder() {
    let env = TestEnv::new("10260-10269");
    env.project("alpha");
    env.project("beta");
    env.run(["port", "-C", "alpha"]).success();
    let env = env.with("IRIS_DEV_PORT", "10260");
    assert_snapshot!(env.run(["port", "-C", "beta"]).snapshot());
    assert_eq!(
        env.run(["port", "-C", "alpha"]).success().port(),
        10_260,
        "pinning your own port works"
    );
}

#[test]
fn a_port_taken_by_a_plain_listener_is_skipped() {
    let listener = TcpListener::bind((Ipv4Addr::UNSPECIFIED, 10_270)).unwrap();
    let env = TestEnv::new("10270-10279");
    env.project("alpha");
    assert_eq!(env.run(["port", "-C", "alpha"]).success().port(), 10_271);
    drop(listener);

    let web_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 61_071)).unwrap();
    env.project("beta");
    assert_eq!(
        env.run(["port", "-C", "beta"]).success().port(),
        10_272,
        "a busy web port skips the pair"
    );
    drop(web_listener);

    let listener = Listener::start(&[10_290]);
    let pinned = TestEnv::new("10280-10289").with("IRIS_DEV_PORT", "10290");
    pinned.project("gamma");
    // The error names the listening process as the holder.
    let snapshot = listener.redact(&pinned.run(["port", "-C", "gamma"]).snapshot());
    assert_snapshot!(snapshot);
}

#[test]
fn exhausted_range_lists_assignments_and_remedies() {
    let env = TestEnv::new("10310-10311");
    for name in ["a", "b", "c"] {
        env.project(name);
    }
    env.run(["port", "-C", "a"]).success();
    env.run(["port", "-C", "b"]).success();
    assert_snapshot!(env.run(["port", "-C", "c"]).snapshot());
}

#[test]
fn bad_environment_is_a_usage_error() {
    let env = TestEnv::new("10320-10329").with("IRIS_DEV_PORT_RANGE", "high");
    assert_snapshot!(env.run(["port"]).snapshot());
    let env = TestEnv::new("10320-10329").with("IRIS_DEV_LOCK_TIMEOUT", "-1");
    assert_eq!(env.run(["port"]).code(), 2);
}

#[test]
fn quiet_keeps_data_and_errors() {
    let env = TestEnv::new("10330-10339");
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
    let env = TestEnv::new("10340-10349");
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
    let env = TestEnv::new("10500-10509");
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
    let env = TestEnv::new("10510-10519").with("DOCKER_HOST", "unix:///nonexistent");
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

#[test]
fn verbose_notes_of_port() {
    // `-v` names the engine and why: the same on every machine.
    let env = TestEnv::new("10520-10529").with("DOCKER_HOST", "unix:///var/run/docker.sock");
    env.project("alpha");
    assert_snapshot!(
        "verbose_port_new",
        env.run(["port", "-v", "-C", "alpha"]).snapshot()
    );
    assert_snapshot!(
        "verbose_port_again",
        env.run(["port", "-v", "-C", "alpha"]).snapshot()
    );
}

/// The list of an exhausted range is aligned, and the pin it suggests is not
/// one another project holds (here `pinned` has the first port past the
/// widened range).
#[test]
fn an_exhausted_range_suggests_a_pin_nobody_holds() {
    let env = TestEnv::new("14062-14063");
    for name in ["a", "billing", "pinned", "c"] {
        env.project(name);
    }
    env.run(["port", "-C", "a"]).success();
    env.run(["port", "-C", "billing"]).success();
    let pinned = env.output(
        env.command(["port", "-C", "pinned"])
            .env("IRIS_DEV_PORT", "14066"),
    );
    assert_eq!(pinned.success().port(), 14_066);
    assert_snapshot!(env.run(["port", "-C", "c"]).snapshot());
}
