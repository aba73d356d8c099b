//! Whole-stack port safety on the real engine, on every compose: a fixed host port
//! another project holds stops `up` before compose runs and leaves the registry as
//! it was, and `isolate: all` gives every fixed host port of the stack a port of
//! the project's own. The host ports here are high (never 80 or 5432), so even a
//! regression never touches a well-known port.

use std::net::Ipv4Addr;

use fs_err as fs;
use iris_dev::core::project::compose_project_name;

use crate::support::{
    Cleanup, Compose, STANDIN, compose_matrix, compose_project, docker_out, port_of, reachable,
    standin,
};

compose_matrix!(
    a_port_another_stack_holds_stops_up_before_compose_runs,
    isolate_all_gives_every_service_its_own_ports,
    a_shared_container_name_stops_up_before_compose_runs,
    an_ephemeral_iris_port_in_the_base_warns_without_override,
);

/// The IRIS service's own ports as a compose without `!override` needs them, or
/// the well-known pair that `!override` replaces.
fn iris_ports(compose: Compose) -> &'static str {
    if compose.override_tag() {
        "      - \"1972:1972\"\n      - \"52773:52773\"\n"
    } else {
        "      - \"127.0.0.1:${IRIS_PORT:-1972}:1972\"\n"
    }
}

fn a_port_another_stack_holds_stops_up_before_compose_runs(compose: Compose) {
    standin();
    let env = compose.env("stack_ports::a_port_another_stack_holds_stops_up_before_compose_runs");
    let app_port = env.ports().port(9);
    let file = format!(
        "services:\n  iris:\n    image: {STANDIN}\n    ports:\n{}      - \"127.0.0.1:{app_port}:8080\"\n",
        iris_ports(compose)
    );
    let (_, a_name) = compose_project(&env, "a", &file);
    let (b, b_name) = compose_project(&env, "b", &file);
    let _cleanup = Cleanup(vec![a_name.clone(), b_name.clone()]);
    env.run(["up", "-C", "a", "--no-wait"]).success();
    assert!(reachable(Ipv4Addr::LOCALHOST, app_port));

    // `b` has ports already: a failed `up` must keep them exactly.
    let b_port = port_of(&env, &b, false);
    let before = env.registry_json();
    let run = env.run(["up", "-C", "b", "--no-wait"]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    run.assert_stderr_contains(&format!(
        "error: `{}` publishes port 8080 of service `iris` on host port {app_port}, which is taken",
        b.join("compose.yaml").display()
    ));
    run.assert_stderr_contains(&format!(
        "held by container `{}`",
        compose.container(&a_name, "iris")
    ));
    let line = 5 + iris_ports(compose).lines().count();
    run.assert_stderr_contains(&format!(
        "{line:>5} |       - \"127.0.0.1:{app_port}:8080\""
    ));
    run.assert_stderr_contains(&format!(
        "replace `\"127.0.0.1:{app_port}:8080\"` with `\"8080\"` (a port Docker picks), or with `\"${{IRIS_8080_PORT:-{app_port}}}:8080\"`"
    ));
    let label = format!("label=com.docker.compose.project={b_name}");
    assert_eq!(
        docker_out(&["ps", "-aq", "--filter", &label]),
        "",
        "compose never ran for b"
    );
    assert_eq!(env.registry_json(), before, "b's ports are unchanged");
    assert_eq!(port_of(&env, &b, false), b_port);
}

fn isolate_all_gives_every_service_its_own_ports(compose: Compose) {
    standin();
    let block = compose.block("stack_ports::isolate_all_gives_every_service_its_own_ports");
    let stack = block.part(10, 10);
    let env = compose
        .env_on(block.part(0, 10))
        .with("IRIS_DEV_STACK_PORT_RANGE", &stack.range());
    // A second service with a fixed host port, as a web gateway or a database
    // would have; the stand-in answers on its container port 1972.
    let fixed = block.port(20);
    let file = |db_port: &str| {
        format!(
            "x-iris-dev:\n  service: iris\n  isolate: all\nservices:\n  iris:\n    image: {STANDIN}\n    ports:\n{}  db:\n    image: {STANDIN}\n    ports:\n      - \"{db_port}:1972\"\n",
            iris_ports(compose)
        )
    };
    let (alpha, alpha_name) = compose_project(&env, "alpha", &file(&fixed.to_string()));
    let (beta, beta_name) = compose_project(&env, "beta", &file(&fixed.to_string()));
    let _cleanup = Cleanup(vec![alpha_name, beta_name]);

    if !compose.override_tag() {
        // Without `!override` the base's fixed port cannot be replaced: `up`
        // stops and names the variable to publish instead; the fix then works.
        let run = env.run(["up", "-C", "alpha", "--no-wait"]);
        assert_eq!(run.code(), 1, "{}", run.snapshot());
        run.assert_stderr_contains("publishes port 1972 of service `db` on host port");
        run.assert_stderr_contains(&format!(
            "with `\"127.0.0.1:${{IRIS_DEV_PORT_DB_1972:-{fixed}}}:1972\"`"
        ));
        let interpolated = file(&format!("127.0.0.1:${{IRIS_DEV_PORT_DB_1972:-{fixed}}}"));
        fs::write(alpha.join("compose.yaml"), &interpolated).unwrap();
        fs::write(beta.join("compose.yaml"), &interpolated).unwrap();
    }

    let mut stack_ports = Vec::new();
    for dir in ["alpha", "beta"] {
        env.run(["up", "-C", dir, "--wait-timeout", "60"]).success();
        let lines = env.run(["env", "-C", dir]).success().stdout();
        let port: u16 = lines
            .lines()
            .find_map(|line| line.strip_prefix("export IRIS_DEV_PORT_DB_1972="))
            .unwrap_or_else(|| panic!("env prints the stack port: {lines}"))
            .parse()
            .unwrap();
        assert!(reachable(Ipv4Addr::LOCALHOST, port), "{dir}'s db on {port}");
        stack_ports.push(port);
    }
    assert_ne!(stack_ports[0], stack_ports[1], "each project has its own");
    assert!(
        !reachable(Ipv4Addr::LOCALHOST, fixed),
        "{fixed} is never published"
    );
    assert!(stack_ports.iter().all(|port| stack.contains(*port)));

    // Sticky across `down` and `up`.
    env.run(["down", "-C", "alpha"]).success();
    env.run(["up", "-C", "alpha", "--no-wait"]).success();
    let status = env.run(["status", "-C", "alpha"]).success();
    status.assert_stdout_contains(&format!(
        "127.0.0.1:{} (IRIS_DEV_PORT_DB_1972)",
        stack_ports[0]
    ));
    let registry = env.registry_json();
    let alpha_entry = registry["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["project_path"].as_str().unwrap().ends_with("/alpha"))
        .unwrap();
    assert_eq!(alpha_entry["stack_ports"]["db:1972"], stack_ports[0]);
    assert!(port_of(&env, &beta, false) != port_of(&env, &alpha, false));

    // iris-devtester rewrites the registry with its own six fields only: the
    // stack ports come back from `iris_dev_stacks`, silently; only when that
    // copy is gone too does the next `up` assign them again, and say so.
    let python_rewrite = |drop_copy: bool| {
        let mut registry = env.registry_json();
        for entry in registry["assignments"].as_array_mut().unwrap() {
            let entry = entry.as_object_mut().unwrap();
            entry.retain(|key, _| {
                [
                    "project_path",
                    "port",
                    "assigned_at",
                    "assignment_type",
                    "status",
                    "container_name",
                ]
                .contains(&key.as_str())
            });
        }
        if drop_copy {
            registry.as_object_mut().unwrap().remove("iris_dev_stacks");
        }
        fs::write(
            env.registry(),
            serde_json::to_vec_pretty(&registry).unwrap(),
        )
        .unwrap();
    };
    let beta_db = |lines: &str| {
        lines
            .lines()
            .find_map(|line| line.strip_prefix("export IRIS_DEV_PORT_DB_1972="))
            .map(str::to_owned)
    };
    let before = beta_db(&env.run(["env", "-C", "beta"]).success().stdout());
    assert!(before.is_some());
    python_rewrite(false);
    let up = env.run(["up", "-C", "beta", "--no-wait"]).success();
    assert!(
        !up.stderr().contains("assigning them again"),
        "{}",
        up.stderr()
    );
    assert_eq!(
        beta_db(&env.run(["env", "-C", "beta"]).success().stdout()),
        before
    );
    python_rewrite(true);
    let up = env.run(["up", "-C", "beta", "--no-wait"]).success();
    up.assert_stderr_contains("(iris-devtester rewrites it without them); assigning them again");
    let lines = env.run(["env", "-C", "beta"]).success().stdout();
    assert!(lines.contains("export IRIS_DEV_PORT_DB_1972="), "{lines}");
}

fn a_shared_container_name_stops_up_before_compose_runs(compose: Compose) {
    standin();
    let env = compose.env("stack_ports::a_shared_container_name_stops_up_before_compose_runs");
    // Unique per test run and per compose: the matrix shares one engine.
    let fixed = format!(
        "{}-iris",
        compose_project_name(env.root().to_str().unwrap())
    );
    let file = format!(
        "services:\n  iris:\n    image: {STANDIN}\n    container_name: {fixed}\n    ports:\n{}",
        iris_ports(compose)
    );
    let (a, a_name) = compose_project(&env, "a", &file);
    let (b, b_name) = compose_project(&env, "b", &file);
    let _cleanup = Cleanup(vec![a_name.clone(), b_name.clone()]);
    env.run(["up", "-C", "a", "--no-wait"]).success();

    let b_port = port_of(&env, &b, false);
    let before = env.registry_json();
    for args in [
        ["up", "-C", "b", "--dry-run"],
        ["up", "-C", "b", "--no-wait"],
    ] {
        let run = env.run(args);
        assert_eq!(run.code(), 1, "{}", run.snapshot());
        run.assert_stderr_contains(&format!(
            "error: container name `{fixed}` of service `iris` is already used by compose project `{a_name}` (iris-dev project `{}`)",
            a.display()
        ));
        run.assert_stderr_contains(&format!("    4 |     container_name: {fixed}"));
        run.assert_stderr_contains(
            "`container_name: ${COMPOSE_PROJECT_NAME}-iris`, or remove the line",
        );
        assert!(!run.stderr().contains("starting"), "{}", run.snapshot());
    }
    let label = format!("label=com.docker.compose.project={b_name}");
    assert_eq!(
        docker_out(&["ps", "-aq", "--filter", &label]),
        "",
        "compose never ran for b"
    );
    assert_eq!(env.registry_json(), before, "b's entry is as it was");
    assert_eq!(port_of(&env, &b, false), b_port);
}

fn an_ephemeral_iris_port_in_the_base_warns_without_override(compose: Compose) {
    standin();
    let env = compose.env("stack_ports::an_ephemeral_iris_port_in_the_base_warns_without_override");
    let file = format!("services:\n  iris:\n    image: {STANDIN}\n    ports:\n      - \"1972\"\n");
    let (dir, name) = compose_project(&env, "template", &file);
    let _cleanup = Cleanup(vec![name]);
    let run = env.run(["up", "-C", "template", "--no-wait"]).success();
    let warning = format!(
        "`{}` line 5 (`- \"1972\"`) publishes IRIS's port 1972 on a port Docker picks, on every interface",
        dir.join("compose.yaml").display()
    );
    if compose.override_tag() {
        assert!(
            !run.stderr().contains("on a port Docker picks"),
            "{}",
            run.snapshot()
        );
    } else {
        run.assert_stderr_contains(&warning);
        run.assert_stderr_contains(
            "replace `\"1972\"` with `\"127.0.0.1:${IRIS_PORT:-1972}:1972\"`, or remove the entry (iris-dev publishes IRIS's ports itself)",
        );
    }
}
