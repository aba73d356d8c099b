//! Issue 8 §1-2 on a real engine: the stack is the one plain compose finds in
//! the project, and `-f`, `COMPOSE_FILE`, `.env` and profiles choose it.

use fs_err as fs;
use std::net::Ipv4Addr;
use std::process::Command;

use crate::docker::{Cleanup, STANDIN, port_of, reachable, standin, v1_env};

fn standin_compose(extra: &str) -> String {
    format!("services:\n  iris:\n    image: {STANDIN}\n    expose: [\"1972\"]\n{extra}")
}

/// The services of the compose project `name` that have a container.
fn services(name: &str) -> Vec<String> {
    let output = crate::docker::docker_out(&[
        "ps",
        "-a",
        "--filter",
        &format!("label=com.docker.compose.project={name}"),
        "--format",
        "{{.Label \"com.docker.compose.service\"}}",
    ]);
    let mut services: Vec<String> = output.lines().map(str::to_owned).collect();
    services.sort();
    services
}

#[test]
#[cfg_attr(
    not(has_compose_v1),
    ignore = "needs docker-compose 1.x and a Docker engine"
)]
fn plain_compose_in_the_project_finds_the_stack() {
    standin();
    let env = v1_env("13300-13309");
    let dir = env.project("names-plain");
    fs::write(dir.join("compose.yaml"), standin_compose("")).unwrap();
    let _cleanup = Cleanup(vec!["names-plain".to_owned()]);
    let up = env.run(["up", "-C", "names-plain", "--wait-timeout", "60"]);
    up.success()
        .assert_stderr_contains("(compose project names-plain)");
    let ps = Command::new("docker-compose")
        .args(["ps", "-q"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let ids = String::from_utf8_lossy(&ps.stdout);
    assert!(
        ps.status.success(),
        "{}",
        String::from_utf8_lossy(&ps.stderr)
    );
    assert_eq!(ids.lines().count(), 1, "the IRIS container: {ids:?}");
    let env_out = env.run(["env", "-C", "names-plain"]).success().stdout();
    assert!(
        env_out.contains("COMPOSE_PROJECT_NAME=names-plain"),
        "{env_out}"
    );
}

#[test]
#[cfg_attr(
    not(has_compose_v1),
    ignore = "needs docker-compose 1.x and a Docker engine"
)]
fn two_checkouts_with_one_directory_name_run_at_once() {
    standin();
    let env = v1_env("13310-13319");
    let first = env.project("one/names-twin");
    let second = env.project("two/names-twin");
    for dir in [&first, &second] {
        fs::write(dir.join("compose.yaml"), standin_compose("")).unwrap();
    }
    let hashed = iris_dev::project::compose_project_name(second.to_str().unwrap());
    let _cleanup = Cleanup(vec!["names-twin".to_owned(), hashed.clone()]);
    env.run(["up", "-C", "one/names-twin", "--wait-timeout", "60"])
        .success();
    let up = env
        .run(["up", "-C", "two/names-twin", "--wait-timeout", "60"])
        .success();
    up.assert_stderr_contains(&format!("COMPOSE_PROJECT_NAME={hashed}"));
    for dir in [&first, &second] {
        let port = port_of(&env, dir, false);
        assert!(reachable(Ipv4Addr::LOCALHOST, port), "127.0.0.1:{port}");
    }
    assert_eq!(services("names-twin"), ["iris"]);
    assert_eq!(services(&hashed), ["iris"]);
    // Said once: the second `up` finds the name recorded.
    let again = env
        .run(["up", "-C", "two/names-twin", "--no-wait"])
        .success();
    assert!(
        !again.stderr().contains("COMPOSE_PROJECT_NAME="),
        "{}",
        again.stderr()
    );
}

#[test]
#[cfg_attr(
    not(has_compose_v1),
    ignore = "needs docker-compose 1.x and a Docker engine"
)]
fn flag_variable_and_dotenv_choose_a_non_default_file() {
    let env = v1_env("13320-13329");
    let dir = env.project("names-files");
    fs::create_dir_all(dir.join("ops")).unwrap();
    fs::write(dir.join("ops/dev.yaml"), standin_compose("")).unwrap();
    let file = dir.join("ops/dev.yaml");
    let file = file.to_str().unwrap();
    let check = |run: crate::support::Run| {
        let stdout = run.success().stdout();
        assert!(stdout.contains(&format!("-f {file} -f")), "{stdout}");
        assert!(
            stdout.contains("-p ops "),
            "the first file's directory: {stdout}"
        );
    };
    check(env.run(["-C", "names-files", "-f", "ops/dev.yaml", "up", "--dry-run"]));
    let dir_arg = dir.to_str().unwrap();
    check(
        v1_env("13340-13349")
            .with("COMPOSE_FILE", file)
            .run(["-C", dir_arg, "up", "--dry-run"]),
    );
    fs::write(dir.join(".env"), "COMPOSE_FILE=ops/dev.yaml\n").unwrap();
    check(env.run(["-C", "names-files", "up", "--dry-run"]));
}

#[test]
#[cfg_attr(
    not(has_compose_v1),
    ignore = "needs docker-compose 1.x and a Docker engine"
)]
fn a_profile_gated_service_starts_only_with_its_profile() {
    standin();
    let env = v1_env("13330-13339");
    let dir = env.project("names-profiles");
    let extra = format!("  extra:\n    image: {STANDIN}\n    profiles: [extra]\n");
    fs::write(dir.join("compose.yaml"), standin_compose(&extra)).unwrap();
    let _cleanup = Cleanup(vec!["names-profiles".to_owned()]);
    env.run(["up", "-C", "names-profiles", "--no-wait"])
        .success();
    assert_eq!(services("names-profiles"), ["iris"]);
    env.run([
        "--profile",
        "extra",
        "up",
        "-C",
        "names-profiles",
        "--no-wait",
    ])
    .success();
    assert_eq!(services("names-profiles"), ["extra", "iris"]);
}
