//! Issue 8 §1-2 on a real engine, on every compose ([`Compose`]): the stack is
//! the one plain compose finds in the project, and `-f`, `COMPOSE_FILE`, `.env`
//! and profiles choose it.
//!
//! These stacks are named after their directories, as compose names them, and
//! the three variants of a test run at once on one engine: each directory ends
//! in its compose's suffix (`names-plain-v2_legacy`), so no two share a stack.

use std::net::Ipv4Addr;

use fs_err as fs;
use iris_dev::core::project::compose_project_name;

use crate::support::{
    Cleanup, Compose, STANDIN, compose_matrix, docker_out, port_of, reachable, standin,
};

compose_matrix!(
    plain_compose_in_the_project_finds_the_stack,
    two_checkouts_with_one_directory_name_run_at_once,
    flag_variable_and_dotenv_choose_a_non_default_file,
    a_profile_gated_service_starts_only_with_its_profile,
);

fn standin_compose(extra: &str) -> String {
    format!("services:\n  iris:\n    image: {STANDIN}\n    expose: [\"1972\"]\n{extra}")
}

/// `base` for this compose: a directory name, and so the name compose gives its
/// stack, that no other variant of the test uses.
fn per_compose(base: &str, compose: Compose) -> String {
    format!("{base}-{}", compose.suffix())
}

/// The services of the compose project `name` that have a container.
fn services(name: &str) -> Vec<String> {
    let output = docker_out(&[
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

fn plain_compose_in_the_project_finds_the_stack(compose: Compose) {
    standin();
    let env = compose.env("names::plain_compose_in_the_project_finds_the_stack");
    let name = per_compose("names-plain", compose);
    let dir = env.project(&name);
    fs::write(dir.join("compose.yaml"), standin_compose("")).unwrap();
    let _cleanup = Cleanup(vec![name.clone()]);
    env.run(["up", "-C", &name, "--wait-timeout", "60"])
        .success()
        .assert_stderr_contains(&format!("(compose project {name})"));

    // Plain compose, with no name or file given, sees exactly the container
    // iris-dev started, and the port iris-dev assigned.
    let plain = |args: &[&str]| {
        let output = compose
            .plain(&env)
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        let run = env.wrap(output).success();
        run.stdout()
    };
    let container = compose.container(&name, "iris");
    let id = docker_out(&["inspect", "--format", "{{.Id}}", &container]);
    assert_eq!(plain(&["ps", "-q"]), id, "the IRIS container `{container}`");
    let port = port_of(&env, &dir, false);
    assert_eq!(
        plain(&["port", "iris", "1972"]),
        format!("127.0.0.1:{port}\n")
    );
    let env_out = env.run(["env", "-C", &name]).success().stdout();
    assert!(
        env_out.contains(&format!("IRIS_DEV_COMPOSE_PROJECT={name}\n")),
        "{env_out}"
    );
}

fn two_checkouts_with_one_directory_name_run_at_once(compose: Compose) {
    standin();
    let env = compose.env("names::two_checkouts_with_one_directory_name_run_at_once");
    let twin = per_compose("names-twin", compose);
    let (first_arg, second_arg) = (format!("one/{twin}"), format!("two/{twin}"));
    let first = env.project(&first_arg);
    let second = env.project(&second_arg);
    for dir in [&first, &second] {
        fs::write(dir.join("compose.yaml"), standin_compose("")).unwrap();
    }
    let hashed = compose_project_name(second.to_str().unwrap());
    let _cleanup = Cleanup(vec![twin.clone(), hashed.clone()]);
    env.run(["up", "-C", &first_arg, "--wait-timeout", "60"])
        .success();
    let up = env
        .run(["up", "-C", &second_arg, "--wait-timeout", "60"])
        .success();
    let dotenv = second.join(".env");
    up.assert_stderr_contains(&format!(
        "wrote `COMPOSE_PROJECT_NAME={hashed}` to `{}`",
        dotenv.display()
    ));
    for dir in [&first, &second] {
        let port = port_of(&env, dir, false);
        assert!(reachable(Ipv4Addr::LOCALHOST, port), "127.0.0.1:{port}");
    }
    assert_eq!(services(&twin), ["iris"]);
    assert_eq!(services(&hashed), ["iris"]);
    // Plain compose in each checkout, as the user (or the ObjectScript
    // extension, with `-f`) types it, sees that checkout's own container.
    let plain_ps = |dir: &std::path::Path, args: &[&str]| {
        let output = compose
            .plain(&env)
            .args(args)
            .args(["ps", "-q"])
            .current_dir(dir)
            .output()
            .unwrap();
        env.wrap(output).success().stdout()
    };
    for (dir, name) in [(&first, &twin), (&second, &hashed)] {
        let id = docker_out(&[
            "inspect",
            "--format",
            "{{.Id}}",
            &compose.container(name, "iris"),
        ]);
        assert_eq!(
            plain_ps(dir, &[]),
            id,
            "plain compose in `{}`",
            dir.display()
        );
        assert_eq!(plain_ps(dir, &["-f", "compose.yaml"]), id, "with `-f`");
    }
    // Said once: the second `up` finds the line in place.
    let again = env.run(["up", "-C", &second_arg, "--no-wait"]).success();
    assert!(
        !again.stderr().contains("COMPOSE_PROJECT_NAME="),
        "{}",
        again.stderr()
    );
    let status = env.run(["status", "-C", &second_arg]).success();
    assert!(
        !status.stderr().contains("plain `docker compose`"),
        "{}",
        status.stderr()
    );
    // A `.env` that is removed (or committed from another checkout) is said
    // by `status` and `doctor` every time, and put right by the next `up`.
    fs::write(
        &dotenv,
        format!(
            "{}\nCOMPOSE_PROJECT_NAME={twin}-0badc0de\nKEEP=1\n",
            iris_dev::core::dotenv::MANAGED_MARKER
        ),
    )
    .unwrap();
    for _ in 0..2 {
        env.run(["status", "-C", &second_arg])
            .success()
            .assert_stderr_contains(&format!(
                "acts on compose project `{twin}-0badc0de`, not on this stack's `{hashed}`"
            ));
    }
    let doctor = env.run(["doctor", "-C", &second_arg]);
    let plain = if compose == Compose::V1 {
        "docker-compose"
    } else {
        "docker compose"
    };
    doctor.assert_stdout_contains(&format!(
        "plain `{plain}` in `{}` acts on compose project `{twin}-0badc0de`",
        env.root().join("two").join(&twin).display()
    ));
    env.run(["up", "-C", &second_arg, "--no-wait"]).success();
    let text = fs::read_to_string(&dotenv).unwrap();
    assert!(
        text.contains(&format!("\nCOMPOSE_PROJECT_NAME={hashed}\n")),
        "{text}"
    );
    assert!(text.ends_with("KEEP=1\n"), "the user's line stays: {text}");
    fs::remove_file(&dotenv).unwrap();
    env.run(["status", "-C", &second_arg])
        .success()
        .assert_stderr_contains(&format!("acts on compose project `{twin}`"));
    env.run(["up", "-C", &second_arg, "--no-wait"]).success();
    assert_eq!(
        plain_ps(&second, &[]),
        docker_out(&[
            "inspect",
            "--format",
            "{{.Id}}",
            &compose.container(&hashed, "iris")
        ])
    );
}

/// Dry runs only: no stack starts, so one directory name serves all three
/// composes.
fn flag_variable_and_dotenv_choose_a_non_default_file(compose: Compose) {
    let env = compose.env("names::flag_variable_and_dotenv_choose_a_non_default_file");
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
        compose
            .env("names::flag_variable_and_dotenv_choose_a_non_default_file/compose_file")
            .with("COMPOSE_FILE", file)
            .run(["-C", dir_arg, "up", "--dry-run"]),
    );
    fs::write(dir.join(".env"), "COMPOSE_FILE=ops/dev.yaml\n").unwrap();
    check(env.run(["-C", "names-files", "up", "--dry-run"]));
}

fn a_profile_gated_service_starts_only_with_its_profile(compose: Compose) {
    standin();
    let env = compose.env("names::a_profile_gated_service_starts_only_with_its_profile");
    let name = per_compose("names-profiles", compose);
    let dir = env.project(&name);
    let extra = format!("  extra:\n    image: {STANDIN}\n    profiles: [extra]\n");
    fs::write(dir.join("compose.yaml"), standin_compose(&extra)).unwrap();
    let _cleanup = Cleanup(vec![name.clone()]);
    env.run(["up", "-C", &name, "--no-wait"]).success();
    assert_eq!(services(&name), ["iris"]);
    env.run(["--profile", "extra", "up", "-C", &name, "--no-wait"])
        .success();
    assert_eq!(services(&name), ["extra", "iris"]);
}
