//! Issue 7 on the real engine: `up` ready when IRIS's own health check passes,
//! the built-in template's durable %SYS, and one set of connection settings for
//! iris-devtester. Stand-in variants (tests/standin/README.md) play IRIS.

use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Command, Stdio};

use fs_err as fs;

use crate::support::{
    Cleanup, TestEnv, compose_project, docker_out, port_of, reachable, standin, standin_variant,
};

const SLOWHEALTH: &str = "iris-dev-standin:slowhealth";
const NOHEALTH: &str = "iris-dev-standin:nohealth";
const IRISOWNER: &str = "iris-dev-standin:irisowner";
const IRISOWNER_V2: &str = "iris-dev-standin:irisowner-v2";

/// Builds the variant, or fails the test with why.
fn variant(tag: &str) -> &str {
    let args: &[&str] = match tag {
        SLOWHEALTH => &["--target", "slowhealth"],
        NOHEALTH => &["--target", "nohealth"],
        IRISOWNER => &["--build-arg", "STANDIN_USER=51773"],
        IRISOWNER_V2 => &[
            "--build-arg",
            "STANDIN_USER=51773",
            "--build-arg",
            "STANDIN_VERSION=2",
        ],
        other => panic!("no such variant {other}"),
    };
    standin_variant(tag, args).unwrap();
    tag
}

/// A compose file with one IRIS service from `image` and this environment.
fn service(image: &str, environment: &[(&str, &str)]) -> String {
    let mut text = format!("services:\n  iris:\n    image: {image}\n    expose: [\"1972\"]\n");
    if !environment.is_empty() {
        text.push_str("    environment:\n");
        for (name, value) in environment {
            text.push_str(&format!("      {name}: \"{value}\"\n"));
        }
    }
    text
}

/// The id of the compose project's container for `service`.
fn container(compose_name: &str, service: &str) -> String {
    let id = docker_out(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={compose_name}"),
        "--filter",
        &format!("label=com.docker.compose.service={service}"),
    ]);
    let id = id.trim();
    assert!(!id.is_empty(), "no container for {compose_name}/{service}");
    id.to_owned()
}

fn exec(id: &str, args: &[&str], stdin: &str) -> String {
    let output = crate::support::pipe_into(
        Command::new("docker").args(["exec", "-i", id]).args(args),
        stdin,
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn up_is_ready_when_the_services_own_check_passes_not_at_the_next_interval() {
    standin();
    let image = variant(SLOWHEALTH);
    let env = TestEnv::engine(
        "iris::up_is_ready_when_the_services_own_check_passes_not_at_the_next_interval",
    );
    let (dir, name) = compose_project(
        &env,
        "slow",
        &service(image, &[("STANDIN_READY_AFTER", "3")]),
    );
    let _cleanup = Cleanup(vec![name.clone()]);
    let up = env
        .run(["up", "-C", dir.to_str().unwrap(), "--wait-timeout", "60"])
        .success();
    // Right after `up` returns: the instance listens (its terminal needs the
    // superserver), the check says ok, and the engine has not run its first check
    // (60 s interval) yet. A TCP connect alone proves nothing: Docker's userland
    // proxy accepts before anything listens.
    let port = port_of(&env, &dir, false);
    let id = container(&name, "iris");
    assert!(reachable(Ipv4Addr::LOCALHOST, port), "{}", up.stderr());
    assert!(
        docker_out(&["logs", &id]).contains("standin: listening on 1972 and 52773"),
        "up returned before the service was ready"
    );
    let check = exec(&id, &["/standin", "check"], "");
    assert!(check.starts_with("ok: "), "{check}");
    let session = exec(&id, &["iris", "session", "IRIS"], "write 1+1\nhalt\n");
    assert!(session.contains("USER>write 1+1\n2"), "{session}");
    assert_eq!(
        docker_out(&["inspect", "--format", "{{.State.Health.Status}}", &id]).trim(),
        "starting",
        "the engine's own check should not have run yet"
    );
    up.assert_stderr_contains("health check: superserver not listening yet on port 1972");
    up.assert_stderr_contains("ready IRIS for");
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn without_a_health_check_up_waits_for_the_port_and_says_so() {
    standin();
    let image = variant(NOHEALTH);
    let env = TestEnv::engine("iris::without_a_health_check_up_waits_for_the_port_and_says_so");
    let (dir, name) = compose_project(&env, "plain", &service(image, &[]));
    let _cleanup = Cleanup(vec![name.clone()]);
    let up = env
        .run([
            "up",
            "-v",
            "-C",
            dir.to_str().unwrap(),
            "--wait-timeout",
            "60",
        ])
        .success();
    up.assert_stderr_contains("the `iris` service has no health check");
    assert!(reachable(Ipv4Addr::LOCALHOST, port_of(&env, &dir, false)));
    let id = container(&name, "iris");
    let session = exec(&id, &["iris", "session", "IRIS"], "write 1+1\nhalt\n");
    assert!(session.contains("USER>write 1+1\n2"), "{session}");
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn a_check_that_never_passes_times_out_with_its_last_output() {
    standin();
    let image = variant(SLOWHEALTH);
    let env = TestEnv::engine("iris::a_check_that_never_passes_times_out_with_its_last_output");
    let (dir, name) = compose_project(
        &env,
        "never",
        &service(image, &[("STANDIN_NEVER_READY", "1")]),
    );
    let _cleanup = Cleanup(vec![name]);
    let up = env.run(["up", "-C", dir.to_str().unwrap(), "--wait-timeout", "4"]);
    assert_eq!(up.code(), 1, "{}", up.stderr());
    up.assert_stderr_contains("did not answer on 127.0.0.1:");
    up.assert_stderr_contains(
        "its health check said: instance not ready: STANDIN_NEVER_READY=1 keeps this check failing",
    );
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn a_container_that_exits_during_the_wait_ends_it() {
    standin();
    let image = variant(SLOWHEALTH);
    let env = TestEnv::engine("iris::a_container_that_exits_during_the_wait_ends_it");
    let (dir, name) = compose_project(
        &env,
        "exits",
        &service(
            image,
            &[("STANDIN_READY_AFTER", "60"), ("STANDIN_EXIT_AFTER", "1.5")],
        ),
    );
    let _cleanup = Cleanup(vec![name]);
    let up = env.run(["up", "-C", dir.to_str().unwrap(), "--wait-timeout", "60"]);
    assert_eq!(up.code(), 1, "{}", up.stderr());
    up.assert_stderr_contains("exited with code 3");
    // No line of the table: the last lines of the log instead (issue 19).
    up.assert_stderr_contains("  | standin: exiting with code 3 as STANDIN_EXIT_AFTER asked");
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn the_template_keeps_durable_sys_writable_across_down_up_and_an_image_change() {
    standin();
    variant(IRISOWNER);
    variant(IRISOWNER_V2);
    let mut env = TestEnv::engine(
        "iris::the_template_keeps_durable_sys_writable_across_down_up_and_an_image_change",
    )
    .with("IRIS_DEV_IMAGE", IRISOWNER);
    let dir = env.project("durable");
    let name = crate::support::unique_name(&dir);
    let _cleanup = Cleanup(vec![name.clone()]);
    let dir_arg = dir.to_str().unwrap().to_owned();
    env.run(["init", "-C", &dir_arg]).success();
    // The project's own override, as a user would add one: a stop that takes 3 s.
    fs::write(
        dir.join("compose.override.yaml"),
        "services:\n  iris:\n    environment:\n      STANDIN_STOP_AFTER: \"3\"\n",
    )
    .unwrap();

    let up = |env: &TestEnv| {
        env.run(["up", "-C", &dir_arg, "--wait-timeout", "60"])
            .success()
    };
    let down = |env: &TestEnv| {
        let id = container(&name, "iris");
        let wait = Command::new("docker")
            .args(["wait", &id])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        env.run(["down", "-C", &dir_arg]).success();
        let code = wait.wait_with_output().unwrap();
        String::from_utf8_lossy(&code.stdout).trim().to_owned()
    };

    up(&env);
    let id = container(&name, "iris");
    assert_eq!(
        exec(&id, &["stat", "-c", "%u:%g", "/durable/iris"], "").trim(),
        "51773:51773"
    );
    // The stand-in runs as 51773 and wrote there at start.
    assert_eq!(
        exec(&id, &["cat", "/durable/iris/iris.cpf"], ""),
        "started version=1\n"
    );
    assert_eq!(down(&env), "0", "IRIS gets to stop by itself, not killed");

    up(&env);
    let id = container(&name, "iris");
    assert_eq!(
        exec(&id, &["cat", "/durable/iris/iris.cpf"], ""),
        "started version=1\nstarted version=1\n"
    );
    assert_eq!(down(&env), "0");

    env.set("IRIS_DEV_IMAGE", IRISOWNER_V2);
    up(&env);
    let id = container(&name, "iris");
    assert_eq!(
        exec(&id, &["cat", "/durable/iris/iris.cpf"], ""),
        "started version=1\nstarted version=1\nstarted version=2\n"
    );
    assert!(docker_out(&["logs", &id]).contains("upgraded in place from 1 to 2"));
    env.run(["down", "-C", &dir_arg, "--volumes"]).success();
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn a_volume_over_the_installations_mgr_gets_migration_steps() {
    standin();
    let env = TestEnv::engine("iris::a_volume_over_the_installations_mgr_gets_migration_steps");
    let (dir, name) = compose_project(
        &env,
        "old",
        &format!(
            "{}    volumes:\n      - data:/usr/irissys/mgr\nvolumes:\n  data:\n",
            service(crate::support::STANDIN, &[])
        ),
    );
    let _cleanup = Cleanup(vec![name.clone()]);
    let up = env
        .run(["up", "-C", dir.to_str().unwrap(), "--wait-timeout", "60"])
        .success();
    up.assert_stderr_contains("mounts a volume over `/usr/irissys/mgr` in `iris`");
    up.assert_stderr_contains("ISC_DATA_DIRECTORY");
    env.run(["down", "-C", dir.to_str().unwrap()]).success();
    let volumes = docker_out(&[
        "volume",
        "ls",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={name}"),
    ]);
    assert!(volumes.contains("data"), "nothing is deleted: {volumes}");
}

/// What iris-devtester's `discover_config()` returns, run in `cwd` with only
/// these variables (and a HOME with nothing in it).
fn discover(cwd: &Path, home: &Path, exports: Option<&str>) -> serde_json::Value {
    const SCRIPT: &str = "import json\nfrom iris_devtester.config import discover_config\nc = discover_config()\nprint(json.dumps([c.host, c.port, c.namespace, c.username, c.password]))";
    let python = crate::support::needs::python();
    let mut command = Command::new("sh");
    let script = format!("{}\nexec \"$PYTHON\" -c \"$SCRIPT\"", exports.unwrap_or(""));
    command
        .args(["-c", &script])
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("PYTHON", python)
        .env("SCRIPT", SCRIPT)
        .current_dir(cwd);
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
#[cfg_attr(
    not(all(has_python, has_docker)),
    ignore = "needs IRIS_DEV_TEST_PYTHON (a Python with iris-devtester, see .ci/run) and compose"
)]
fn iris_devtester_discovers_this_stacks_settings_from_env_and_dotenv() {
    let env =
        TestEnv::engine("iris::iris_devtester_discovers_this_stacks_settings_from_env_and_dotenv");
    let all = service(
        crate::support::STANDIN,
        &[
            ("IRIS_NAMESPACE", "APP"),
            ("IRIS_USERNAME", "dev"),
            // `$$` is compose's escape: the service gets `it's a $ecret`.
            ("IRIS_PASSWORD", "it's a $$ecret"),
        ],
    );
    let none = service(crate::support::STANDIN, &[]);
    let home = env.project("python-home");
    for (name, compose, login) in [
        ("all", all, ["APP", "dev", "it's a $ecret"]),
        // iris-devtester's own defaults, which are IRIS's.
        ("none", none, ["USER", "_SYSTEM", "SYS"]),
    ] {
        let (dir, _) = compose_project(&env, name, &compose);
        let dir_arg = dir.to_str().unwrap();
        let port = env.run(["port", "-C", dir_arg]).success().port();
        let expected = serde_json::json!(["127.0.0.1", port, login[0], login[1], login[2]]);

        let exports = env.run(["env", "-C", dir_arg]).success().stdout();
        assert_eq!(
            exports.contains("IRIS_PASSWORD"),
            name == "all",
            "never invented: {exports}"
        );
        let elsewhere = env.project(&format!("{name}-shell"));
        assert_eq!(
            discover(&elsewhere, &home, Some(&exports)),
            expected,
            "eval \"$(iris-dev env)\" for {name}"
        );

        let dotenv = env
            .run(["env", "-C", dir_arg, "--format", "dotenv"])
            .success()
            .stdout();
        let cwd = env.project(&format!("{name}-dotenv"));
        fs::write(cwd.join(".env"), dotenv).unwrap();
        assert_eq!(
            discover(&cwd, &home, None),
            expected,
            "iris-dev env --format dotenv > .env for {name}"
        );
    }
}
