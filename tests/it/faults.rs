//! Faults of the disk and debris on the engine (issue 21 §3, §4): a full file
//! system (a small tmpfs), a read-only HOME or registry directory (a read-only
//! bind mount), temp files of killed writers, and the networks and volumes
//! compose leaves when a stack's containers were removed with `docker rm -f`
//! or its `up` failed.
//!
//! Mounting needs root: without it those tests are ignored with the reason,
//! and `IRIS_DEV_DOCKER_TESTS=1` (CI, which runs as root) makes root required
//! (`support::needs::root`). Ports: the `faults::` blocks of tests/it/support/ports.rs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use fs_err as fs;

use crate::support::{Cleanup, Compose, STANDIN, TestEnv, compose_matrix, standin, unique_name};

/// A mount, unmounted when dropped (also when the test panics).
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(at: &Path, size: &str) -> Self {
        fs::create_dir_all(at).unwrap();
        let options = format!("size={size},mode=0700");
        mount(&["-t", "tmpfs", "-o", &options, "tmpfs"], at);
        Self(at.to_owned())
    }

    /// `at` again, read-only, over itself.
    fn read_only(at: &Path) -> Self {
        mount(&["--bind", &at.display().to_string()], at);
        let mounted = Self(at.to_owned());
        mount(&["-o", "remount,bind,ro"], at);
        mounted
    }
}

/// `mount ARGS AT`.
fn mount(args: &[&str], at: &Path) {
    let status = Command::new("mount").args(args).arg(at).status().unwrap();
    assert!(status.success(), "mount {args:?} {}", at.display());
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp-"))
        .collect()
}

#[test]
#[cfg_attr(not(is_root), ignore = "needs root, to mount a tmpfs")]
fn a_full_disk_keeps_the_registry_and_says_what_to_free() {
    crate::support::needs::root("to mount a tmpfs");
    let env = TestEnv::new("faults::a_full_disk_keeps_the_registry_and_says_what_to_free");
    env.project("alpha");
    env.project("beta");
    let _mount = Mount::tmpfs(&env.registry_dir(), "64k");
    let alpha = env.run(["port", "-C", "alpha"]).success().port();
    let before = fs::read(env.registry()).unwrap();

    // Fill the file system to the last byte.
    let mut filler = fs::File::create(env.registry_dir().join("filler")).unwrap();
    while filler.write_all(&[0; 512]).is_ok() {}
    let _ = filler.flush();

    let full = env.run(["port", "-C", "beta"]);
    assert_eq!(full.code(), 1, "{}", full.stderr());
    let registry = env.registry().display().to_string();
    let dir = env.registry_dir().display().to_string();
    full.assert_stderr_contains(&format!(
        "error: no space left to write the port registry `{registry}`: the file system that holds `{dir}` is full; the registry is kept as it was"
    ));
    full.assert_stderr_contains(&format!(
        "bytes on that file system (`df -h {dir}` shows it), then run the command again"
    ));
    assert_eq!(
        fs::read(env.registry()).unwrap(),
        before,
        "the old registry stays"
    );
    assert_eq!(temp_files(&env.registry_dir()), Vec::<String>::new());
    // Reading needs no room.
    assert_eq!(env.run(["port", "-C", "alpha"]).success().port(), alpha);

    drop(filler);
    fs::remove_file(env.registry_dir().join("filler")).unwrap();
    let beta = env.run(["port", "-C", "beta"]).success().port();
    assert_ne!(beta, alpha);
}

#[test]
#[cfg_attr(
    not(is_root),
    ignore = "needs root, to bind-mount a directory read-only"
)]
fn a_read_only_home_or_registry_still_answers_port_and_writes_name_the_path() {
    crate::support::needs::root("to bind-mount a directory read-only");
    for read_only in ["registry", "home"] {
        let env = TestEnv::new(
            "faults::a_read_only_home_or_registry_still_answers_port_and_writes_name_the_path",
        );
        env.project("alpha");
        env.project("beta");
        let alpha = env.run(["port", "-C", "alpha"]).success().port();
        let before = fs::read(env.registry()).unwrap();
        let dir = match read_only {
            "registry" => env.registry_dir(),
            _ => env.home(),
        };
        let _mount = Mount::read_only(&dir);
        assert!(
            fs::write(env.registry_dir().join("probe"), "").is_err(),
            "{read_only} is read-only"
        );

        let run = env.run(["port", "-C", "alpha"]);
        assert_eq!(
            run.success().port(),
            alpha,
            "{read_only}: reading needs no write"
        );
        let json = env
            .run(["env", "-C", "alpha", "--format", "json"])
            .success();
        json.assert_stdout_contains(&format!("\"IRIS_PORT\": {alpha}"));

        let registry_dir = env.registry_dir().display().to_string();
        for args in [
            &["port", "-C", "beta"][..],
            &["ports", "clear", "-C", "alpha"],
        ] {
            let refused = env.run(args);
            assert_eq!(
                refused.code(),
                1,
                "{read_only} {args:?}: {}",
                refused.stderr()
            );
            refused.assert_stderr_contains(&format!(
                "`{registry_dir}` is read-only or not writable by you (read-only filesystem or storage medium); this command changes the registry"
            ));
            refused.assert_stderr_contains(&format!("hint: make `{registry_dir}` writable"));
        }
        assert_eq!(fs::read(env.registry()).unwrap(), before);
    }
}

#[test]
#[cfg_attr(
    not(is_root),
    ignore = "needs root, to bind-mount a directory read-only"
)]
fn a_new_registry_in_a_read_only_home_names_the_directory() {
    crate::support::needs::root("to bind-mount a directory read-only");
    let env = TestEnv::new("faults::a_new_registry_in_a_read_only_home_names_the_directory");
    env.project("alpha");
    let _mount = Mount::read_only(&env.home());
    let refused = env.run(["port", "-C", "alpha"]);
    assert_eq!(refused.code(), 1, "{}", refused.stderr());
    refused.assert_stderr_contains(&format!(
        "`{}` is read-only or not writable by you",
        env.registry_dir().display()
    ));
    // Nothing to read is an empty answer, not an error.
    env.run(["ports", "list"]).success();
}

#[test]
fn a_write_removes_the_temp_files_of_killed_writers_only() {
    let env = TestEnv::new("faults::a_write_removes_the_temp_files_of_killed_writers_only");
    env.project("alpha");
    fs::create_dir_all(env.registry_dir()).unwrap();
    // A writer killed mid-write (its process is gone) and one still writing.
    let mut dead = Command::new("true").spawn().unwrap();
    dead.wait().unwrap();
    let mut live = Command::new("sleep").arg("60").spawn().unwrap();
    let temp = |pid: u32| {
        env.registry_dir()
            .join(format!(".port-registry.json.tmp-{pid}"))
    };
    fs::write(temp(dead.id()), "{\"schema_version\": \"1.0\", \"assign").unwrap();
    fs::write(temp(live.id()), "{\"schema_version\": \"1.0\", \"assign").unwrap();

    env.run(["port", "-C", "alpha"]).success();
    assert!(
        !temp(dead.id()).exists(),
        "a dead writer's temp file is removed"
    );
    assert!(
        temp(live.id()).exists(),
        "a live writer's temp file is kept"
    );
    live.kill().unwrap();
    live.wait().unwrap();
    // The next write takes it too, now that its writer is gone.
    env.project("beta");
    env.run(["port", "-C", "beta"]).success();
    assert_eq!(temp_files(&env.registry_dir()), Vec::<String>::new());
}

compose_matrix!(
    nothing_is_left_of_stacks_whose_containers_were_removed,
    a_failed_up_leaves_nothing_it_created,
);

/// The networks and volumes that carry compose's label for `name`.
fn resources(name: &str) -> Vec<String> {
    let label = format!("label=com.docker.compose.project={name}");
    let list = |what: &str| {
        let output = Command::new("docker")
            .args([what, "ls", "-q", "--filter", &label])
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .map(|id| format!("{what} {id}"))
            .collect::<Vec<_>>()
    };
    let mut found = list("network");
    found.extend(list("volume"));
    found
}

fn remove_containers(name: &str) {
    let label = format!("label=com.docker.compose.project={name}");
    let ids = Command::new("docker")
        .args(["ps", "-aq", "--filter", &label])
        .output()
        .unwrap();
    let ids = String::from_utf8_lossy(&ids.stdout).into_owned();
    assert!(!ids.trim().is_empty(), "{name} has containers");
    let status = Command::new("docker")
        .args(["rm", "-f"])
        .args(ids.split_whitespace())
        .output()
        .unwrap();
    assert!(status.status.success());
}

const WITH_VOLUME: &str =
    "    expose: [\"1972\"]\n    volumes:\n      - data:/data\nvolumes:\n  data:\n";

/// `docker rm -f` of a stack's containers leaves its network and volume;
/// `down --volumes` and `down --all --volumes` clear them up, and `ports
/// prune` of a project whose directory is gone removes its network and names
/// its volume (its data) with the command that removes it.
fn nothing_is_left_of_stacks_whose_containers_were_removed(compose: Compose) {
    standin();
    let env = compose.env("faults::nothing_is_left_of_stacks_whose_containers_were_removed");
    let file = format!("services:\n  iris:\n    image: {STANDIN}\n{WITH_VOLUME}");
    let projects: Vec<(PathBuf, String)> = ["down", "prune", "all"]
        .iter()
        .map(|name| {
            let dir = env.project(name);
            fs::write(dir.join("compose.yaml"), &file).unwrap();
            let compose_name = unique_name(&dir);
            (dir, compose_name)
        })
        .collect();
    let _cleanup = Cleanup(projects.iter().map(|(_, name)| name.clone()).collect());
    for (dir, name) in &projects {
        env.run_in(dir, ["up"]).success();
        assert_eq!(resources(name).len(), 2, "{name}: a network and a volume");
        remove_containers(name);
        assert_eq!(resources(name).len(), 2, "docker rm -f leaves them");
    }

    let (down, down_name) = &projects[0];
    let run = env.run_in(down, ["down", "--volumes"]).success();
    assert_eq!(
        resources(down_name),
        Vec::<String>::new(),
        "{}",
        run.stderr()
    );

    // A project whose directory is gone: `ports prune` removes its entry.
    let (prune, prune_name) = &projects[1];
    fs::remove_dir_all(prune).unwrap();
    let run = env.run(["ports", "prune"]).success();
    let left = resources(prune_name);
    assert_eq!(
        left.len(),
        1,
        "the volume is kept: {left:?}\n{}",
        run.stderr()
    );
    assert!(left[0].starts_with("volume "), "{left:?}");
    run.assert_stderr_contains(&format!(
        "kept volume `{prune_name}_data` of compose project `{prune_name}` (its data); `docker volume rm {prune_name}_data` removes it"
    ));

    let (_, all_name) = &projects[2];
    let run = env.run(["down", "--all", "--volumes"]).success();
    assert_eq!(
        resources(all_name),
        Vec::<String>::new(),
        "{}",
        run.stderr()
    );
}

/// An `up` whose stack fails to start (a one-shot it depends on exits 1)
/// leaves no container, network or volume; a volume that was there before is
/// kept.
fn a_failed_up_leaves_nothing_it_created(compose: Compose) {
    standin();
    let env = compose.env("faults::a_failed_up_leaves_nothing_it_created");
    let dir = env.project("shop");
    let file = format!(
        "services:\n  init:\n    image: {STANDIN}\n    environment:\n      STANDIN_LOG_AND_EXIT: \"cannot start\"\n    volumes:\n      - data:/data\n  iris:\n    image: {STANDIN}\n    depends_on:\n      init:\n        condition: service_completed_successfully\n{WITH_VOLUME}"
    );
    fs::write(dir.join("compose.yaml"), file).unwrap();
    let name = unique_name(&dir);
    let _cleanup = Cleanup(vec![name.clone()]);

    let failed = env.run_in(&dir, ["up"]);
    assert_ne!(failed.code(), 0, "{}", failed.stderr());
    let label = format!("label=com.docker.compose.project={name}");
    let containers = Command::new("docker")
        .args(["ps", "-aq", "--filter", &label])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&containers.stdout).trim(), "");
    assert_eq!(
        resources(&name),
        Vec::<String>::new(),
        "{}",
        failed.stderr()
    );
    assert!(
        !env.registry().exists() || env.registered_projects().is_empty(),
        "the registry is as it was"
    );

    // A volume of the stack from before the failed `up` holds data: it stays.
    let status = Command::new("docker")
        .args(["volume", "create", "--label"])
        .arg(format!("com.docker.compose.project={name}"))
        .arg(format!("{name}_data"))
        .output()
        .unwrap();
    assert!(status.status.success());
    let failed = env.run_in(&dir, ["up"]);
    assert_ne!(failed.code(), 0);
    let left = resources(&name);
    assert_eq!(left.len(), 1, "{left:?}\n{}", failed.stderr());
    assert!(left[0].starts_with("volume "), "{left:?}");
}
