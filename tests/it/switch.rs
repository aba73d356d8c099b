//! Issue 16 §4 on the real engine: a stack started with one compose is listed,
//! stopped and started again with another, in both directions between
//! docker-compose 1.29, compose v2 before `!override` (2.24.3) and v2 with it.

use fs_err as fs;

use crate::support::{
    Cleanup, Compose, TestEnv, compose_project, docker_out, standin, standin_compose,
};

/// The stack's containers, running or not.
fn containers(compose_name: &str) -> String {
    docker_out(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={compose_name}"),
    ])
}

/// `.iris-dev/compose.override.yaml` of the project.
fn override_text(dir: &std::path::Path) -> String {
    fs::read_to_string(dir.join(".iris-dev/compose.override.yaml")).unwrap()
}

/// Whether the file on disk is the one for `compose`: `!override` exactly when
/// it reads the tag.
fn assert_rendered_for(dir: &std::path::Path, compose: Compose) {
    let text = override_text(dir);
    assert_eq!(
        text.contains("!override"),
        compose.override_tag(),
        "the override for {compose:?}:\n{text}"
    );
}

/// `first` starts the stack; `second` lists it with `iris-dev compose ps`,
/// stops it with `iris-dev down`, and starts it again; `first` stops it with
/// `iris-dev down --all`.
#[track_caller]
fn switching(first: Compose, second: Compose, name: &str) {
    standin();
    let mut env: TestEnv = first.env(name);
    // A community template's ports: IRIS on ports Docker picks, which
    // `!override` drops and an older compose keeps beside iris-dev's.
    let file = standin_compose("    ports: [\"1972\", \"52773\"]\n");
    let (dir, name) = compose_project(&env, "switch", &file);
    let _cleanup = Cleanup(vec![name.clone()]);
    let use_compose = |env: &mut TestEnv, compose: Compose| {
        let config = compose.docker_config(env);
        env.set("DOCKER_CONFIG", &config);
    };

    env.run_in(&dir, ["up", "--wait-timeout", "60"]).success();
    assert_rendered_for(&dir, first);
    let running = containers(&name);
    assert_eq!(running.lines().count(), 1, "{running}");

    use_compose(&mut env, second);
    // `doctor` says so; the next command on the stack writes it for `second`.
    let doctor = env.run_in(&dir, ["doctor"]);
    let said = format!("{}{}", doctor.stdout(), doctor.stderr());
    assert!(
        said.contains("warn  override: `") && said.contains("was written for docker"),
        "{said}"
    );
    let ps = env.run_in(&dir, ["compose", "ps"]).success();
    ps.assert_stdout_contains(&first.container(&name, "iris"));
    assert_rendered_for(&dir, second);
    let doctor = env.run_in(&dir, ["doctor"]);
    assert!(
        !doctor.stdout().contains("override:"),
        "{}",
        doctor.stdout()
    );
    let down = env.run_in(&dir, ["down"]).success();
    down.assert_stderr_contains("it keeps port");
    assert_eq!(containers(&name), "", "`down` removed the stack");

    // `up` with the second compose renders the override for it, as always.
    env.run_in(&dir, ["up", "--wait-timeout", "60"]).success();
    assert_rendered_for(&dir, second);
    assert_eq!(containers(&name).lines().count(), 1);

    use_compose(&mut env, first);
    env.run_in(&dir, ["down", "--all"]).success();
    assert_eq!(containers(&name), "", "`down --all` removed the stack");
    assert_rendered_for(&dir, first);
}

#[test]
#[cfg_attr(
    not(all(has_compose_v1, has_compose_v2)),
    ignore = "needs docker-compose 1.x and compose v2 (IRIS_DEV_TEST_COMPOSE_V2, see .ci/run)"
)]
fn started_with_v2_then_listed_and_stopped_with_v1() {
    switching(
        Compose::V2,
        Compose::V1,
        "switch::started_with_v2_then_listed_and_stopped_with_v1",
    );
}

#[test]
#[cfg_attr(
    not(all(has_compose_v2, has_compose_v2_legacy)),
    ignore = "needs compose v2 and v2 < 2.24.4 (IRIS_DEV_TEST_COMPOSE_V2, IRIS_DEV_TEST_COMPOSE_V2_LEGACY, see .ci/run)"
)]
fn started_with_v2_then_listed_and_stopped_with_v2_legacy() {
    switching(
        Compose::V2,
        Compose::V2Legacy,
        "switch::started_with_v2_then_listed_and_stopped_with_v2_legacy",
    );
}

#[test]
#[cfg_attr(
    not(all(has_compose_v1, has_compose_v2)),
    ignore = "needs docker-compose 1.x and compose v2 (IRIS_DEV_TEST_COMPOSE_V2, see .ci/run)"
)]
fn started_with_v1_then_listed_and_stopped_with_v2() {
    switching(
        Compose::V1,
        Compose::V2,
        "switch::started_with_v1_then_listed_and_stopped_with_v2",
    );
}

/// An override with `!override` that an older iris-dev wrote has no
/// `override.json` to render it from: a compose that cannot read the tag runs
/// without it, with a warning, and `down` still stops the stack.
#[test]
#[cfg_attr(
    not(all(has_compose_v1, has_compose_v2)),
    ignore = "needs docker-compose 1.x and compose v2 (IRIS_DEV_TEST_COMPOSE_V2, see .ci/run)"
)]
fn an_older_iris_devs_override_is_left_out_where_compose_cannot_read_it() {
    standin();
    let mut env: TestEnv = Compose::V2
        .env("switch::an_older_iris_devs_override_is_left_out_where_compose_cannot_read_it");
    let (dir, name) = compose_project(&env, "older", &standin_compose("    expose: [\"1972\"]\n"));
    let _cleanup = Cleanup(vec![name.clone()]);
    env.run_in(&dir, ["up", "--wait-timeout", "60"]).success();
    // As an older iris-dev leaves it: the override alone.
    match fs::remove_file(dir.join(".iris-dev/override.json")) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => panic!("{err}"),
        _ => {}
    }
    let before = override_text(&dir);
    assert!(before.contains("!override"), "{before}");

    let config = Compose::V1.docker_config(&env);
    env.set("DOCKER_CONFIG", &config);
    let down = env.run_in(&dir, ["down"]).success();
    down.assert_stderr_contains("uses `!override`, which docker-compose 1.");
    down.assert_stderr_contains("leaving it out");
    assert_eq!(containers(&name), "");
    assert_eq!(override_text(&dir), before, "the file is left as it was");
}
