//! Issue 16 §1-3 on a real engine: nothing typed in one project touches another
//! project's stack. A shell that ran `eval "$(iris-dev env)"` in one project
//! leaves the next alone; a compose project name another project owns is
//! refused before compose runs; a registry that was reset, or rewritten by
//! iris-devtester, still knows the stacks that run.
//!
//! Every test checks that the other project's container is the same container,
//! with the same configuration, and that its registry entry did not change.

use std::path::Path;
use std::process::Command;

use fs_err as fs;

use crate::support::{
    Cleanup, Compose, STANDIN, TestEnv, compose_matrix, docker_out, port_of, ports, standin,
};

compose_matrix!(an_eval_of_env_in_one_project_leaves_the_next_alone);

/// A project `name` (unique to `compose`, as the matrix runs at once on one
/// engine) whose IRIS service says who it is in its environment.
fn project(env: &TestEnv, name: &str, compose: Compose) -> (std::path::PathBuf, String) {
    let name = format!("{name}-{}", compose.suffix());
    let dir = env.project(&name);
    fs::write(
        dir.join("compose.yaml"),
        format!("services:\n  iris:\n    image: {STANDIN}\n    expose: [\"1972\"]\n    environment:\n      WHO: {name}\n"),
    )
    .unwrap();
    // Compose keeps `_` and lowercase letters: the directory's name is the
    // stack's.
    (dir, name.to_lowercase())
}

/// The container's id and the `WHO` its environment says.
fn identity(container: &str) -> (String, String) {
    let out = docker_out(&[
        "inspect",
        "--format",
        "{{.Id}} {{range .Config.Env}}{{println .}}{{end}}",
        container,
    ]);
    let id = out.split_whitespace().next().unwrap_or_default().to_owned();
    let who = out
        .lines()
        .find_map(|line| line.split_once("WHO=").map(|(_, who)| who.to_owned()))
        .unwrap_or_default();
    (id, who)
}

/// The ids of every container of compose project `name`, one a line.
fn containers_of(name: &str) -> String {
    docker_out(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={name}"),
    ])
}

/// The registry entry of `dir`, as JSON.
fn entry(env: &TestEnv, dir: &Path) -> serde_json::Value {
    let registry = env.registry_json();
    registry["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["project_path"] == dir.to_str().unwrap())
        .cloned()
        .unwrap_or_default()
}

/// Compose as the user types it in a shell script.
fn shell_compose(compose: Compose) -> &'static str {
    match compose {
        Compose::V1 => "docker-compose",
        Compose::V2Legacy | Compose::V2 => "docker compose",
    }
}

fn an_eval_of_env_in_one_project_leaves_the_next_alone(compose: Compose) {
    standin();
    let env = compose.env("isolation::an_eval_of_env_in_one_project_leaves_the_next_alone");
    let (shop, shop_name) = project(&env, "iso-eval-shop", compose);
    let (billing, billing_name) = project(&env, "iso-eval-billing", compose);
    let _cleanup = Cleanup(vec![shop_name.clone(), billing_name.clone()]);
    env.run_in(&shop, ["up", "--wait-timeout", "60"]).success();
    let shop_container = compose.container(&shop_name, "iris");
    let before = identity(&shop_container);
    let shop_entry = entry(&env, &shop);

    // The README's loop, in one shell: eval in shop, then work in billing.
    let script = format!(
        "set -e\ncd '{shop}'\neval \"$('{bin}' env)\"\ncd '{billing}'\n'{bin}' up --wait-timeout 60\n{compose} ps -q\n",
        shop = shop.display(),
        billing = billing.display(),
        bin = crate::support::BIN,
        compose = shell_compose(compose),
    );
    let run = env.output(env.program("sh").args(["-c", &script]));
    let run = run.success();
    let billing_container = compose.container(&billing_name, "iris");
    let (billing_id, billing_who) = identity(&billing_container);
    assert_eq!(
        billing_who, billing_name,
        "billing runs its own configuration"
    );
    assert_eq!(
        run.stdout().trim(),
        billing_id,
        "plain compose in billing, from the same shell, sees billing's own stack"
    );
    assert_eq!(
        identity(&shop_container),
        before,
        "shop's container is untouched"
    );
    assert_eq!(entry(&env, &shop), shop_entry, "shop's entry is untouched");
    assert_eq!(entry(&env, &billing)["compose_project"], billing_name);
}

/// The compose this machine runs the single-compose tests on.
const ONE: Compose = Compose::V1;

#[test]
#[cfg_attr(
    not(has_compose_v1),
    ignore = "needs docker-compose 1.x and a Docker engine"
)]
fn a_compose_name_another_project_owns_is_refused_before_compose_runs() {
    standin();
    let env =
        ONE.env("isolation::a_compose_name_another_project_owns_is_refused_before_compose_runs");
    let (shop, shop_name) = project(&env, "iso-owned-shop", ONE);
    let (billing, billing_name) = project(&env, "iso-owned-billing", ONE);
    let _cleanup = Cleanup(vec![shop_name.clone(), billing_name.clone()]);
    env.run_in(&shop, ["up", "--wait-timeout", "60"]).success();
    let shop_container = ONE.container(&shop_name, "iris");
    let before = identity(&shop_container);
    let registry = fs::read(env.registry()).unwrap();

    let refused = |run: crate::support::Run, origin: &str, hint: &str| {
        assert_eq!(run.code(), 1, "{}", run.stderr());
        run.assert_stderr_contains(&format!(
            "error: the compose project name `{shop_name}` ({origin}) is `{}`'s; iris-dev will not run `{}` under it",
            shop.display(),
            billing.display()
        ));
        run.assert_stderr_contains(hint);
        run.assert_stderr_contains("nothing was started or changed");
        assert_eq!(
            identity(&shop_container),
            before,
            "shop's container is untouched"
        );
        assert_eq!(
            fs::read(env.registry()).unwrap(),
            registry,
            "the registry is unchanged"
        );
        assert_eq!(containers_of(&billing_name), "");
    };
    // Left in the shell (by an older iris-dev's `env`, say).
    for args in [
        &["up", "--wait-timeout", "60"][..],
        &["down", "--volumes"],
        &["compose", "ps"],
        &["env"],
    ] {
        let mut command = env.command(args);
        command
            .current_dir(&billing)
            .env("COMPOSE_PROJECT_NAME", &shop_name);
        refused(
            env.output(&mut command),
            "`COMPOSE_PROJECT_NAME` in the environment",
            "`unset COMPOSE_PROJECT_NAME`",
        );
    }
    // In the project's `.env`, copied from the other project.
    let dotenv = billing.join(".env");
    fs::write(&dotenv, format!("COMPOSE_PROJECT_NAME={shop_name}\n")).unwrap();
    refused(
        env.run_in(&billing, ["up", "--wait-timeout", "60"]),
        &format!("`COMPOSE_PROJECT_NAME` in `{}`", dotenv.display()),
        &format!(
            "remove the `COMPOSE_PROJECT_NAME` line from `{}`",
            dotenv.display()
        ),
    );
    fs::remove_file(&dotenv).unwrap();
    // As the compose file's `name:`.
    let file = billing.join("compose.yaml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, format!("name: {shop_name}\n{text}")).unwrap();
    refused(
        env.run_in(&billing, ["up", "--wait-timeout", "60"]),
        &format!("`name:` in `{}`", file.display()),
        "give this project a name of its own",
    );
    let doctor = env.run_in(&billing, ["doctor"]);
    doctor.assert_stdout_contains("give this project a name of its own");
    fs::write(&file, text).unwrap();

    // The registry lost shop's entry: its running container still owns the name.
    env.run(["ports", "reset"]).success();
    let reset = fs::read(env.registry()).unwrap();
    let mut command = env.command(["up", "--wait-timeout", "60"]);
    command
        .current_dir(&billing)
        .env("COMPOSE_PROJECT_NAME", &shop_name);
    let run = env.output(&mut command);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    run.assert_stderr_contains(&format!("is `{}`'s", shop.display()));
    assert_eq!(
        identity(&shop_container),
        before,
        "shop's container is untouched"
    );
    assert_eq!(
        fs::read(env.registry()).unwrap(),
        reset,
        "the registry is unchanged"
    );

    // `down --all` with a name in the shell stops each project under its own.
    env.run_in(&shop, ["port"]).success();
    let mut command = env.command(["down", "--all"]);
    command.env("COMPOSE_PROJECT_NAME", &billing_name);
    env.output(&mut command).success();
    assert_eq!(
        containers_of(&shop_name),
        "",
        "shop stopped under its own name"
    );
}

/// iris-devtester's own `assign_port`, which rewrites every entry with its six
/// fields.
fn python_assigns(env: &TestEnv, project: &Path) {
    let python = crate::support::needs::python();
    let range = ports::block(
        "isolation::a_running_stack_survives_a_reset_and_iris_devtesters_rewrites/python",
    );
    let script = format!(
        "import sys\nfrom pathlib import Path\nfrom iris_devtester.ports import PortRegistry\nregistry = PortRegistry(registry_path=Path(sys.argv[1]), port_range=({}, {}))\nregistry.assign_port(sys.argv[2])\n",
        range.first(),
        range.last()
    );
    let output = Command::new(python)
        .args([
            "-c",
            &script,
            env.registry().to_str().unwrap(),
            project.to_str().unwrap(),
        ])
        .env("HOME", env.home())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
#[cfg_attr(
    not(all(has_compose_v1, has_python)),
    ignore = "needs docker-compose 1.x, a Docker engine and IRIS_DEV_TEST_PYTHON"
)]
fn a_running_stack_survives_a_reset_and_iris_devtesters_rewrites() {
    standin();
    let env = ONE.env("isolation::a_running_stack_survives_a_reset_and_iris_devtesters_rewrites");
    let (shop, shop_name) = project(&env, "iso-reset-shop", ONE);
    let _cleanup = Cleanup(vec![shop_name.clone()]);
    // Another project holds the range's first port, so shop runs on the second.
    let first = env.project("iso-reset-first");
    assert_eq!(port_of(&env, &first, false), env.ports().port(0));
    env.run_in(&shop, ["up", "--wait-timeout", "60"]).success();
    let port = port_of(&env, &shop, false);
    assert_eq!(port, env.ports().port(1));
    let container = ONE.container(&shop_name, "iris");
    let before = identity(&container);

    env.run(["ports", "reset"]).success();
    let run = env.run_in(&shop, ["port"]).success();
    assert_eq!(
        run.port(),
        port,
        "the running stack's port, not the lowest free one"
    );
    run.assert_stderr_contains(&format!(
        "the registry had lost `{}`; recovered port {port}",
        shop.display()
    ));
    assert_eq!(entry(&env, &shop)["compose_project"], shop_name);
    let status = env.run_in(&shop, ["status"]).success();
    assert!(!status.stderr().contains("warning"), "{}", status.stderr());

    // iris-devtester rewrites the file with its six fields per entry.
    python_assigns(&env, &env.project("iris-devtester-project"));
    let rewritten = env.registry_json();
    assert_eq!(
        entry(&env, &shop).get("compose_project"),
        None,
        "{rewritten:#}"
    );
    let list: serde_json::Value =
        serde_json::from_str(&env.run(["ports", "list", "--json"]).success().stdout()).unwrap();
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["project_path"] == shop.to_str().unwrap())
        .unwrap();
    assert_eq!(listed["compose_project"], shop_name, "{list:#}");
    assert!(
        ["healthy", "starting"].contains(&listed["state"].as_str().unwrap()),
        "its live state, from its containers: {list:#}"
    );
    assert_eq!(identity(&container), before, "nothing restarted it");

    // And after iris-devtester dropped the entry altogether.
    fs::write(
        env.registry(),
        r#"{"schema_version": "1.0", "assignments": []}"#,
    )
    .unwrap();
    let down = env.run(["down", "--all"]).success();
    down.assert_stderr_contains(&format!("stopped `{}`", shop.display()));
    assert_eq!(containers_of(&shop_name), "");
}

#[test]
#[cfg_attr(
    not(has_compose_v1),
    ignore = "needs docker-compose 1.x and a Docker engine"
)]
fn status_env_and_doctor_say_when_the_registry_and_the_stack_disagree() {
    standin();
    let env =
        ONE.env("isolation::status_env_and_doctor_say_when_the_registry_and_the_stack_disagree");
    let (shop, shop_name) = project(&env, "iso-disagree-shop", ONE);
    let _cleanup = Cleanup(vec![shop_name.clone()]);
    env.run_in(&shop, ["up", "--wait-timeout", "60"]).success();
    let port = port_of(&env, &shop, false);
    for args in [&["status"][..], &["env"]] {
        let run = env.run_in(&shop, args).success();
        assert!(!run.stderr().contains("disagree"), "{}", run.stderr());
    }
    // Another tool moved the entry while the stack runs on its old port.
    let mut registry = env.registry_json();
    let moved = port + 5;
    for entry in registry["assignments"].as_array_mut().unwrap() {
        entry["port"] = moved.into();
    }
    registry.as_object_mut().unwrap().remove("iris_dev_stacks");
    fs::write(env.registry(), registry.to_string()).unwrap();
    let said = format!(
        "the registry gives `{}` port {moved}, but its container `{}` runs on port {port}",
        shop.display(),
        ONE.container(&shop_name, "iris")
    );
    env.run_in(&shop, ["status"])
        .success()
        .assert_stderr_contains(&said);
    env.run_in(&shop, ["env"])
        .success()
        .assert_stderr_contains(&said);
    let doctor = env.run_in(&shop, ["doctor"]);
    doctor.assert_stdout_contains(&said);
    doctor.assert_stdout_contains(&format!(
        "`iris-dev up -C {}` starts it again on port {moved}",
        shop.display()
    ));
}

#[test]
#[cfg_attr(
    not(has_compose_v1),
    ignore = "needs docker-compose 1.x and a Docker engine"
)]
fn another_users_stack_of_the_same_name_is_left_alone() {
    standin();
    // Two users (two HOMEs, two registries) on one engine, each with a
    // checkout called the same.
    let block = ports::block("isolation::another_users_stack_of_the_same_name_is_left_alone");
    let alice = ONE.env_on(block.part(0, 10));
    let bob = ONE.env_on(block.part(10, 10));
    let (alice_app, name) = project(&alice, "iso-users-app", ONE);
    let (bob_app, _) = project(&bob, "iso-users-app", ONE);
    let bob_name = iris_dev::core::project::compose_project_name(bob_app.to_str().unwrap());
    let _cleanup = Cleanup(vec![name.clone(), bob_name.clone()]);
    alice
        .run_in(&alice_app, ["up", "--wait-timeout", "60"])
        .success();
    let alice_container = ONE.container(&name, "iris");
    let before = identity(&alice_container);

    let up = bob
        .run_in(&bob_app, ["up", "--wait-timeout", "60"])
        .success();
    up.assert_stderr_contains(&format!("({bob_name})"));
    assert_eq!(
        identity(&alice_container),
        before,
        "alice's container is untouched"
    );
    let (_, who) = identity(&ONE.container(&bob_name, "iris"));
    assert_eq!(who, name, "bob runs his own stack");
    // Bob's registry never takes Alice's stack as one of his own.
    bob.run(["ports", "reset"]).success();
    let list = bob.run(["ports", "list", "--json"]).success();
    assert!(
        !list.stdout().contains(alice_app.to_str().unwrap()),
        "{}",
        list.stdout()
    );
    bob.run(["down", "--all"]).success();
    assert_eq!(
        identity(&alice_container),
        before,
        "alice's container is untouched"
    );
}
