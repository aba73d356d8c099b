//! Issue 16 §6 on the real engine: IRIS gets time to stop. A stand-in that
//! needs 12 s after SIGTERM (`STANDIN_STOP_AFTER`), in a compose file without
//! `stop_grace_period`, past Docker's 10 s default, on every compose
//! ([`Compose`]).

use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{
    Cleanup, Compose, TestEnv, compose_matrix, compose_project, docker_out, standin,
};

compose_matrix!(iris_stops_cleanly_without_a_grace_period_of_its_own);

/// The id of the compose project's one container.
fn container(compose_name: &str) -> String {
    let id = docker_out(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={compose_name}"),
    ]);
    assert_eq!(id.lines().count(), 1, "one container: {id}");
    id.trim().to_owned()
}

/// Runs `stop` while `docker wait` watches the container, and returns the exit
/// code the container ended with, which `docker wait` reports even when `stop`
/// removed the container: 0 for a clean stop, 137 when it was killed.
fn exit_code_after(id: &str, stop: impl FnOnce()) -> String {
    let wait = Command::new("docker")
        .args(["wait", id])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    stop();
    let output = wait.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Plain compose in the project, as the user types it, without iris-dev's
/// override.
fn plain(compose: Compose, env: &TestEnv, dir: &Path, args: &[&str]) {
    let output = compose
        .plain(env)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn iris_stops_cleanly_without_a_grace_period_of_its_own(compose: Compose) {
    standin();
    let env = compose.env("grace::iris_stops_cleanly_without_a_grace_period_of_its_own");
    let file = format!(
        "services:\n  iris:\n    image: {}\n    expose: [\"1972\"]\n    environment:\n      STANDIN_STOP_AFTER: \"12\"\n",
        crate::support::STANDIN
    );
    let (dir, name) = compose_project(&env, "grace", &file);
    let _cleanup = Cleanup(vec![name.clone()]);
    let up = || {
        env.run_in(&dir, ["up", "--wait-timeout", "60"]).success();
        container(&name)
    };

    let id = up();
    // The override's grace period is the container's own stop timeout.
    assert_eq!(
        docker_out(&["inspect", "-f", "{{.Config.StopTimeout}}", &id]).trim(),
        "60"
    );
    let code = exit_code_after(&id, || {
        env.run_in(&dir, ["down"]).success();
    });
    assert_eq!(code, "0", "`iris-dev down` lets IRIS stop by itself");

    // Plain `stop`, without the override: compose v2 leaves the timeout to the
    // engine, which takes the container's; docker-compose 1.29 passes its own
    // 10 s (README: "Compose integration").
    let id = up();
    plain(compose, &env, &dir, &["stop"]);
    let code = docker_out(&["inspect", "-f", "{{.State.ExitCode}}", &id]);
    let expected = match compose {
        Compose::V1 => "137",
        Compose::V2Legacy | Compose::V2 => "0",
    };
    assert_eq!(code.trim(), expected, "plain `stop` with {compose:?}");

    // Plain `down`, with the `-t 60` README gives for docker-compose 1.29.
    let id = up();
    let down: &[&str] = match compose {
        Compose::V1 => &["down", "-t", "60"],
        Compose::V2Legacy | Compose::V2 => &["down"],
    };
    let code = exit_code_after(&id, || plain(compose, &env, &dir, down));
    assert_eq!(code, "0", "plain {down:?} with {compose:?}");
    assert_eq!(
        docker_out(&[
            "ps",
            "-aq",
            "--filter",
            &format!("label=com.docker.compose.project={name}")
        ]),
        ""
    );
}
