//! The soak (issue 21 §2): random operations over six projects on the real
//! engine, with faults, checking the registry's promises after every step.
//!
//! Not a timed test: a program (`harness = false`) that runs `--steps` steps
//! (50 by default, what `cargo test` runs) from a seed it prints, so that a
//! failure replays with `cargo test --test soak -- --seed N`. Each step is one
//! of `up`, `down`, `port`, `env`, `ports prune`, `ports clear`,
//! iris-devtester's `assign_port` (the Python named by `IRIS_DEV_TEST_PYTHON`),
//! `docker rm -f` of a container, an iris-dev process killed with SIGKILL at a
//! random moment (`up` among them), or the compose process of an `up` killed
//! mid-run. After every step:
//! - the registry parses;
//! - no two projects hold the same port (an active entry may hold the port of
//!   a released one: iris-devtester reuses released ports, which is counted);
//! - every running IRIS container publishes the ports its project's entry holds;
//! - every project whose IRIS container runs gets that container's port from
//!   `iris-dev port`.
//!
//! (iris-devtester's `assign_port` gives a project whose port is bound, by its
//! own running container too, new ports: such a stack and its entry disagree
//! until an `up` or `down` of it succeeds (a failed `up` puts the registry
//! back as iris-devtester left it) or it is gone. The soak counts those steps
//! apart, as "checks skipped: moved by iris-devtester", instead of calling
//! them violations of iris-dev's.)
//!
//! and after the final `down --all --volumes`, no container, network or volume
//! of the soak is left, nor a registry temp file. It prints its figures (steps,
//! faults, violations) and exits 1 on any violation. Everything it creates
//! carries the label `dev.iris-dev.soak=<run>` and is removed at the end, and
//! its IRIS ports come from 10700-10719 (web ports paired, 61501-61520).
//!
//! `cargo test --test soak -- --steps 300` is the longer run whose figures
//! docs/RELIABILITY.md gives.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use fs_err as fs;
use iris_dev::core::engine::{COMPOSE_PROJECT_LABEL, Container, Endpoint, Engine, PROJECT_LABEL};
use iris_dev::core::registry::Registry;
use iris_dev::edges::docker::DockerEngine;

const BIN: &str = env!("CARGO_BIN_EXE_iris-dev");
const STANDIN: &str = "iris-dev-standin:test";
const LABEL: &str = "dev.iris-dev.soak";
const RANGE: (u16, u16) = (10700, 10719);
const PROJECTS: usize = 6;
/// The longest a command may take before the soak calls it hung.
const COMMAND_LIMIT: Duration = Duration::from_secs(180);

fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            // `cargo test some_filter`: the filter is not the soak.
            println!("soak: filtered out\nsoak: 0 passed, 0 failed, 1 skipped");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("soak: {message}\nusage: soak [--seed N] [--steps N]");
            return ExitCode::from(2);
        }
    };
    if let Some(reason) = missing_tools() {
        if std::env::var("IRIS_DEV_DOCKER_TESTS").as_deref() == Ok("1") {
            eprintln!("soak: IRIS_DEV_DOCKER_TESTS=1 but {reason}");
            println!("soak: 0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
        println!("soak: skipped: {reason}\nsoak: 0 passed, 0 failed, 1 skipped");
        return ExitCode::SUCCESS;
    }
    let mut soak = match Soak::new(options.seed) {
        Ok(soak) => soak,
        Err(message) => {
            eprintln!("soak: cannot start: {message}");
            println!("soak: 0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "soak: seed {} ({} steps; replay with `cargo test --test soak -- --seed {} --steps {}`), run {} in {}",
        options.seed,
        options.steps,
        options.seed,
        options.steps,
        soak.run,
        soak.root.display()
    );
    let started = Instant::now();
    for step in 1..=options.steps {
        soak.step(step);
    }
    soak.finish();
    let figures = &soak.figures;
    let faults: usize = figures.faults.values().sum();
    println!(
        "soak: {} steps in {:.0} s, {} operations ({}), {} faults ({}), {} violations; at most {} ports of released entries held by active ones (iris-devtester's reuse); containers, networks and volumes left by forgotten projects: {}",
        options.steps,
        started.elapsed().as_secs_f64(),
        figures.operations.values().sum::<usize>(),
        counts(&figures.operations),
        faults,
        counts(&figures.faults),
        soak.violations.len(),
        figures.released_ports_shared,
        figures.forgotten
    );
    for violation in &soak.violations {
        println!("soak: violation: {violation}");
    }
    if soak.violations.is_empty() {
        println!("soak: 1 passed, 0 failed");
        ExitCode::SUCCESS
    } else {
        println!(
            "soak: seed {} found violations\nsoak: 0 passed, 1 failed",
            options.seed
        );
        ExitCode::FAILURE
    }
}

fn counts(map: &BTreeMap<&'static str, usize>) -> String {
    map.iter()
        .map(|(name, count)| format!("{name} {count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

struct Options {
    seed: u64,
    steps: usize,
}

impl Options {
    /// `None` when a test-name filter that is not this program's was given.
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Self>, String> {
        let mut seed = None;
        let mut steps = 50;
        let mut filtered_out = false;
        while let Some(arg) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .ok_or_else(|| format!("{name} needs a value"))?
                    .parse::<u64>()
                    .map_err(|err| format!("{name}: {err}"))
            };
            match arg.as_str() {
                "--seed" => seed = Some(value("--seed")?),
                "--steps" => steps = usize::try_from(value("--steps")?).unwrap_or(usize::MAX),
                // What cargo passes every test binary.
                flag if flag.starts_with('-') => {}
                filter => filtered_out |= !"soak".contains(filter),
            }
        }
        if filtered_out {
            return Ok(None);
        }
        let seed = seed.unwrap_or_else(|| {
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default();
            now.as_secs() ^ (u64::from(now.subsec_nanos()) << 20)
        });
        Ok(Some(Self { seed, steps }))
    }
}

/// Why the soak cannot run here, if it cannot.
fn missing_tools() -> Option<String> {
    let docker = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output();
    match docker {
        Ok(output) if output.status.success() => {}
        _ => return Some("no Docker engine answers `docker version`".to_owned()),
    }
    if Command::new("cc").arg("--version").output().is_err() {
        return Some("no C compiler (`cc`) for the stand-in image".to_owned());
    }
    None
}

/// xorshift64: small, and the same sequence for the same seed everywhere.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }

    fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).unwrap_or(0)
    }
}

#[derive(Default)]
struct Figures {
    operations: BTreeMap<&'static str, usize>,
    faults: BTreeMap<&'static str, usize>,
    /// The most ports at once that an active assignment shared with a released
    /// or stale one (iris-devtester's reuse of released ports).
    released_ports_shared: usize,
    /// Containers, networks and volumes left at the end by projects the
    /// registry no longer names.
    forgotten: usize,
}

struct Project {
    dir: PathBuf,
    /// The compose project name, `s<run>p<N>`: the directory's own name.
    name: String,
    /// The DOCKER_CONFIG that picks this project's compose; `None` for
    /// docker-compose 1.x.
    docker_config: Option<String>,
}

struct Soak {
    run: String,
    _temp: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    projects: Vec<Project>,
    /// A docker-compose-free config for `down --all`: the newest compose found.
    down_config: Option<String>,
    python: Option<String>,
    random: Random,
    engine: DockerEngine,
    figures: Figures,
    violations: Vec<String>,
    /// Projects whose running stack iris-devtester's `assign_port` moved to
    /// other ports in the registry (it gives a project whose port is bound,
    /// by its own container too, a new one): until the stack runs again or
    /// is gone, its container and its entry disagree, which `iris-dev status`
    /// and `doctor` report; the soak counts it and does not call it a
    /// violation of iris-dev's.
    moved_by_python: BTreeSet<usize>,
}

impl Soak {
    fn new(seed: u64) -> Result<Self, String> {
        build_standin()?;
        // xorshift would stay at zero forever: start from an odd state.
        let random = Random(seed | 1);
        let run = format!("{:x}", seed & 0xff_ffff);
        let temp = tempfile::Builder::new()
            .prefix("iris-dev-soak")
            .tempdir()
            .map_err(|err| err.to_string())?;
        let root = fs::canonicalize(temp.path()).map_err(|err| err.to_string())?;
        let home = root.join("home");
        fs::create_dir(&home).map_err(|err| err.to_string())?;
        let composes: Vec<Option<String>> = std::iter::once(None)
            .chain(
                [
                    option_env!("IRIS_DEV_TEST_COMPOSE_V2"),
                    option_env!("IRIS_DEV_TEST_COMPOSE_V2_LEGACY"),
                ]
                .into_iter()
                .flatten()
                .filter(|config| !config.is_empty())
                .map(|config| Some(config.to_owned())),
            )
            .collect();
        let projects = (0..PROJECTS)
            .map(|index| {
                let name = format!("s{run}p{index}");
                let dir = root.join(&name);
                fs::create_dir(&dir).map_err(|err| err.to_string())?;
                fs::write(dir.join("compose.yaml"), compose_file(&run))
                    .map_err(|err| err.to_string())?;
                Ok(Project {
                    dir,
                    name,
                    docker_config: composes[index % composes.len()].clone(),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let endpoint = Endpoint::new(
            std::env::var("DOCKER_HOST")
                .unwrap_or_else(|_| iris_dev::core::engine::DEFAULT_ENDPOINT.to_owned()),
        );
        let engine = DockerEngine::connect(&endpoint).map_err(|err| err.to_string())?;
        let python = option_env!("IRIS_DEV_TEST_PYTHON")
            .filter(|python| !python.is_empty())
            .map(str::to_owned);
        Ok(Self {
            down_config: composes.last().cloned().flatten(),
            run,
            _temp: temp,
            root,
            home,
            projects,
            python,
            random,
            engine,
            figures: Figures::default(),
            violations: Vec::new(),
            moved_by_python: BTreeSet::new(),
        })
    }

    fn command(&self, docker_config: Option<&str>) -> Command {
        let mut command = Command::new(BIN);
        command
            .env_clear()
            .env("HOME", &self.home)
            .env("IRIS_DEV_PORT_RANGE", format!("{}-{}", RANGE.0, RANGE.1))
            .env("NO_COLOR", "1")
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match docker_config {
            Some(config) => command.env("DOCKER_CONFIG", config),
            // An empty DOCKER_CONFIG: no `docker compose` plugin, so iris-dev
            // runs docker-compose 1.x.
            None => command.env("DOCKER_CONFIG", self.home.join("docker-config-v1")),
        };
        if let Ok(host) = std::env::var("DOCKER_HOST") {
            command.env("DOCKER_HOST", host);
        }
        command
    }

    fn in_project(&self, project: usize, args: &[&str]) -> Command {
        let project = &self.projects[project];
        let mut command = self.command(project.docker_config.as_deref());
        command.args(args).current_dir(&project.dir);
        command
    }

    fn count(&mut self, operation: &'static str) {
        *self.figures.operations.entry(operation).or_default() += 1;
    }

    fn fault(&mut self, fault: &'static str) {
        *self.figures.faults.entry(fault).or_default() += 1;
    }

    /// `step` [`usize::MAX`] is the final check.
    fn violation(&mut self, step: usize, what: String) {
        let at = match step {
            usize::MAX => "final check".to_owned(),
            step => format!("step {step}"),
        };
        println!("soak: {at}: VIOLATION {what}");
        self.violations.push(format!("{at}: {what}"));
    }

    /// Runs `command` to the end (or kills it past [`COMMAND_LIMIT`]); a
    /// failure not in `allowed` exit codes is a violation.
    fn expect(&mut self, step: usize, what: &str, mut command: Command, allowed: &[i32]) -> Output {
        let child = command.spawn().expect("iris-dev starts");
        let output = wait_limited(child, COMMAND_LIMIT);
        let code = output.status.code();
        if !code.is_some_and(|code| allowed.contains(&code)) {
            let stderr = String::from_utf8_lossy(&output.stderr);
            self.violation(
                step,
                format!("`{what}` exited {code:?}, expected {allowed:?}:\n{stderr}"),
            );
        }
        output
    }

    fn step(&mut self, step: usize) {
        let project = self.random.index(PROJECTS);
        let name = self.projects[project].name.clone();
        let roll = self.random.below(100);
        let began = Instant::now();
        // An `up` or `down` of a project iris-devtester moved brings its stack
        // and its entry together again: from here on they must agree. (One
        // that fails, its compose or itself killed, leaves them as they were:
        // `kill_compose` and `kill_iris_dev` clear the mark only when it
        // succeeded, and the checks clear it once the two agree.)
        if matches!(roll, 0..=31) {
            self.moved_by_python.remove(&project);
        }
        let what = match roll {
            0..=21 => {
                self.count("up");
                let args = ["up", "--wait-timeout", "60"];
                self.expect(
                    step,
                    &format!("up {name}"),
                    self.in_project(project, &args),
                    &[0],
                );
                format!("up {name}")
            }
            22..=31 => {
                self.count("down");
                let flags: &[&str] = match self.random.below(3) {
                    0 => &["down"],
                    1 => &["down", "--volumes"],
                    _ => &["down", "--release"],
                };
                self.expect(
                    step,
                    &flags.join(" "),
                    self.in_project(project, flags),
                    &[0],
                );
                format!("{} {name}", flags.join(" "))
            }
            32..=41 => {
                self.count("port");
                self.expect(step, "port", self.in_project(project, &["port"]), &[0]);
                format!("port {name}")
            }
            42..=49 => {
                self.count("env");
                let args = ["env", "--format", "json"];
                let output = self.expect(step, "env", self.in_project(project, &args), &[0]);
                if output.status.success()
                    && serde_json::from_slice::<serde_json::Value>(&output.stdout).is_err()
                {
                    self.violation(step, format!("`env --format json` of {name} is not JSON"));
                }
                format!("env {name}")
            }
            50..=54 => {
                self.count("ports prune");
                let command = self.in_project(project, &["ports", "prune"]);
                self.expect(step, "ports prune", command, &[0]);
                "ports prune".to_owned()
            }
            55..=59 => {
                self.count("ports clear");
                // 1: the project has no entry to clear.
                let command = self.in_project(project, &["ports", "clear"]);
                self.expect(step, "ports clear", command, &[0, 1]);
                format!("ports clear {name}")
            }
            60..=66 => self.assign_port(step, project),
            67..=73 => self.remove_container(),
            74..=87 => self.kill_iris_dev(project),
            _ => self.kill_compose(step, project),
        };
        // A killed iris-dev leaves its compose running: the checks wait for it.
        self.wait_for_compose();
        println!(
            "soak: step {step}: {what} ({:.1} s)",
            began.elapsed().as_secs_f64()
        );
        self.check(step);
    }

    /// iris-devtester's own `PortRegistry.assign_port`, for one of the six
    /// projects (as `idt` run in it would) or a project of its own.
    fn assign_port(&mut self, step: usize, project: usize) -> String {
        let Some(python) = self.python.clone() else {
            self.count("port (no python)");
            self.expect(step, "port", self.in_project(project, &["port"]), &[0]);
            return "port (IRIS_DEV_TEST_PYTHON not set)".to_owned();
        };
        self.count("assign_port");
        let own = self.random.below(2) == 0;
        let path = if own {
            self.projects[project].dir.clone()
        } else {
            self.root.join(format!("py{}", self.random.below(3)))
        };
        let before = self.entry_port(&path);
        let script = "import sys\nfrom pathlib import Path\nfrom iris_devtester.ports import PortRegistry\n\
                      registry = PortRegistry(registry_path=Path(sys.argv[1]), port_range=(int(sys.argv[2]), int(sys.argv[3])))\n\
                      print(registry.assign_port(sys.argv[4]).port)\n";
        let mut command = Command::new(python);
        command
            .env_clear()
            .env("HOME", &self.home)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .args(["-c", script])
            .arg(self.home.join(".iris-devtester/port-registry.json"))
            .args([RANGE.0.to_string(), RANGE.1.to_string()])
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let output = wait_limited(command.spawn().expect("python starts"), COMMAND_LIMIT);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let after = self.entry_port(&path);
        if own && before.is_some() && before != after {
            self.fault("assign_port moved a stack");
            self.moved_by_python.insert(project);
        }
        // Python refuses a full range; anything else is a failure to look at.
        if !output.status.success() && !stderr.contains("PortExhausted") {
            self.violation(
                step,
                format!("assign_port {} failed:\n{stderr}", path.display()),
            );
        }
        format!(
            "assign_port {} -> {}",
            path.file_name().unwrap_or_default().to_string_lossy(),
            String::from_utf8_lossy(&output.stdout).trim()
        )
    }

    /// The port the registry gives the project at `path`, if any.
    fn entry_port(&self, path: &Path) -> Option<u16> {
        let bytes = fs::read(self.home.join(".iris-devtester/port-registry.json")).ok()?;
        let registry = Registry::parse(&bytes).ok()?;
        Some(registry.find(path.to_str()?)?.port)
    }

    /// `docker rm -f` of one of the soak's containers, as a user would.
    fn remove_container(&mut self) -> String {
        let containers = self.containers();
        if containers.is_empty() {
            self.count("docker rm -f (none)");
            return "docker rm -f: no container to remove".to_owned();
        }
        self.fault("docker rm -f");
        let container = &containers[self.random.index(containers.len())];
        let _ = Command::new("docker")
            .args(["rm", "-f", &container.id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        format!("docker rm -f {}", container.name)
    }

    /// An iris-dev command killed with SIGKILL after a random moment: `up`
    /// most often, which can die before, during or after compose.
    fn kill_iris_dev(&mut self, project: usize) -> String {
        self.fault("SIGKILL iris-dev");
        let args: &[&str] = match self.random.below(6) {
            0..=2 => &["up", "--wait-timeout", "60"],
            3 => &["down"],
            4 => &["port"],
            _ => &["ports", "prune"],
        };
        let after = Duration::from_millis(self.random.below(3000));
        let child = self
            .in_project(project, args)
            .spawn()
            .expect("iris-dev starts");
        let (outcome, finished) = kill_after(child, after);
        if matches!(args[0], "up" | "down") && finished.is_some_and(|status| status.success()) {
            self.moved_by_python.remove(&project);
        }
        format!(
            "SIGKILL `{}` {} after {} ms: {outcome}",
            args.join(" "),
            self.projects[project].name,
            after.as_millis()
        )
    }

    /// `up`, with its compose process killed with SIGKILL a random moment
    /// after it started: the `up` fails, and the registry and the engine are
    /// left as the checks expect.
    fn kill_compose(&mut self, step: usize, project: usize) -> String {
        let after = Duration::from_millis(self.random.below(1500));
        let mut child = self
            .in_project(project, &["up", "--wait-timeout", "60"])
            .spawn()
            .expect("iris-dev starts");
        let started = Instant::now();
        let mut killed = None;
        while started.elapsed() < Duration::from_secs(30) {
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            if let Some(pid) = compose_under(child.id())
                && started.elapsed() >= after
            {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
                killed = Some(pid);
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let output = wait_limited(child, COMMAND_LIMIT);
        let name = self.projects[project].name.clone();
        if output.status.success() {
            self.moved_by_python.remove(&project);
        }
        match killed {
            Some(pid) => {
                self.fault("compose killed");
                if output.status.success() {
                    // compose may have been done already: a clean `up` is fine.
                    return format!("up {name}, compose {pid} killed after it was done");
                }
                let stderr = String::from_utf8_lossy(&output.stderr);
                if !stderr.contains("error") {
                    self.violation(step, format!("up {name} failed without an error: {stderr}"));
                }
                format!(
                    "up {name}, compose {pid} killed after {} ms",
                    after.as_millis()
                )
            }
            None => {
                self.count("up");
                if !output.status.success() {
                    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
                    self.violation(step, format!("up {name} failed:\n{stderr}"));
                }
                format!("up {name} (done before compose could be killed)")
            }
        }
    }

    /// Waits until no compose process of the soak runs (a killed iris-dev's
    /// compose goes on), at most a minute.
    fn wait_for_compose(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            let running = processes().into_iter().any(|(_, _, command)| {
                command.contains("compose")
                    && self.projects.iter().any(|p| command.contains(&p.name))
            });
            if !running {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The soak's containers.
    fn containers(&self) -> Vec<Container> {
        let label = &self.run;
        self.engine
            .containers()
            .unwrap_or_default()
            .into_iter()
            .filter(|container| container.labels.get(LABEL) == Some(label))
            .collect()
    }

    fn check(&mut self, step: usize) {
        let path = self.home.join(".iris-devtester/port-registry.json");
        let registry = match fs::read(&path) {
            Ok(bytes) => match Registry::parse(&bytes) {
                Ok(registry) => registry,
                Err(err) => {
                    return self.violation(step, format!("the registry does not parse: {err}"));
                }
            },
            Err(_) => Registry::empty(),
        };
        // No two projects hold the same port. iris-devtester takes a port
        // another project released (FIELD-NOTES.md): that share is counted,
        // and only two active holders are a violation.
        let mut holders: BTreeMap<u16, Vec<(&str, bool)>> = BTreeMap::new();
        for assignment in &registry.assignments {
            let ports: BTreeSet<u16> = assignment.ports().collect();
            for port in ports {
                let holder = (assignment.project_path.as_str(), assignment.is_active());
                holders.entry(port).or_default().push(holder);
            }
        }
        let mut taken_released = 0;
        let mut shared = Vec::new();
        for (port, projects) in holders.iter().filter(|(_, projects)| projects.len() > 1) {
            if projects.iter().filter(|(_, active)| *active).count() > 1 {
                let names: Vec<&str> = projects.iter().map(|(path, _)| *path).collect();
                shared.push(format!("port {port} is held by {}", names.join(" and ")));
            } else {
                taken_released += 1;
            }
        }
        for what in shared {
            self.violation(step, what);
        }
        let most = &mut self.figures.released_ports_shared;
        *most = (*most).max(taken_released);
        // Every running IRIS container publishes its entry's ports, and `port`
        // answers the one it publishes.
        let running: Vec<Container> = self
            .containers()
            .into_iter()
            .filter(|container| container.state == "running")
            .collect();
        let mut seen = BTreeSet::new();
        for container in &running {
            let Some(project_path) = container.labels.get(PROJECT_LABEL) else {
                continue;
            };
            let published = |target: u16| {
                let mut ports: Vec<u16> = container
                    .ports
                    .iter()
                    .filter(|port| port.container_port == target && port.host_port != 0)
                    .map(|port| port.host_port)
                    .collect();
                ports.sort_unstable();
                ports.dedup();
                ports
            };
            let (iris, web) = (published(1972), published(52773));
            let index = self
                .projects
                .iter()
                .position(|p| p.dir.as_os_str() == project_path.as_str());
            let agrees = registry.find(project_path).is_some_and(|entry| {
                (
                    vec![entry.port],
                    entry.effective_web_port().into_iter().collect::<Vec<_>>(),
                ) == (iris.clone(), web.clone())
            });
            if let Some(index) = index
                && self.moved_by_python.contains(&index)
            {
                if agrees {
                    self.moved_by_python.remove(&index);
                } else {
                    *self
                        .figures
                        .faults
                        .entry("checks skipped: moved by iris-devtester")
                        .or_default() += 1;
                    continue;
                }
            }
            if let Some(entry) = registry.find(project_path) {
                let expected = (
                    vec![entry.port],
                    entry.effective_web_port().into_iter().collect(),
                );
                if (iris.clone(), web.clone()) != expected {
                    self.violation(
                        step,
                        format!(
                            "{} runs on {iris:?}/{web:?}, its entry holds {:?}/{:?}",
                            container.name, expected.0, expected.1
                        ),
                    );
                }
            }
            let Some(index) = index else {
                continue;
            };
            if !seen.insert(index) {
                self.violation(
                    step,
                    format!("two running IRIS containers for {project_path}"),
                );
                continue;
            }
            let output = wait_limited(
                self.in_project(index, &["port"])
                    .spawn()
                    .expect("iris-dev starts"),
                COMMAND_LIMIT,
            );
            let answer = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            if !output.status.success() || vec![answer.parse::<u16>().unwrap_or(0)] != iris {
                self.violation(
                    step,
                    format!(
                        "`port` of {} answers {answer:?} (exit {:?}; {}), its container {} publishes {iris:?}",
                        self.projects[index].name,
                        output.status.code(),
                        String::from_utf8_lossy(&output.stderr).trim(),
                        container.name
                    ),
                );
            }
        }
    }

    /// The final `down --all --volumes`, then the debris check, then the
    /// soak's own clean-up of whatever is left.
    fn finish(&mut self) {
        let step = usize::MAX;
        // The stacks the registry still names: `down --all` answers for
        // those. A project `ports clear` or `down --release` made it forget
        // may leave what it had (its volumes, named when released); that is
        // counted, not a violation.
        let known: BTreeSet<String> =
            fs::read(self.home.join(".iris-devtester/port-registry.json"))
                .ok()
                .and_then(|bytes| Registry::parse(&bytes).ok())
                .map(|registry| {
                    registry
                        .assignments
                        .into_iter()
                        .filter_map(|assignment| assignment.compose_project)
                        .collect()
                })
                .unwrap_or_default();
        let mut command = self.command(self.down_config.as_deref());
        command.args(["down", "--all", "--volumes"]);
        self.expect(step, "down --all --volumes", command, &[0]);
        self.wait_for_compose();
        let (left, forgotten): (Vec<_>, Vec<_>) = self
            .leftovers()
            .into_iter()
            .partition(|(project, _)| project.as_ref().is_none_or(|name| known.contains(name)));
        let names = |items: &[(Option<String>, String)]| {
            items
                .iter()
                .map(|(_, what)| what.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !left.is_empty() {
            self.violation(
                step,
                format!(
                    "after `down --all --volumes` the soak left {}",
                    names(&left)
                ),
            );
        }
        println!(
            "soak: left by projects the registry was told to forget: {}",
            if forgotten.is_empty() {
                "nothing".to_owned()
            } else {
                names(&forgotten)
            }
        );
        self.figures.forgotten = forgotten.len();
        let temp_files: Vec<String> = fs::read_dir(self.home.join(".iris-devtester"))
            .map(|entries| {
                entries
                    .flatten()
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .filter(|name| name.contains(".tmp-"))
                    .collect()
            })
            .unwrap_or_default();
        if !temp_files.is_empty() {
            self.violation(step, format!("registry temp files left: {temp_files:?}"));
        }
        self.remove_everything();
    }

    /// What of the soak is on the engine: containers, networks and volumes
    /// with its label or its compose projects' label.
    fn leftovers(&self) -> Vec<(Option<String>, String)> {
        let names: BTreeSet<&str> = self.projects.iter().map(|p| p.name.as_str()).collect();
        let ours = |labels: &BTreeMap<String, String>| {
            labels.get(LABEL) == Some(&self.run)
                || labels
                    .get(COMPOSE_PROJECT_LABEL)
                    .is_some_and(|name| names.contains(name.as_str()))
        };
        let project =
            |labels: &BTreeMap<String, String>| labels.get(COMPOSE_PROJECT_LABEL).cloned();
        let mut left = Vec::new();
        for container in self.engine.containers().unwrap_or_default() {
            if ours(&container.labels) {
                left.push((
                    project(&container.labels),
                    format!("container {}", container.name),
                ));
            }
        }
        for network in self.engine.networks().unwrap_or_default() {
            if ours(&network.labels) {
                left.push((
                    project(&network.labels),
                    format!("network {}", network.name),
                ));
            }
        }
        for volume in self.engine.volumes().unwrap_or_default() {
            if ours(&volume.labels) {
                left.push((project(&volume.labels), format!("volume {}", volume.name)));
            }
        }
        left
    }

    fn remove_everything(&self) {
        let label = format!("label={LABEL}={}", self.run);
        for (list, remove) in [
            (["ps", "-aq"].as_slice(), ["rm", "-f"].as_slice()),
            (&["network", "ls", "-q"], &["network", "rm"]),
            (&["volume", "ls", "-q"], &["volume", "rm", "-f"]),
        ] {
            let ids = Command::new("docker")
                .args(list)
                .args(["--filter", &label])
                .output()
                .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
                .unwrap_or_default();
            if !ids.trim().is_empty() {
                let _ = Command::new("docker")
                    .args(remove)
                    .args(ids.split_whitespace())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            }
        }
    }
}

impl Drop for Soak {
    /// Also when the soak panics half-way.
    fn drop(&mut self) {
        self.remove_everything();
    }
}

/// Each project's stack: the stand-in IRIS with a named volume, everything
/// labelled with the run.
fn compose_file(run: &str) -> String {
    format!(
        "services:\n  iris:\n    image: {STANDIN}\n    expose: [\"1972\"]\n    labels:\n      {LABEL}: \"{run}\"\n    volumes:\n      - data:/data\nnetworks:\n  default:\n    labels:\n      {LABEL}: \"{run}\"\nvolumes:\n  data:\n    labels:\n      {LABEL}: \"{run}\"\n"
    )
}

/// Builds the stand-in image as tests/it/docker.rs does, when it is missing.
fn build_standin() -> Result<(), String> {
    let present = Command::new("docker")
        .args(["image", "inspect", STANDIN])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if present {
        return Ok(());
    }
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/standin");
    let context = tempfile::tempdir().map_err(|err| err.to_string())?;
    let compile = Command::new("cc")
        .args(["-static", "-O2", "-o"])
        .arg(context.path().join("standin"))
        .arg(source.join("standin.c"))
        .output()
        .map_err(|err| format!("cc: {err}"))?;
    if !compile.status.success() {
        return Err(String::from_utf8_lossy(&compile.stderr).into_owned());
    }
    fs::copy(source.join("Dockerfile"), context.path().join("Dockerfile"))
        .map_err(|err| err.to_string())?;
    let build = Command::new("docker")
        .args(["build", "-q", "-t", STANDIN])
        .arg(context.path())
        .output()
        .map_err(|err| format!("docker build: {err}"))?;
    if !build.status.success() {
        return Err(String::from_utf8_lossy(&build.stderr).into_owned());
    }
    Ok(())
}

/// Waits for `child`, killing it past `limit`.
fn wait_limited(mut child: Child, limit: Duration) -> Output {
    let started = Instant::now();
    while child.try_wait().ok().flatten().is_none() && started.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(10));
    }
    if child.try_wait().ok().flatten().is_none() {
        let _ = child.kill();
    }
    child.wait_with_output().expect("the child is waited for")
}

/// SIGKILLs `child` after `after`, unless it finished first; says which.
fn kill_after(mut child: Child, after: Duration) -> (String, Option<std::process::ExitStatus>) {
    let started = Instant::now();
    while started.elapsed() < after {
        if let Ok(Some(status)) = child.try_wait() {
            return (format!("it finished first ({status})"), Some(status));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait_with_output();
    ("killed".to_owned(), None)
}

/// Every process: pid, parent pid, command line.
fn processes() -> Vec<(u32, u32, String)> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
            let after = stat.rsplit_once(')')?.1;
            let ppid: u32 = after.split_whitespace().nth(1)?.parse().ok()?;
            let command = fs::read(entry.path().join("cmdline")).ok()?;
            let command = String::from_utf8_lossy(&command).replace('\0', " ");
            Some((pid, ppid, command))
        })
        .collect()
}

/// A compose process started by `parent` or one of its children.
fn compose_under(parent: u32) -> Option<u32> {
    let all = processes();
    let mut family = vec![parent];
    let mut index = 0;
    while index < family.len() {
        let of = family[index];
        family.extend(
            all.iter()
                .filter(|(_, ppid, _)| *ppid == of)
                .map(|(pid, _, _)| *pid),
        );
        index += 1;
    }
    // The deepest: `docker compose` runs the plugin as its child.
    family[1..]
        .iter()
        .rev()
        .find(|pid| {
            all.iter()
                .any(|(other, _, command)| other == *pid && command.contains("compose"))
        })
        .copied()
}
