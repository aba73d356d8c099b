//! Many processes at once, and processes killed mid-write.
//!
//! The kill test picks its moments from a random seed and prints it (`cargo test`
//! shows it when the test fails). To replay a failure, set `IRIS_DEV_TEST_SEED`
//! to that number; the same seed makes the same choices of when and whom to kill
//! (how far each process got by then still depends on the machine):
//!
//! ```text
//! IRIS_DEV_TEST_SEED=123456789 cargo test --test it killed_writers_never_corrupt_the_registry
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::process::Child;
use std::thread;
use std::time::{Duration, SystemTime};

use fs_err as fs;

use crate::support::{FakeEngine, TestEnv, ports};

fn active_ports(env: &TestEnv) -> BTreeMap<String, u64> {
    let registry = env.registry_json();
    registry["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["project_path"].as_str().unwrap().to_owned(),
                a["port"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Starts `port` in `count` fresh projects at once; each one's port and
/// standard error, after asserting that every one succeeded.
fn concurrent_first_ports(env: &TestEnv, count: usize) -> Vec<(u16, String)> {
    let projects: Vec<_> = (0..count)
        .map(|n| env.project(&format!("p{n:02}")))
        .collect();
    let children: Vec<Child> = projects
        .iter()
        .map(|project| env.spawn(["port"], project))
        .collect();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            assert!(output.status.success(), "{stderr}");
            let port = String::from_utf8(output.stdout).unwrap().trim().parse();
            (port.unwrap(), stderr)
        })
        .collect()
}

#[test]
fn sixty_four_processes_get_sixty_four_distinct_ports() {
    let env = TestEnv::new("concurrency::sixty_four_processes_get_sixty_four_distinct_ports");
    let mut ports = BTreeSet::new();
    for (port, _) in concurrent_first_ports(&env, 64) {
        assert!(env.ports().contains(port));
        ports.insert(port);
    }
    assert_eq!(ports.len(), 64);
    let registry = active_ports(&env);
    assert_eq!(registry.len(), 64);
    assert_eq!(
        registry.values().copied().collect::<BTreeSet<_>>().len(),
        64
    );
}

/// Replays [`killed_writers_never_corrupt_the_registry`] with the seed it printed.
const SEED: &str = "IRIS_DEV_TEST_SEED";

/// SIGKILL at random moments while several processes write: the registry always
/// parses and holds every assignment a process reported as done.
#[test]
fn killed_writers_never_corrupt_the_registry() {
    let env = TestEnv::new("concurrency::killed_writers_never_corrupt_the_registry");
    let seed = match std::env::var(SEED) {
        Ok(seed) => seed
            .parse::<u64>()
            .unwrap_or_else(|err| panic!("{SEED}={seed:?}: {err}")),
        Err(_) => {
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap();
            now.as_secs() ^ (u64::from(now.subsec_nanos()) << 20)
        }
    };
    eprintln!("random seed: {seed} (replay with {SEED}={seed})");
    // xorshift64 would stay at zero forever: start from an odd state.
    let mut state = seed | 1;
    let mut random = move |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % bound
    };
    let mut done = BTreeMap::new();
    let mut killed = 0;
    for round in 0..40 {
        let batch: Vec<_> = (0..4)
            .map(|n| {
                let name = format!("r{round:02}-{n}");
                let project = env.project(&name);
                let child = env.spawn(["port"], &project);
                (project, child)
            })
            .collect();
        thread::sleep(Duration::from_micros(random(4000)));
        let mut batch = batch;
        for (_, child) in batch.iter_mut().filter(|_| random(2) == 0) {
            let _ = child.kill();
        }
        for (project, child) in batch {
            let output = child.wait_with_output().unwrap();
            match output.status.code() {
                Some(0) => {
                    let port: u64 = String::from_utf8(output.stdout)
                        .unwrap()
                        .trim()
                        .parse()
                        .unwrap();
                    done.insert(project.display().to_string(), port);
                }
                None => killed += 1,
                Some(code) => panic!("exit {code}: {}", String::from_utf8_lossy(&output.stderr)),
            }
        }
        if !env.registry().exists() {
            assert!(done.is_empty());
            continue;
        }
        let registry = active_ports(&env);
        for (project, port) in &done {
            assert_eq!(
                registry.get(project),
                Some(port),
                "{project} lost after round {round}"
            );
        }
        assert_eq!(
            registry.values().collect::<BTreeSet<_>>().len(),
            registry.len(),
            "duplicate ports"
        );
    }
    assert!(killed > 0, "no process was killed; the test proved nothing");
    assert!(
        !done.is_empty(),
        "no process finished; the test proved nothing"
    );
    // A later writer (a new project's, which must write) sweeps the registry's
    // temporary files of killed ones.
    env.project("sweeper");
    env.run(["port", "-C", "sweeper"]).success();
    let leftovers = fs::read_dir(env.registry_dir())
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".port-registry.json.tmp-")
        })
        .count();
    assert_eq!(leftovers, 0);
}

/// Processes that choose ports at the same moment take turns asking a slow
/// engine, and those that waited use the answer the next one got: 16 processes
/// ask it once or twice, not 16 times. All of them skip the port another
/// tool's container publishes.
#[test]
fn concurrent_first_assignments_share_container_listings() {
    let block = ports::block("concurrency::concurrent_first_assignments_share_container_listings");
    let published = block.first();
    let engine = FakeEngine::answering(
        &format!(
            r#"[{{"Id":"c1","Names":["/other-db-1"],"Image":"postgres","State":"running","Labels":{{"com.docker.compose.project":"other"}},"Ports":[{{"IP":"127.0.0.1","PrivatePort":5432,"PublicPort":{published},"Type":"tcp"}}]}}]"#
        ),
        Duration::from_secs(1),
    );
    let env = TestEnv::on(block).with("DOCKER_HOST", &engine.url());
    let mut ports = BTreeSet::new();
    for (port, stderr) in concurrent_first_ports(&env, 16) {
        assert_ne!(
            port, published,
            "the container's port was handed out: {stderr}"
        );
        ports.insert(port);
    }
    assert_eq!(ports.len(), 16);
    // Once for the first process, once more for those that began after it asked
    // (all of them, unless starting 16 processes took the machine a second).
    let listings = engine.listings();
    assert!(listings <= 2, "{listings} of 16 processes asked the engine");
    assert!(env.registry_dir().join("iris-dev-containers.json").exists());
}
