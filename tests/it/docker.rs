//! End to end against the Docker engine on this machine, with the stand-in
//! image (`tests/support/engine.rs`).
//!
//! Where build.rs finds no engine these tests are ignored, with the reason, in the
//! summary; with `IRIS_DEV_DOCKER_TESTS=1` (as `.ci/run` sets) they always run, so a
//! missing engine is a failure. Most run once per compose ([`Compose`]).

use std::net::Ipv4Addr;
use std::process::Command;

use fs_err as fs;
use insta::assert_snapshot;
use iris_dev::core::project::compose_project_name;

use crate::support::{
    Cleanup, Compose, STANDIN, TestEnv, compose_matrix, compose_project, docker_out, port_of,
    reachable, standin, standin_compose, unique_name,
};

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

fn two_projects_run_side_by_side_on_loopback_only(compose: Compose) {
    standin();
    let env = compose.env("docker::two_projects_run_side_by_side_on_loopback_only");
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
    let env = compose.env("docker::down_then_up_keeps_the_ports");
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
    let ports = compose.block("docker::removed_containers_go_stale_and_free_their_port");
    let env = compose.env_on(ports.part(0, 1));
    let only = ports.port(0);
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
            .redact(&name, "[NAME]")
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
    let ports = compose
        .block("docker::a_base_file_publishing_1972_is_replaced_or_stops_before_anything_starts");
    let env = compose.env_on(ports.part(0, 8));
    // The base file's own host ports: high, so that a regression never binds 1972.
    let fixed = ports.port(8);
    let other = ports.port(9);
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
        let assigned = ports.port(0);
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
    assert!(reachable(Ipv4Addr::LOCALHOST, ports.port(0)));
}

fn the_projects_own_override_file_is_kept(compose: Compose) {
    standin();
    let env = compose.env("docker::the_projects_own_override_file_is_kept");
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
    let env = compose.env("docker::detection_names_the_compose_and_dry_run_changes_nothing");
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
    let env = TestEnv::new("docker::an_unreachable_engine_is_named_and_changes_nothing")
        .with("DOCKER_HOST", "unix:///nonexistent");
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
    let env = compose
        .env("docker::no_compose_file_runs_the_built_in_template")
        .with("IRIS_DEV_IMAGE", STANDIN);
    let port = env.ports().first();
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
    let env = compose
        .env("docker::the_templates_one_shot_is_not_unhealthy_after_a_clean_exit")
        .with("IRIS_DEV_IMAGE", STANDIN);
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
    let env = compose.env("docker::compose_errors_pass_through");
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
    let mut env = TestEnv::engine("docker::a_warm_project_notices_another_compose");
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
