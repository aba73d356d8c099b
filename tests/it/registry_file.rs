//! The registry file on disk: bad contents, links, owners, permissions, locking.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

use fs_err as fs;
use insta::assert_snapshot;

use crate::support::TestEnv;

const GOOD: &str = r#"{"schema_version": "1.0", "assignments": []}"#;

fn assignment(port: &str) -> String {
    format!(
        r#"{{"schema_version": "1.0", "assignments": [{{"project_path": "/p", "port": {port},
        "assigned_at": "2026-11-29T10:00:00", "assignment_type": "auto", "status": "active",
        "container_name": null}}]}}"#
    )
}

/// Every command that reads the registry refuses a bad one, names the file and
/// what is wrong, exits 1 and leaves the bytes as they were.
#[test]
fn bad_contents_are_reported_and_never_overwritten() {
    let cases = [
        ("empty", String::new()),
        ("truncated", GOOD[..30].to_owned()),
        ("not_json", "port=1972\n".to_owned()),
        ("wrong_shape", r#"{"ports": [1972]}"#.to_owned()),
        ("port_out_of_range", assignment("70000")),
        ("port_not_a_number", assignment("\"1972\"")),
    ];
    let env = TestEnv::new("registry_file::bad_contents_are_reported_and_never_overwritten");
    env.project("alpha");
    fs::create_dir_all(env.registry_dir()).unwrap();
    for (name, contents) in cases {
        fs::write(env.registry(), &contents).unwrap();
        let run = env.run(["port", "-C", "alpha"]);
        assert_snapshot!(format!("bad_contents_{name}"), run.snapshot());
        for args in [
            &["ports", "list"][..],
            &["env", "-C", "alpha"],
            &["ports", "clear", "--all"],
        ] {
            let run = env.run(args);
            assert_eq!(run.code(), 1, "{name} {args:?}: {}", run.snapshot());
            run.assert_stderr_contains("port-registry.json` cannot be read");
        }
        assert_eq!(
            fs::read_to_string(env.registry()).unwrap(),
            contents,
            "{name} was rewritten"
        );
    }
}

#[test]
fn reset_moves_a_bad_registry_aside_and_starts_fresh() {
    let env = TestEnv::new("registry_file::reset_moves_a_bad_registry_aside_and_starts_fresh");
    env.project("alpha");
    fs::create_dir_all(env.registry_dir()).unwrap();
    fs::write(env.registry(), "{ torn").unwrap();
    assert_snapshot!(env.run(["ports", "reset"]).snapshot());
    let aside: Vec<_> = fs::read_dir(env.registry_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with("port-registry.json.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(
        fs::read_to_string(env.registry_dir().join(&aside[0])).unwrap(),
        "{ torn"
    );
    assert_eq!(
        env.run(["port", "-C", "alpha"]).success().port(),
        env.ports().first()
    );

    let run = env.run(["ports", "reset"]).success();
    run.assert_stderr_contains("port-registry.json.backup-");
}

#[test]
fn a_newer_schema_is_read_but_never_rewritten() {
    let env = TestEnv::new("registry_file::a_newer_schema_is_read_but_never_rewritten");
    env.project("alpha");
    fs::create_dir_all(env.registry_dir()).unwrap();
    let newer = format!(
        r#"{{"schema_version": "2.0", "assignments": [{{"project_path": "/p", "port": {},
        "assigned_at": "2026-11-29T10:00:00", "assignment_type": "auto", "status": "active",
        "container_name": null, "owner": {{"kind": "future"}}}}], "hosts": []}}"#,
        env.ports().port(5)
    );
    fs::write(env.registry(), &newer).unwrap();
    let list = env.run(["ports", "list", "--json"]).success();
    list.assert_stdout_contains("\"owner\"");
    assert_snapshot!(env.run(["port", "-C", "alpha"]).snapshot());
    assert_eq!(fs::read_to_string(env.registry()).unwrap(), newer);
}

#[test]
fn directory_and_files_are_private() {
    let env = TestEnv::new("registry_file::directory_and_files_are_private");
    env.project("alpha");
    env.run(["port", "-C", "alpha"]).success();
    let mode = |path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(env.registry_dir()), 0o700);
    assert_eq!(mode(env.registry()), 0o600);
    assert_eq!(mode(env.lock_file()), 0o600);
    let leftovers: Vec<_> = fs::read_dir(env.registry_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name.to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_file_written_by_python_keeps_its_mode_until_we_rewrite_it() {
    let env =
        TestEnv::new("registry_file::a_file_written_by_python_keeps_its_mode_until_we_rewrite_it");
    env.project("alpha");
    fs::create_dir_all(env.registry_dir()).unwrap();
    fs::write(env.registry(), GOOD).unwrap();
    fs::set_permissions(env.registry(), PermissionsExt::from_mode(0o644)).unwrap();
    env.run(["ports", "list"]).success();
    assert_eq!(fs::metadata(env.registry()).unwrap().mode() & 0o777, 0o644);
    env.run(["port", "-C", "alpha"]).success();
    assert_eq!(fs::metadata(env.registry()).unwrap().mode() & 0o777, 0o600);
}

#[test]
fn symlinks_are_refused_and_nothing_is_written_through_them() {
    let env =
        TestEnv::new("registry_file::symlinks_are_refused_and_nothing_is_written_through_them");
    env.project("alpha");
    let elsewhere = env.project("elsewhere");

    symlink(&elsewhere, env.registry_dir()).unwrap();
    assert_snapshot!("symlink_dir", env.run(["port", "-C", "alpha"]).snapshot());
    assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
    fs::remove_file(env.registry_dir()).unwrap();

    fs::create_dir(env.registry_dir()).unwrap();
    let target = elsewhere.join("target.json");
    fs::write(&target, GOOD).unwrap();
    symlink(&target, env.registry()).unwrap();
    let run = env.run(["port", "-C", "alpha"]);
    assert_eq!(run.code(), 1);
    run.assert_stderr_contains("port-registry.json` is a symbolic link");
    assert_eq!(fs::read_to_string(&target).unwrap(), GOOD);
    fs::remove_file(env.registry()).unwrap();
    fs::remove_file(env.lock_file()).unwrap();

    let lock_target = elsewhere.join("lock");
    symlink(&lock_target, env.lock_file()).unwrap();
    let run = env.run(["ports", "list"]);
    assert_eq!(run.code(), 1);
    run.assert_stderr_contains("port-registry.lock` is a symbolic link");
    assert!(!lock_target.exists());
}

#[test]
#[cfg_attr(
    not(is_root),
    ignore = "needs root: giving a file to another user takes `chown`"
)]
fn files_owned_by_another_user_are_refused() {
    crate::support::needs::root("to give a file to another user");
    let env = TestEnv::new("registry_file::files_owned_by_another_user_are_refused");
    env.project("alpha");
    env.run(["port", "-C", "alpha"]).success();
    let before = fs::read(env.registry()).unwrap();
    std::os::unix::fs::chown(env.registry(), Some(4242), Some(4242)).unwrap();
    let run = env.run(["port", "-C", "alpha"]);
    assert_eq!(run.code(), 1);
    run.assert_stderr_contains("belongs to another user (uid 4242, you are uid 0)");
    assert_eq!(fs::read(env.registry()).unwrap(), before);

    std::os::unix::fs::chown(env.registry(), Some(0), Some(0)).unwrap();
    std::os::unix::fs::chown(env.registry_dir(), Some(4242), Some(4242)).unwrap();
    assert_snapshot!(env.run(["ports", "list"]).snapshot());
}

#[test]
fn a_held_lock_is_announced_then_times_out() {
    let env = TestEnv::new("registry_file::a_held_lock_is_announced_then_times_out")
        .with("IRIS_DEV_LOCK_TIMEOUT", "1.5");
    env.project("alpha");
    env.run(["port", "-C", "alpha"]).success();
    let lock = std::fs::File::options()
        .write(true)
        .open(env.lock_file())
        .unwrap();
    lock.lock().unwrap();
    assert_snapshot!(env.run(["port", "-C", "alpha"]).snapshot());
    // A shared lock still lets readers in, and blocks writers.
    lock.unlock().unwrap();
    lock.lock_shared().unwrap();
    env.run(["ports", "list"]).success();
    assert_eq!(env.run(["ports", "clear", "--all"]).code(), 1);
}

/// The lock is let go only once the waiter has said that it waits, so the test
/// proves that a waiting process proceeds, whatever the machine's speed.
#[test]
fn a_waiter_proceeds_when_the_lock_is_released() {
    let env = TestEnv::new("registry_file::a_waiter_proceeds_when_the_lock_is_released")
        .with("IRIS_DEV_LOCK_TIMEOUT", "60");
    let alpha = env.project("alpha");
    env.run(["ports", "reset"]).success();
    let lock = std::fs::File::options()
        .write(true)
        .open(env.lock_file())
        .unwrap();
    lock.lock().unwrap();
    let mut child = env.spawn(["port"], &alpha);
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    while !said.contains("waiting for lock on") {
        let read = stderr.read_line(&mut said).unwrap();
        assert_ne!(read, 0, "the waiter ended without waiting: {said}");
    }
    drop(lock);
    stderr.read_to_string(&mut said).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{said}");
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        env.ports().first().to_string(),
        "{said}"
    );
}
