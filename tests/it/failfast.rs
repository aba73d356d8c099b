//! Issue 19 on the real engine: when IRIS cannot start, `up` says why within
//! seconds, not at `--wait-timeout`. Stand-ins print what real IRIS prints
//! (`STANDIN_LOG_AND_EXIT`, tests/standin/README.md) and exit, under
//! `restart: always` as community templates run IRIS, or with no restart policy.
//!
//! Every wait here is given 120 s: a failure that says its cause came from the
//! log and the container's state, not from the timeout.

use insta::assert_snapshot;

use crate::support::{
    Cleanup, Run, STANDIN, TestEnv, compose_project, docker_out, standin, standin_variant,
};

const NOHEALTH: &str = "iris-dev-standin:nohealth";

/// What an IRIS container with an expired community licence prints (public
/// issue intersystems-community/iris-embedded-python-template#3), with `$`
/// escaped for compose.
const EXPIRED: &str = "This copy of InterSystems IRIS has been licensed for use exclusively by:\\nCommunity License expired.\\nCopyright (c) 1986-2020 by InterSystems Corporation\\nAny other use is a violation of your license agreement\\n\\nError: Invalid Community Edition license, may have exceeded core limit. - Shutting down the system : $$zu(56,2)= 0Starting IRIS\\n\\nAn error was detected during InterSystems IRIS startup.\\n** Startup aborted **";

/// A compose file whose IRIS service prints `log` and exits with 1, restarted
/// by `restart` when given.
fn failing(image: &str, restart: Option<&str>, log: &str) -> String {
    let restart = restart
        .map(|policy| format!("    restart: {policy}\n"))
        .unwrap_or_default();
    format!(
        "services:\n  iris:\n    image: {image}\n    expose: [\"1972\"]\n{restart}    environment:\n      STANDIN_LOG_AND_EXIT: \"{log}\"\n"
    )
}

/// `up` with a long timeout, which must fail.
fn up_fails(env: &TestEnv, dir: &std::path::Path) -> Run {
    let up = env.run(["up", "-C", dir.to_str().unwrap(), "--wait-timeout", "120"]);
    assert_eq!(up.code(), 1, "{}", up.snapshot());
    assert!(
        !up.stderr().contains("within 120s"),
        "it waited for the timeout:\n{}",
        up.snapshot()
    );
    up
}

/// The error `up` printed, from `error:` on, with the names that differ per run
/// replaced.
fn error_text(up: &Run, name: &str) -> String {
    let text = up.snapshot();
    let at = text
        .find("error:")
        .unwrap_or_else(|| panic!("no error printed:\n{text}"));
    text[at..]
        .replace(&format!("{name}-iris-1"), "[CONTAINER]")
        .replace(&format!("{name}_iris_1"), "[CONTAINER]")
        // A loop seen between two runs knows the exit code; one seen running
        // again does not (which of the two depends on timing alone).
        .replace(
            "keeps restarting: it exited with code 1",
            "keeps restarting",
        )
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn an_expired_licence_in_a_restart_loop_is_named_with_the_image_line() {
    standin();
    let env = TestEnv::engine(
        "failfast::an_expired_licence_in_a_restart_loop_is_named_with_the_image_line",
    );
    let (dir, name) = compose_project(&env, "licence", &failing(STANDIN, Some("always"), EXPIRED));
    let _cleanup = Cleanup(vec![name.clone()]);
    let up = up_fails(&env, &dir);
    up.assert_stderr_contains("its log: Community License expired.");
    up.assert_stderr_contains("line 3: `image: iris-dev-standin:test`");
    assert_snapshot!("expired_licence_restart_always", error_text(&up, &name));
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn without_a_health_check_a_restart_loop_is_never_ready() {
    // The userland proxy accepts on the published port while nothing listens
    // in the container: 014c724 called this IRIS ready.
    standin();
    standin_variant(NOHEALTH, &["--target", "nohealth"]).unwrap();
    let env = TestEnv::engine("failfast::without_a_health_check_a_restart_loop_is_never_ready");
    let (dir, name) = compose_project(
        &env,
        "nohealth",
        &failing(NOHEALTH, Some("always"), EXPIRED),
    );
    let _cleanup = Cleanup(vec![name.clone()]);
    let up = up_fails(&env, &dir);
    up.assert_stderr_contains(
        "cannot start: the community licence built into its image has expired",
    );
    assert!(!up.stderr().contains("ready IRIS"), "{}", up.snapshot());
    assert_snapshot!("expired_licence_no_health_check", error_text(&up, &name));
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn an_unknown_failure_shows_the_last_log_lines_and_the_logs_command() {
    standin();
    let env = TestEnv::engine(
        "failfast::an_unknown_failure_shows_the_last_log_lines_and_the_logs_command",
    );
    let (dir, name) = compose_project(
        &env,
        "unknown",
        &failing(
            STANDIN,
            Some("always"),
            "starting the instance\\nsomething nobody has seen before went wrong",
        ),
    );
    let _cleanup = Cleanup(vec![name.clone()]);
    let up = up_fails(&env, &dir);
    up.assert_stderr_contains("  | something nobody has seen before went wrong");
    up.assert_stderr_contains("logs --tail 50`");
    assert_snapshot!("unknown_failure_restart_always", error_text(&up, &name));
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn a_plain_exit_names_the_cause_without_a_restart_hint() {
    standin();
    let env = TestEnv::engine("failfast::a_plain_exit_names_the_cause_without_a_restart_hint");
    let (dir, name) = compose_project(&env, "exit", &failing(STANDIN, None, EXPIRED));
    let _cleanup = Cleanup(vec![name.clone()]);
    let up = up_fails(&env, &dir);
    up.assert_stderr_contains(
        "cannot start: the community licence built into its image has expired",
    );
    assert!(
        !up.stderr().contains("restart policy"),
        "no restart policy: {}",
        up.snapshot()
    );
    assert_snapshot!("expired_licence_plain_exit", error_text(&up, &name));
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn without_a_health_check_the_proxys_accept_is_not_ready() {
    // The stand-in listens 3 s after its start; the userland proxy accepts
    // from the first moment and closes each connection: 014c724 was ready at
    // once, before anything listened.
    standin();
    standin_variant(NOHEALTH, &["--target", "nohealth"]).unwrap();
    let env = TestEnv::engine("failfast::without_a_health_check_the_proxys_accept_is_not_ready");
    let (dir, name) = compose_project(
        &env,
        "late",
        &format!(
            "services:\n  iris:\n    image: {NOHEALTH}\n    expose: [\"1972\"]\n    environment:\n      STANDIN_READY_AFTER: \"3\"\n"
        ),
    );
    let _cleanup = Cleanup(vec![name.clone()]);
    env.run(["up", "-C", dir.to_str().unwrap(), "--wait-timeout", "120"])
        .success()
        .assert_stderr_contains("ready IRIS for");
    let id = docker_out(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={name}"),
    ]);
    assert!(
        docker_out(&["logs", id.trim()]).contains("standin: listening on 1972 and 52773"),
        "up was ready before the service listened"
    );
}

#[test]
#[cfg_attr(
    not(has_docker),
    ignore = "needs a Docker engine; IRIS_DEV_DOCKER_TESTS=1 makes it mandatory"
)]
fn durable_sys_not_writable_names_the_chown_fix() {
    // iris-main's words on a volume irisowner cannot write (community.intersystems.com,
    // "Insufficient write permissions to ISC_DATA_DIRECTORY").
    const DURABLE: &str = "[ERROR] Possible causes:\\n[ERROR]  - Incorrect user/group ownership of IRIS binaries\\n[ERROR]  - Insufficient write permissions to ISC_DATA_DIRECTORY\\n[FATAL] Error starting InterSystems IRIS";
    standin();
    let env = TestEnv::engine("failfast::durable_sys_not_writable_names_the_chown_fix");
    let (dir, name) = compose_project(
        &env,
        "durable",
        &failing(STANDIN, Some("unless-stopped"), DURABLE),
    );
    let _cleanup = Cleanup(vec![name]);
    let up = up_fails(&env, &dir);
    up.assert_stderr_contains(
        "its durable %SYS directory (`ISC_DATA_DIRECTORY`) is not writable by irisowner (uid 51773)",
    );
    up.assert_stderr_contains(
        "its log: [ERROR]  - Insufficient write permissions to ISC_DATA_DIRECTORY",
    );
    up.assert_stderr_contains("`chown -R 51773:51773`");
    assert!(!up.stderr().contains("docker pull"), "{}", up.snapshot());
}
