//! Every fix iris-dev suggests works when followed (issue 18 §2, §3): each test
//! takes the fixes from what `up`, `up --dry-run` or `doctor` printed, applies
//! them to the compose file as written (`replace `X` with `Y``), and shows that
//! the next `up` is clean: exit 0 and no warning. On the real engine, on every
//! compose.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use fs_err as fs;
use insta::assert_snapshot;

use crate::support::{
    Cleanup, Compose, Listener, STANDIN, TestEnv, compose_matrix, compose_project, docker_out,
    standin,
};

compose_matrix!(
    fixed_iris_ports_are_all_named_and_their_fixes_are_clean,
    every_interface_and_docker_picked_entries_get_the_clean_spelling,
    a_taken_foreign_port_is_fixed_by_its_hint,
    an_isolated_stack_port_is_fixed_by_its_hint,
);

/// Every `replace `X` with `Y`` in `text`, in order.
fn fixes(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("replace `") {
        rest = &rest[at + "replace `".len()..];
        let (from, after) = rest.split_once("` with `").expect("a replacement");
        let (to, after) = after.split_once('`').expect("the end of the replacement");
        found.push((from.to_owned(), to.to_owned()));
        rest = after;
    }
    found
}

/// Applies each fix to the compose file in `dir`, literally.
fn apply(dir: &Path, fixes: &[(String, String)]) {
    let file = dir.join("compose.yaml");
    let mut text = fs::read_to_string(&file).unwrap();
    for (from, to) in fixes {
        assert!(text.contains(from.as_str()), "`{from}` is not in:\n{text}");
        text = text.replacen(from.as_str(), to, 1);
    }
    fs::write(&file, text).unwrap();
}

/// `up` in `dir`, which must be clean: exit 0, no warning, no fix to apply.
fn clean_up(env: &TestEnv, dir: &Path) {
    let run = env.run_in(dir, ["up", "--wait-timeout", "60"]).success();
    assert!(!run.stderr().contains("warning:"), "{}", run.snapshot());
    assert!(fixes(&run.stderr()).is_empty(), "{}", run.snapshot());
}

/// The lines of `text` that start with `prefix`.
fn lines_with(text: &str, prefix: &str) -> String {
    text.lines()
        .filter(|line| line.starts_with(prefix))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// `ports: ["1972:1972", "52773:52773"]`, as community templates have it (on
/// ports of this test's own): without `!override` one error names both, each
/// with its line and fix; `--dry-run` and `doctor` give the same fixes; applied,
/// the next `up` is clean. Then the container is removed behind iris-dev's
/// back, and `doctor`'s fix for the stale assignment (this project's `up`) is
/// clean too.
fn fixed_iris_ports_are_all_named_and_their_fixes_are_clean(compose: Compose) {
    standin();
    let block = compose.block("hints::fixed_iris_ports_are_all_named_and_their_fixes_are_clean");
    let env = compose.env_on(block.part(0, 6));
    let (superserver, web) = (block.port(8), block.port(9));
    let file = format!(
        "services:\n  iris:\n    image: {STANDIN}\n    ports: [\"{superserver}:1972\", \"{web}:52773\"]\n"
    );
    let (dir, name) = compose_project(&env, "fixed", &file);
    let _cleanup = Cleanup(vec![name.clone()]);
    if compose.override_tag() {
        // `!override` replaces the list: nothing to fix.
        clean_up(&env, &dir);
    } else {
        let doctor = env.run_in(&dir, ["doctor"]);
        let dry_run = env.run_in(&dir, ["up", "--dry-run"]);
        let run = env
            .run_in(&dir, ["up", "--wait-timeout", "60"])
            .redact(superserver.to_string(), "[SUPERSERVER]")
            .redact(web.to_string(), "[WEB]");
        assert_eq!(run.code(), 1, "{}", run.snapshot());
        let snapshot = run.snapshot();
        insta::with_settings!({ snapshot_suffix => compose.suffix() }, {
            assert_snapshot!(snapshot);
        });
        let suggested = fixes(&run.stderr());
        assert_eq!(
            suggested,
            [
                (
                    format!("\"{superserver}:1972\""),
                    format!("\"127.0.0.1:${{IRIS_PORT:-{superserver}}}:1972\"")
                ),
                (
                    format!("\"{web}:52773\""),
                    format!("\"127.0.0.1:${{IRIS_WEB_PORT:-{web}}}:52773\"")
                ),
            ],
            "both ports in one run: {}",
            run.snapshot()
        );
        assert_eq!(
            fixes(&dry_run.stderr()),
            suggested,
            "{}",
            dry_run.snapshot()
        );
        assert_eq!(fixes(&doctor.stdout()), suggested, "{}", doctor.snapshot());
        let label = format!("label=com.docker.compose.project={name}");
        assert_eq!(docker_out(&["ps", "-aq", "--filter", &label]), "");
        apply(&dir, &suggested);
        clean_up(&env, &dir);
    }

    // The stack's container goes without iris-dev: doctor's fix is `up`.
    let ids = docker_out(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={name}"),
    ]);
    let mut rm = vec!["rm", "-f"];
    rm.extend(ids.split_whitespace());
    assert!(Command::new("docker").args(&rm).status().unwrap().success());
    let doctor = env.run_in(&dir, ["doctor"]);
    let up = format!("`iris-dev up -C {}`", dir.display());
    let stale = lines_with(&doctor.stdout(), "warn  stale:");
    assert!(!stale.is_empty(), "{}", doctor.snapshot());
    doctor.assert_stdout_contains(&format!("fix: start it again with {up}"));
    env.run(["up", "-C", dir.to_str().unwrap(), "--wait-timeout", "60"])
        .success();
    env.run_in(&dir, ["doctor"])
        .assert_stdout_contains("ok    stale: no assignment lost its containers");
}

/// The two entries each earlier hint led to: `"${IRIS_PORT:-1972}:1972"` (every
/// interface) and `"52773"` (a port Docker picks). Without `!override` `up`
/// warns about each with the fix, `doctor` names the same fixes and says the
/// port Docker picked once, with the file to edit rather than `up`; applied,
/// the next `up` is clean.
fn every_interface_and_docker_picked_entries_get_the_clean_spelling(compose: Compose) {
    standin();
    let env = compose.env_on(
        compose
            .block("hints::every_interface_and_docker_picked_entries_get_the_clean_spelling")
            .part(0, 6),
    );
    let file = format!(
        "services:\n  iris:\n    image: {STANDIN}\n    ports:\n      - ${{IRIS_PORT:-1972}}:1972\n      - \"52773\"\n"
    );
    let (dir, name) = compose_project(&env, "loose", &file);
    let _cleanup = Cleanup(vec![name]);
    if compose.override_tag() {
        clean_up(&env, &dir);
        return;
    }
    let run = env
        .run_in(&dir, ["up", "--wait-timeout", "60"])
        .success()
        .redact(env.ports().first().to_string(), "[PORT]");
    insta::with_settings!({ snapshot_suffix => compose.suffix() }, {
        assert_snapshot!(lines_with(&run.snapshot(), "warning:"));
    });
    let suggested = fixes(&run.stderr());
    assert_eq!(
        suggested,
        [
            (
                "${IRIS_PORT:-1972}:1972".to_owned(),
                "\"127.0.0.1:${IRIS_PORT:-1972}:1972\"".to_owned()
            ),
            (
                "\"52773\"".to_owned(),
                "\"127.0.0.1:${IRIS_WEB_PORT:-52773}:52773\"".to_owned()
            ),
        ],
        "{}",
        run.snapshot()
    );
    let doctor = env.run_in(&dir, ["doctor"]);
    let published = lines_with(&doctor.stdout(), "warn  published ports:");
    assert!(
        !published.contains("; "),
        "one mismatch, once (the engine lists IPv4 and IPv6 apart): {}",
        doctor.snapshot()
    );
    assert!(
        published.contains("publishes 52773 on host port") && published.contains("as well"),
        "{}",
        doctor.snapshot()
    );
    doctor.assert_stdout_contains(&format!(
        "fix: remove the entry that publishes 52773 from `{}`",
        dir.join("compose.yaml").display()
    ));
    assert!(
        !doctor
            .stdout()
            .contains("run `iris-dev up` in the project again"),
        "{}",
        doctor.snapshot()
    );
    let from_doctor = fixes(&doctor.stdout());
    assert_eq!(from_doctor, suggested, "{}", doctor.snapshot());
    apply(&dir, &suggested);
    clean_up(&env, &dir);
    env.run_in(&dir, ["doctor"]).assert_stdout_contains(
        "ok    published ports: every running stack publishes the ports the registry holds",
    );
}

/// A fixed host port iris-dev does not assign, held by another program: the
/// error's fix (a port Docker picks) makes the next `up` clean.
fn a_taken_foreign_port_is_fixed_by_its_hint(compose: Compose) {
    standin();
    let block = compose.block("hints::a_taken_foreign_port_is_fixed_by_its_hint");
    let env = compose.env_on(block.part(0, 6));
    let listener = Listener::start(&[block.port(8)]);
    let taken = listener.ports[0];
    let file = format!(
        "services:\n  iris:\n    image: {STANDIN}\n    ports:\n      - \"127.0.0.1:${{IRIS_PORT:-1972}}:1972\"\n      - \"127.0.0.1:${{IRIS_WEB_PORT:-52773}}:52773\"\n      - \"{taken}:8080\"\n"
    );
    let (dir, name) = compose_project(&env, "foreign", &file);
    let _cleanup = Cleanup(vec![name]);
    let run = env.run_in(&dir, ["up", "--wait-timeout", "60"]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    run.assert_stderr_contains(&format!(
        "error: `{}` publishes port 8080 of service `iris` on host port {taken}, which is taken",
        dir.join("compose.yaml").display()
    ));
    let suggested = fixes(&run.stderr());
    assert_eq!(
        suggested,
        [(format!("\"{taken}:8080\""), "\"8080\"".to_owned())],
        "{}",
        run.snapshot()
    );
    apply(&dir, &suggested);
    clean_up(&env, &dir);
}

/// `isolate: all` with a second service's fixed host port: without
/// `!override` the error names the stack variable to publish; applied, the
/// next `up` is clean.
fn an_isolated_stack_port_is_fixed_by_its_hint(compose: Compose) {
    standin();
    let block = compose.block("hints::an_isolated_stack_port_is_fixed_by_its_hint");
    let env = compose
        .env_on(block.part(10, 6))
        .with("IRIS_DEV_STACK_PORT_RANGE", &block.part(0, 10).range());
    let fixed = block.port(19);
    let file = format!(
        "x-iris-dev:\n  service: iris\n  isolate: all\nservices:\n  iris:\n    image: {STANDIN}\n    ports:\n      - \"127.0.0.1:${{IRIS_PORT:-1972}}:1972\"\n  db:\n    image: {STANDIN}\n    ports:\n      - \"{fixed}:1972\"\n"
    );
    let (dir, name) = compose_project(&env, "isolated", &file);
    let _cleanup = Cleanup(vec![name]);
    if compose.override_tag() {
        clean_up(&env, &dir);
        return;
    }
    let run = env.run_in(&dir, ["up", "--wait-timeout", "60"]);
    assert_eq!(run.code(), 1, "{}", run.snapshot());
    let suggested = fixes(&run.stderr());
    assert_eq!(
        suggested,
        [(
            format!("\"{fixed}:1972\""),
            format!("\"127.0.0.1:${{IRIS_DEV_PORT_DB_1972:-{fixed}}}:1972\"")
        )],
        "{}",
        run.snapshot()
    );
    apply(&dir, &suggested);
    clean_up(&env, &dir);
}

/// `doctor` with a bad variable, a damaged registry and a compose file that
/// does not parse, on a machine whose compose is docker-compose: every check
/// runs, each failure once, each fix naming the variable, the command and the
/// compose in use. No engine is reached.
#[test]
#[cfg_attr(not(has_compose_v1), ignore = "needs docker-compose 1.x")]
fn doctor_runs_every_check_whatever_fails() {
    let env = Compose::V1
        .env("hints::doctor_runs_every_check_whatever_fails")
        .with("DOCKER_HOST", "unix:///nonexistent")
        .with("IRIS_DEV_PORT_RANGE", "abc");
    // The compose file's own fixed ports (the range above is bad on purpose).
    let (superserver, web) = (env.ports().port(0), env.ports().port(1));
    let (dir, _) = compose_project(
        &env,
        "shop",
        &format!(
            "services:\n  iris:\n    image: {STANDIN}\n    ports: [\"{superserver}:1972\", \"{web}:52773\"]\n"
        ),
    );
    fs::create_dir_all(env.registry_dir()).unwrap();
    fs::write(env.registry(), "{").unwrap();
    fs::set_permissions(env.registry(), std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = env.run_in(&dir, ["doctor"]);
    assert_eq!(
        run.code(),
        1,
        "a failed check, not bad usage: {}",
        run.snapshot()
    );
    let stdout = run.stdout();
    run.assert_stdout_contains(
        "fail  environment: `IRIS_DEV_PORT_RANGE=abc` is invalid: `abc` is not a range such as `1972-2000`\n      fix: correct `IRIS_DEV_PORT_RANGE`, or `unset IRIS_DEV_PORT_RANGE` for its default",
    );
    run.assert_stdout_contains("fail  registry: the port registry");
    run.assert_stdout_contains(
        "fix: move it aside and start an empty registry with `iris-dev ports reset`",
    );
    assert_eq!(
        stdout.matches("cannot be read").count(),
        1,
        "the registry fails once: {}",
        run.snapshot()
    );
    assert!(
        !stdout.contains("correct the compose file"),
        "{}",
        run.snapshot()
    );
    // The project's checks ran past the registry, with the web port's own variable.
    run.assert_stdout_contains("ok    project: IRIS service `iris`");
    run.assert_stdout_contains(&format!(
        r#"replace `"{web}:52773"` with `"127.0.0.1:${{IRIS_WEB_PORT:-{web}}}:52773"`"#
    ));
    assert!(
        !stdout.contains(&format!("${{IRIS_PORT:-{web}}}")),
        "{}",
        run.snapshot()
    );
    assert_snapshot!(run.snapshot());

    // A compose file that does not parse: the compose in use shows why.
    fs::write(dir.join("compose.yaml"), "services: [\n").unwrap();
    let run = env.run_in(&dir, ["doctor"]);
    run.assert_stdout_contains(&format!(
        "fix: correct the compose file; `docker-compose config` in `{}` shows what is wrong",
        dir.display()
    ));
    assert!(
        !run.stdout().contains("`docker compose config`"),
        "{}",
        run.snapshot()
    );
}
