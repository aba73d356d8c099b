//! `TestEnv`: a temporary HOME and registry, the real binary, and an environment
//! set explicitly, so no test reads or writes the real user's files, and no
//! test reaches the Docker engine unless it asks to ([`TestEnv::engine`]).
//!
//! The engine's helpers live beside it: [`compose`] (the three composes and
//! the matrix), [`engine`] (the stand-in image, `docker` calls, cleanup) and
//! [`ports`] (every test's host ports).

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use fs_err as fs;

mod compose;
mod engine;
pub mod needs;
pub mod ports;

pub(crate) use compose::{Compose, compose_matrix, compose_project, port_of, unique_name};
pub(crate) use engine::{
    Cleanup, STANDIN, docker_out, reachable, remove_projects, standin, standin_compose,
    standin_variant,
};

pub const BIN: &str = env!("CARGO_BIN_EXE_iris-dev");

/// Names another `iris-dev` for [`TestEnv::command`] to run instead of [`BIN`]:
/// `.ci/ship` points it at the binary a wheel installed into a venv and runs the
/// interop tests against that.
const TEST_BIN: &str = "IRIS_DEV_TEST_BIN";

/// The binary [`TestEnv::command`] runs: `IRIS_DEV_TEST_BIN` when set, else the
/// one cargo built.
fn bin() -> PathBuf {
    match std::env::var_os(TEST_BIN).filter(|bin| !bin.is_empty()) {
        Some(bin) => {
            let bin = PathBuf::from(bin);
            assert!(
                bin.is_absolute() && bin.is_file(),
                "{TEST_BIN}={} is not an absolute path to an iris-dev binary; unset it to test the one cargo builds",
                bin.display()
            );
            bin
        }
        None => PathBuf::from(BIN),
    }
}

pub struct TestEnv {
    temp: tempfile::TempDir,
    /// The host ports iris-dev assigns from (`IRIS_DEV_PORT_RANGE`).
    ports: ports::Block,
    /// Canonical path of `temp`, so output can be made stable.
    root: PathBuf,
    vars: Vec<(String, String)>,
}

impl TestEnv {
    /// A fresh HOME whose iris-dev assigns ports from the block `name` of
    /// [`ports`] (the test's own name, `module::test`), and whose
    /// `DOCKER_HOST` names a socket nobody listens on: a test that did not ask
    /// for the engine cannot reach it, whatever this machine runs.
    #[track_caller]
    pub fn new(name: &str) -> Self {
        Self::on(ports::block(name))
    }

    /// [`TestEnv::new`] for a test that runs iris-dev against this machine's
    /// Docker engine (the `DOCKER_HOST` the tests run with, or Docker's
    /// default). Such a test is marked `#[cfg_attr(not(has_docker), ignore =
    /// ...)]` (or a compose's `cfg`), so it is ignored where build.rs found no
    /// engine.
    #[track_caller]
    pub fn engine(name: &str) -> Self {
        Self::new(name).with_engine()
    }

    /// A fresh HOME whose iris-dev assigns ports from `ports`: a block of
    /// [`ports`], or a part of one. No engine, as [`TestEnv::new`].
    pub fn on(ports: ports::Block) -> Self {
        let temp = tempfile::Builder::new()
            .prefix("iris-dev-test")
            .tempdir()
            .unwrap();
        let root = fs::canonicalize(temp.path()).unwrap();
        fs::create_dir(root.join("home")).unwrap();
        let mut env = Self {
            temp,
            ports,
            root,
            vars: Vec::new(),
        };
        env.vars = vec![
            ("HOME".into(), env.home().display().to_string()),
            ("IRIS_DEV_PORT_RANGE".into(), ports.range()),
            ("NO_COLOR".into(), "1".into()),
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            ("DOCKER_HOST".into(), env.no_engine()),
        ];
        env
    }

    /// The `DOCKER_HOST` of a test without the engine: a socket in its own
    /// directory that nothing listens on, so the answer is at once "no such
    /// socket" on every machine.
    pub fn no_engine(&self) -> String {
        format!("unix://{}/no-engine.sock", self.root.display())
    }

    /// This machine's engine instead of none: the `DOCKER_HOST` the tests run
    /// with, or none (Docker's default socket, or the docker context).
    pub fn with_engine(mut self) -> Self {
        self.vars.retain(|(key, _)| key != "DOCKER_HOST");
        if let Ok(host) = std::env::var("DOCKER_HOST") {
            self.vars.push(("DOCKER_HOST".into(), host));
        }
        self
    }

    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.set(name, value);
        self
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.vars.retain(|(key, _)| key != name);
        self.vars.push((name.into(), value.into()));
    }

    /// The ports iris-dev assigns from here.
    pub fn ports(&self) -> ports::Block {
        self.ports
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn home(&self) -> PathBuf {
        self.root.join("home")
    }

    pub fn registry_dir(&self) -> PathBuf {
        self.home().join(".iris-devtester")
    }

    pub fn registry(&self) -> PathBuf {
        self.registry_dir().join("port-registry.json")
    }

    pub fn lock_file(&self) -> PathBuf {
        self.registry_dir().join("port-registry.lock")
    }

    pub fn registry_json(&self) -> serde_json::Value {
        serde_json::from_slice(&fs::read(self.registry()).unwrap()).unwrap()
    }

    /// The `project_path` of every assignment in the registry, in its order.
    pub fn registered_projects(&self) -> Vec<String> {
        self.registry_json()["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["project_path"].as_str().unwrap().to_owned())
            .collect()
    }

    /// A project directory (created) under the test root.
    pub fn project(&self, name: &str) -> PathBuf {
        let path = self.root.join(name);
        fs::create_dir_all(&path).unwrap();
        path
    }

    /// The binary ([`bin`]) with this test's environment and nothing inherited.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = self.program(bin());
        command.args(args);
        command
    }

    /// `program` with this test's environment and nothing inherited, as the
    /// user's shell runs it beside iris-dev (plain `docker compose`, say).
    pub fn program(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .envs(self.vars.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.root)
            .stdin(Stdio::null());
        command
    }

    /// Starts the binary in `dir` with output captured, for tests that run many at once.
    pub fn spawn<I, S>(&self, args: I, dir: &Path) -> std::process::Child
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.output(&mut self.command(args))
    }

    /// Runs the binary with `dir` as its working directory.
    pub fn run_in<I, S>(&self, dir: &Path, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.output(self.command(args).current_dir(dir))
    }

    /// Runs a [`TestEnv::command`] adjusted by the caller (an extra variable, say).
    pub fn output(&self, command: &mut Command) -> Run {
        self.wrap(command.output().unwrap())
    }

    /// The output of a process a test started itself, for [`Run`]'s checks.
    pub fn wrap(&self, output: Output) -> Run {
        Run {
            output,
            root: self.root.display().to_string(),
            redactions: Vec::new(),
        }
    }

    /// Keeps the directory for inspection when a test fails.
    #[expect(dead_code, reason = "for debugging a failing test")]
    pub fn keep(self) -> PathBuf {
        self.temp.keep()
    }
}

pub struct Run {
    pub output: Output,
    root: String,
    redactions: Vec<(String, &'static str)>,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Replaces `text` with `placeholder` in [`Run::snapshot`].
    pub fn redact(mut self, text: impl Into<String>, placeholder: &'static str) -> Self {
        self.redactions.push((text.into(), placeholder));
        self
    }

    /// Succeeds or panics with everything the command said.
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(self.code(), 0, "{}", self.snapshot());
        self
    }

    /// Panics with everything the command said unless stderr contains `needle`.
    #[track_caller]
    pub fn assert_stderr_contains(&self, needle: &str) {
        assert!(
            self.stderr().contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.snapshot()
        );
    }

    /// Panics with everything the command said unless stdout contains `needle`.
    #[track_caller]
    pub fn assert_stdout_contains(&self, needle: &str) {
        assert!(
            self.stdout().contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.snapshot()
        );
    }

    pub fn port(&self) -> u16 {
        self.stdout()
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("not a port: {}", self.snapshot()))
    }

    /// Exit code, stdout and stderr with the temporary root and clock times made
    /// stable, for snapshots.
    pub fn snapshot(&self) -> String {
        let text = format!(
            "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            self.code(),
            self.stdout(),
            self.stderr()
        );
        let text = self
            .redactions
            .iter()
            .fold(text, |text, (from, to)| text.replace(from, to));
        redact_times(&text.replace(&self.root, "[ROOT]"))
    }
}

/// `text` with what follows `process PID `` on a line replaced by `placeholder`.
fn redact_process(text: &str, pid: u32, placeholder: &str) -> String {
    let process = format!("process {pid} `");
    text.lines()
        .map(|line| match line.find(&process) {
            Some(at) => format!("{}{placeholder}\n", &line[..at]),
            None => format!("{line}\n"),
        })
        .collect()
}

/// Runs `command` with `input` on its standard input and its output captured.
pub fn pipe_into(command: &mut Command, input: &str) -> Output {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Replaces ISO timestamps and file-name stamps with placeholders.
pub fn redact_times(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("20") {
        let candidate = &rest[start..];
        let bytes = candidate.as_bytes();
        let iso = bytes.len() >= 26
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes[10] == b'T'
            && bytes[13] == b':';
        let compact = bytes.len() >= 16
            && bytes[8] == b'T'
            && bytes[15] == b'Z'
            && bytes[..8].iter().all(u8::is_ascii_digit);
        out.push_str(&rest[..start]);
        if iso {
            let end = candidate
                .find(|c: char| !(c.is_ascii_digit() || "-T:.+".contains(c)))
                .unwrap_or(candidate.len());
            out.push_str("[TIME]");
            rest = &candidate[end..];
        } else if compact {
            out.push_str("[STAMP]");
            rest = &candidate[16..];
        } else {
            out.push_str("20");
            rest = &candidate[2..];
        }
    }
    out.push_str(rest);
    out
}

/// A Docker engine on 127.0.0.1 for `DOCKER_HOST=tcp://...`, counting what it is
/// asked.
pub struct FakeEngine {
    address: SocketAddr,
    connections: Arc<AtomicUsize>,
    listings: Arc<AtomicUsize>,
}

impl FakeEngine {
    /// Accepts connections and never answers: anything that talks to it hangs
    /// until its timeout.
    pub fn silent() -> Self {
        Self::start(None)
    }

    /// Answers `/_ping` at once, and `/containers/json` with `containers` (the
    /// engine API's JSON) after `delay`, as a busy or remote engine would.
    pub fn answering(containers: &str, delay: std::time::Duration) -> Self {
        Self::start(Some((containers.to_owned(), delay)))
    }

    fn start(containers: Option<(String, std::time::Duration)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let engine = Self {
            address: listener.local_addr().unwrap(),
            connections: Arc::default(),
            listings: Arc::default(),
        };
        let (connections, listings) = (engine.connections.clone(), engine.listings.clone());
        thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                connections.fetch_add(1, Ordering::SeqCst);
                let Some((containers, delay)) = containers.clone() else {
                    held.push(stream);
                    continue;
                };
                let listings = listings.clone();
                thread::spawn(move || answer(stream, &containers, delay, &listings));
            }
        });
        engine
    }

    pub fn url(&self) -> String {
        format!("tcp://{}", self.address)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Container listings asked for so far.
    pub fn listings(&self) -> usize {
        self.listings.load(Ordering::SeqCst)
    }
}

/// One HTTP exchange: the containers for a listing, after `delay`; `OK` for
/// anything else.
fn answer(
    mut stream: std::net::TcpStream,
    containers: &str,
    delay: std::time::Duration,
    listings: &AtomicUsize,
) {
    let mut request = String::new();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 2 {
        request.push_str(&line);
        line.clear();
    }
    let body = if request.contains("/containers/json") {
        listings.fetch_add(1, Ordering::SeqCst);
        thread::sleep(delay);
        containers
    } else {
        "OK"
    };
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A process of its own listening on 127.0.0.1, for tests that expect exactly
/// one holder of a port: a socket of the test process itself is also held, for
/// a moment, by every child a parallel test starts (until the child execs).
pub struct Listener {
    child: std::process::Child,
    /// The ports it listens on, in the order asked (0 asks for any free port).
    pub ports: Vec<u16>,
}

impl Listener {
    /// Listens on `ports` with `python3`; returns once they are bound.
    pub fn start(ports: &[u16]) -> Self {
        const SCRIPT: &str = "import socket, sys
held = []
for port in sys.argv[1:]:
    s = socket.socket()
    s.bind(('127.0.0.1', int(port)))
    s.listen()
    held.append(s)
print(' '.join(str(s.getsockname()[1]) for s in held), flush=True)
sys.stdin.read()
";
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(SCRIPT)
            .args(ports.iter().map(u16::to_string))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let ports = line
            .split_whitespace()
            .map(|port| port.parse().unwrap())
            .collect::<Vec<u16>>();
        assert!(!ports.is_empty(), "the listener did not start");
        Self { child, ports }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `text` with the lines that name this listener's process ending in
    /// `[LISTENER]` instead of its PID and command.
    pub fn redact(&self, text: &str) -> String {
        redact_process(text, self.pid(), "[LISTENER]")
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
