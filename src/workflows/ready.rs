//! Waiting until IRIS answers: the IRIS service's own health check, run in its
//! container about once a second through the engine's exec API, the engine's
//! health status, and, without a health check, the superserver port answering.
//!
//! Docker runs an image's first health check only one interval after the
//! container starts (60 s for IRIS images), so waiting for "healthy" alone makes
//! every `up` take a minute (issue 7). A TCP connect alone is not readiness
//! either: Docker's userland proxy accepts before anything listens in the
//! container, and closes the connection at once when nothing does, so the port
//! counts only when the connection stays open (or something is said on it).
//!
//! While it waits it watches the container's state and log (issue 19): IRIS
//! that cannot start says why in its log and exits, and under `restart: always`
//! it is restarted in a loop and never stays exited. A line of
//! [`iris_log::KNOWN`], a restart, or an exit ends the wait at once with what the
//! log said.
//!
//! An edge module: it polls the engine and opens sockets, with the clock bounding
//! the wait. What it reports goes through the caller's `progress` callback.

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crate::core::engine::{
    COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL, Container, ContainerState, Engine, EngineError,
    Health,
};
use crate::core::iris_log::{self, Known};

const POLL: Duration = Duration::from_millis(250);
/// How often `up` runs the health check itself, and reads the log.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// The longest one run of the health check may take (Docker's default check
/// timeout; IRIS's own check answers in well under a second). A run never
/// outlasts the wait either: one that hangs ends when the wait times out.
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);
/// What a run is given however little of the wait is left.
const CHECK_AT_LEAST: Duration = Duration::from_secs(1);
/// How long a connection to the port must stay open to count as an answer.
/// Docker's userland proxy closes it within milliseconds when nothing listens
/// in the container; IRIS's superserver waits for the client to speak.
const HOLD: Duration = Duration::from_millis(500);
/// How many of the log's last lines are read.
const LOG_TAIL: usize = 200;
/// How long before a run's recorded start its first lines may arrive: the
/// engine records `StartedAt` once the process runs, which may already have
/// printed (and exited). Less than the engine's shortest restart delay
/// (100 ms), so a restart loop's earlier run stays out.
const START_SLACK_MICROS: i64 = 50_000;
/// How many of them an unknown failure shows.
const LAST_LINES: usize = 10;

/// What to wait for.
pub struct Target<'a> {
    pub compose_project: &'a str,
    pub service: &'a str,
    pub bind: IpAddr,
    pub port: u16,
}

/// What made the wait end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    /// The service's health check passed when iris-dev ran it.
    CheckPassed,
    /// The engine's own health check said healthy first.
    Healthy,
    /// The container has no health check: it runs and the port answers.
    NoHealthCheck,
    /// No engine client (an `ssh://` engine): the port answers.
    PortOnly,
}

/// How the container stood when the wait gave up on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// It exited and stays so.
    Exited { code: Option<i64> },
    /// Its restart policy restarts it after each exit.
    Restarting { code: Option<i64>, restarts: i64 },
    /// It still runs, but its log has a line IRIS prints when it cannot start.
    Running,
}

impl std::fmt::Display for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let code = |code: &Option<i64>| match code {
            Some(code) => format!("exited with code {code}"),
            None => "exited".to_owned(),
        };
        match self {
            Self::Exited { code: exit } => f.write_str(&code(exit)),
            Self::Restarting { code: None, .. } => f.write_str("keeps restarting"),
            Self::Restarting { code: exit, .. } => write!(f, "keeps restarting: it {}", code(exit)),
            Self::Running => f.write_str("is still running"),
        }
    }
}

/// A failed start as the container's log explains it.
#[derive(Debug)]
pub struct Failure {
    pub container: String,
    /// The image the container runs, as the engine names it.
    pub image: String,
    pub ended: Ended,
    /// Its restart policy starts it again after each exit.
    pub restarts: bool,
    /// The table's row and the log line that matched it.
    pub known: Option<(&'static Known, String)>,
    /// The log's last lines, when no row matched.
    pub last: Vec<String>,
    /// Why the log could not be read, if it could not.
    pub log_error: Option<String>,
}

impl std::fmt::Display for Failure {
    /// A known cause is named alone: whether the container was seen running,
    /// restarting or exited when the log said so is a matter of timing.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.known {
            Some((known, _)) => write!(
                f,
                "IRIS in `{}` cannot start: {}",
                self.container,
                known.cause.meaning()
            ),
            None => write!(f, "the container `{}` {}", self.container, self.ended),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error(
        "IRIS did not answer on {address} within {timeout:?} (last seen: {last}){}",
        check_output(output)
    )]
    Timeout {
        address: SocketAddr,
        timeout: Duration,
        last: String,
        /// The health check's output the last time it ran.
        output: Option<String>,
    },
    #[error("{0}")]
    Failed(Box<Failure>),
    #[error(
        "the container `{container}` reports itself unhealthy{}",
        check_output(output)
    )]
    Unhealthy {
        container: String,
        output: Option<String>,
    },
    #[error("interrupted")]
    Interrupted,
}

fn check_output(output: &Option<String>) -> String {
    match output.as_deref().map(str::trim) {
        Some("") => "; its health check printed nothing".to_owned(),
        Some(output) => format!("; its health check said: {output}"),
        None => String::new(),
    }
}

/// The last non-empty line of a check's output, for the spinner.
fn last_line(output: &str) -> &str {
    output
        .lines()
        .map(str::trim)
        .rfind(|line| !line.is_empty())
        .unwrap_or("")
}

/// Whether something answers on `address`: the connection stays open for
/// [`HOLD`], or the far end sends something. A refused connection, or one
/// closed or reset at once (Docker's userland proxy with nothing listening in
/// the container), is no answer.
fn answers(address: &SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(address, Duration::from_secs(1)) else {
        return false;
    };
    if stream.set_read_timeout(Some(HOLD)).is_err() {
        return false;
    }
    let mut byte = [0_u8; 1];
    match stream.read(&mut byte) {
        Ok(read) => read > 0,
        Err(err) => matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

/// How long `status` lets one run of a container's health check take.
const CHECK_NOW: Duration = Duration::from_secs(5);

/// A running container's health as `status` shows it: the engine's word,
/// except that `starting` is checked by running the container's own health
/// check once, as `up` does. Podman without systemd timers never runs a
/// health check, so its word stays `starting` for ever; Docker's first run
/// comes only after the check's interval. `healthy` when the check passes
/// now, else `starting`.
pub fn health_now(engine: &dyn Engine, id: &str) -> Result<Health, EngineError> {
    match engine.health(id)? {
        Health::Starting => {}
        other => return Ok(other),
    }
    let Some(command) = engine.health_check(id)? else {
        return Ok(Health::Starting);
    };
    let passed = engine
        .exec(id, &command, CHECK_NOW)
        .is_ok_and(|result| result.passed());
    Ok(if passed {
        Health::Healthy
    } else {
        Health::Starting
    })
}

/// Polls until the service's container is running and ready: its health check
/// passes when run here, or the engine says healthy, or (with no health check)
/// its port answers. Ends early when the container exits or restarts, its log
/// has a line IRIS prints when it cannot start, or the engine reports it
/// unhealthy.
pub fn wait(
    engine: Option<&dyn Engine>,
    target: &Target<'_>,
    timeout: Duration,
    progress: &dyn Fn(&str),
) -> Result<Ready, WaitError> {
    wait_every(engine, target, timeout, CHECK_EVERY, progress)
}

fn wait_every(
    engine: Option<&dyn Engine>,
    target: &Target<'_>,
    timeout: Duration,
    check_every: Duration,
    progress: &dyn Fn(&str),
) -> Result<Ready, WaitError> {
    // A wildcard bind is reached through loopback.
    let host = if target.bind.is_unspecified() {
        match target.bind {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        }
    } else {
        target.bind
    };
    let address = SocketAddr::new(host, target.port);
    let answered = || answers(&address);
    let started = Instant::now();
    let mut watch = Watch {
        last: String::from("nothing yet"),
        output: None,
        check: None,
        checked_at: None,
        start: None,
        logs_at: None,
        progress,
    };
    loop {
        if crate::edges::interrupt::requested() {
            return Err(WaitError::Interrupted);
        }
        let ready = match engine {
            None => answered().then_some(Ready::PortOnly),
            Some(engine) => {
                let left = timeout.saturating_sub(started.elapsed());
                let limit = left.clamp(CHECK_AT_LEAST, CHECK_TIMEOUT);
                watch.poll(engine, target, check_every, limit, &answered)?
            }
        };
        if let Some(ready) = ready {
            return Ok(ready);
        }
        if started.elapsed() >= timeout {
            return Err(WaitError::Timeout {
                address,
                timeout,
                last: watch.last,
                output: watch.output,
            });
        }
        thread::sleep(POLL);
    }
}

/// The container as first seen by this wait, and the run its log is read from.
struct Start {
    id: String,
    /// Its restart count when first seen: more later is a restart in the wait.
    restarts: i64,
    started_at: String,
    /// When the first run seen starting began: log lines from then on are this
    /// start's. `None` while the container, first seen restarting, has not
    /// started again (its log until then is an earlier run's).
    since: Option<String>,
}

/// What one wait has seen so far.
struct Watch<'a> {
    /// The state last shown.
    last: String,
    /// The health check's output the last time it ran.
    output: Option<String>,
    /// The container, and its health check once looked up (`Some(None)`: none).
    check: Option<(String, Option<Vec<String>>)>,
    checked_at: Option<Instant>,
    start: Option<Start>,
    logs_at: Option<Instant>,
    progress: &'a dyn Fn(&str),
}

impl Watch<'_> {
    fn show(&mut self, state: String) {
        if state != self.last {
            (self.progress)(&state);
            self.last = state;
        }
    }

    /// One look at the container; `Some` when it is ready.
    fn poll(
        &mut self,
        engine: &dyn Engine,
        target: &Target<'_>,
        check_every: Duration,
        check_limit: Duration,
        answered: &dyn Fn() -> bool,
    ) -> Result<Option<Ready>, WaitError> {
        let Ok(containers) = engine.containers() else {
            return Ok(None);
        };
        let Some(container) = containers
            .iter()
            .find(|container| is_target(container, target))
        else {
            return Ok(None);
        };
        if container.state == "created" {
            self.show(container.state.clone());
            return Ok(None);
        }
        let Ok(state) = engine.state(&container.id) else {
            return Ok(None);
        };
        if let Some(ended) = self.ended(&container.id, &state) {
            return Err(self.failure(engine, container, &state, ended));
        }
        if state.status != "running" {
            self.show(state.status.clone());
            return Ok(None);
        }
        // A line IRIS prints when it cannot start ends the wait before the
        // container exits; the log is read about once a second.
        if self.logs_at.is_none_or(|at| at.elapsed() >= check_every) {
            self.logs_at = Some(Instant::now());
            if let Some(since) = self.start.as_ref().and_then(|start| start.since.as_deref())
                && let Ok(lines) = read_log(engine, &container.id, since, None)
                && let Some((known, line)) = iris_log::diagnose(&lines)
            {
                return Err(WaitError::Failed(Box::new(Failure {
                    container: container.name.clone(),
                    image: container.image.clone(),
                    ended: Ended::Running,
                    restarts: state.restarts(),
                    known: Some((known, line.to_owned())),
                    last: Vec::new(),
                    log_error: None,
                })));
            }
        }
        let command = match &self.check {
            Some((id, command)) if *id == container.id => command.clone(),
            _ => match engine.health_check(&container.id) {
                Ok(command) => {
                    self.check = Some((container.id.clone(), command.clone()));
                    command
                }
                Err(_) => return Ok(None),
            },
        };
        match state.health {
            Health::Healthy => return Ok(Some(Ready::Healthy)),
            Health::Unhealthy => {
                return Err(WaitError::Unhealthy {
                    container: container.name.clone(),
                    output: self.output.clone(),
                });
            }
            Health::None | Health::Starting => {}
        }
        let Some(command) = command else {
            self.show("running".to_owned());
            return Ok(answered().then_some(Ready::NoHealthCheck));
        };
        if self.checked_at.is_some_and(|at| at.elapsed() < check_every) {
            return Ok(None);
        }
        self.checked_at = Some(Instant::now());
        let (passed, output) = match engine.exec(&container.id, &command, check_limit) {
            Ok(result) => (result.passed(), result.output),
            Err(err) => (false, err.to_string()),
        };
        let line = last_line(&output).to_owned();
        self.output = Some(output.trim().to_owned());
        if passed {
            return Ok(Some(Ready::CheckPassed));
        }
        self.show(if line.is_empty() {
            "running, health check failing".to_owned()
        } else {
            format!("running, health check: {line}")
        });
        Ok(None)
    }

    /// Whether a run this wait saw has ended: the container exited, or its
    /// restart policy restarted it (the restart count rose, or it is restarting
    /// after a run that began during the wait). A container first seen
    /// restarting is given its next run: that one is this start's.
    fn ended(&mut self, id: &str, state: &ContainerState) -> Option<Ended> {
        let restarting = state.status == "restarting";
        let exited = matches!(state.status.as_str(), "exited" | "dead");
        if self.start.as_ref().is_none_or(|start| start.id != id) {
            // First seen (or recreated during the wait).
            self.start = Some(Start {
                id: id.to_owned(),
                restarts: state.restart_count,
                started_at: state.started_at.clone(),
                since: (!restarting).then(|| state.started_at.clone()),
            });
            return exited.then_some(Ended::Exited {
                code: state.exit_code,
            });
        }
        let start = self.start.as_mut()?;
        if start.since.is_none()
            && (state.restart_count > start.restarts || state.started_at != start.started_at)
        {
            // The first run that began during the wait: judged from here on.
            start.since = Some(state.started_at.clone());
            start.restarts = state.restart_count;
            start.started_at = state.started_at.clone();
        }
        let restarts = state.restart_count - start.restarts;
        if exited {
            Some(Ended::Exited {
                code: state.exit_code,
            })
        } else if restarting && (restarts > 0 || start.since.is_some()) {
            Some(Ended::Restarting {
                code: state.exit_code,
                restarts: state.restart_count,
            })
        } else if restarts >= 2 {
            // Running again after two restarts: a loop seen between its runs
            // (the exit code is the running one's, so none is named). One
            // restart and running is given the chance to stay up.
            Some(Ended::Restarting {
                code: None,
                restarts: state.restart_count,
            })
        } else {
            None
        }
    }

    /// The failure, with what the log of this start says.
    fn failure(
        &self,
        engine: &dyn Engine,
        container: &Container,
        state: &ContainerState,
        ended: Ended,
    ) -> WaitError {
        // Restarting or exited, the last run is the one that failed; running
        // again, the runs since the wait's first. Under `restart: always` a new
        // run may have begun since `state` was read: its lines, from its start
        // (asked now) on, are not the failed run's.
        let since = if state.status == "running" {
            self.start
                .as_ref()
                .and_then(|start| start.since.clone())
                .unwrap_or_default()
        } else {
            state.started_at.clone()
        };
        let next_start = (state.status != "running")
            .then(|| engine.state(&container.id).ok())
            .flatten()
            .map(|now| now.started_at)
            .filter(|now| *now > state.started_at);
        let (lines, log_error) =
            match read_log(engine, &container.id, &since, next_start.as_deref()) {
                Ok(lines) => (lines, None),
                Err(err) => (Vec::new(), Some(err)),
            };
        let known = iris_log::diagnose(&lines).map(|(known, line)| (known, line.to_owned()));
        let last = if known.is_some() {
            Vec::new()
        } else {
            iris_log::last_lines(&lines, LAST_LINES)
        };
        WaitError::Failed(Box::new(Failure {
            container: container.name.clone(),
            image: container.image.clone(),
            ended,
            restarts: state.restarts(),
            known,
            last,
            log_error,
        }))
    }
}

/// The container's log since the run that started at `started_at` (an engine
/// time; empty: all of it), of its last [`LOG_TAIL`] lines.
fn read_log(
    engine: &dyn Engine,
    id: &str,
    started_at: &str,
    next_start: Option<&str>,
) -> Result<Vec<String>, String> {
    let since =
        crate::core::engine::unix_micros(started_at).map(|micros| micros - START_SLACK_MICROS);
    // A run may print before the engine records its start (the slack).
    let until = next_start
        .and_then(crate::core::engine::unix_micros)
        .map(|micros| micros - START_SLACK_MICROS);
    engine
        .logs(id, since, until, LOG_TAIL)
        .map_err(|err| err.to_string())
}

fn is_target(container: &Container, target: &Target<'_>) -> bool {
    container
        .labels
        .get(COMPOSE_PROJECT_LABEL)
        .map(String::as_str)
        == Some(target.compose_project)
        && container
            .labels
            .get(COMPOSE_SERVICE_LABEL)
            .map(String::as_str)
            == Some(target.service)
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::net::TcpListener;

    use super::*;
    use crate::core::engine::{EngineError, ExecResult, Labelled};
    use crate::core::iris_log;

    /// A container whose state, health and health check runs follow scripts; the
    /// last entry of each repeats.
    struct FakeEngine {
        states: Vec<&'static str>,
        healths: Vec<Health>,
        /// The restart count at each poll.
        restarts: Vec<i64>,
        /// The log, and the `since` of each read of it.
        log: Vec<&'static str>,
        /// The log holds lines only before this time: reads since later get none.
        log_until: Option<i64>,
        reads: RefCell<Vec<i64>>,
        check: Option<Vec<String>>,
        /// Exit code and output of each run of the check.
        runs: Vec<(i64, &'static str)>,
        polls: Cell<usize>,
        execs: RefCell<Vec<Vec<String>>>,
        /// The time each run of the check was given.
        limits: RefCell<Vec<Duration>>,
    }

    impl FakeEngine {
        fn new(states: Vec<&'static str>, healths: Vec<Health>) -> Self {
            Self {
                states,
                healths,
                restarts: vec![0],
                log: Vec::new(),
                log_until: None,
                reads: RefCell::new(Vec::new()),
                check: None,
                runs: Vec::new(),
                polls: Cell::new(0),
                limits: RefCell::new(Vec::new()),
                execs: RefCell::new(Vec::new()),
            }
        }

        fn with_restarts(mut self, restarts: Vec<i64>) -> Self {
            self.restarts = restarts;
            self
        }

        fn with_log(mut self, log: &'static str) -> Self {
            self.log = log.lines().collect();
            self
        }

        fn with_check(mut self, runs: Vec<(i64, &'static str)>) -> Self {
            self.check = Some(vec!["/standin".into(), "check".into()]);
            self.runs = runs;
            self
        }
    }

    fn nth<T: Copy>(script: &[T], index: usize) -> T {
        script[index.min(script.len() - 1)]
    }

    impl Engine for FakeEngine {
        fn containers(&self) -> Result<Vec<Container>, EngineError> {
            let poll = self.polls.get();
            self.polls.set(poll + 1);
            let mut container = Container {
                id: "abc".into(),
                name: "shop-iris-1".into(),
                state: nth(&self.states, poll).into(),
                ..Container::default()
            };
            container
                .labels
                .insert(COMPOSE_PROJECT_LABEL.into(), "shop".into());
            container
                .labels
                .insert(COMPOSE_SERVICE_LABEL.into(), "iris".into());
            Ok(vec![container])
        }

        fn volumes(&self) -> Result<Vec<Labelled>, EngineError> {
            Ok(Vec::new())
        }

        fn networks(&self) -> Result<Vec<Labelled>, EngineError> {
            Ok(Vec::new())
        }

        fn health(&self, _id: &str) -> Result<Health, EngineError> {
            Ok(nth(&self.healths, self.polls.get() - 1))
        }

        /// Each restart is a run that started a second after the one before.
        fn state(&self, id: &str) -> Result<ContainerState, EngineError> {
            let poll = self.polls.get() - 1;
            let restarts = nth(&self.restarts, poll);
            Ok(ContainerState {
                status: nth(&self.states, poll).into(),
                restart_count: restarts,
                exit_code: Some(1),
                started_at: format!("2026-12-02T01:00:{:02}.5Z", restarts + 10),
                health: self.health(id)?,
                restart_policy: "always".into(),
            })
        }

        fn logs(
            &self,
            _id: &str,
            since: Option<i64>,
            _until: Option<i64>,
            tail: usize,
        ) -> Result<Vec<String>, EngineError> {
            assert_eq!(tail, LOG_TAIL);
            self.reads.borrow_mut().push(since.unwrap_or(0));
            if self
                .log_until
                .is_some_and(|until| since.unwrap_or(0) > until)
            {
                return Ok(Vec::new());
            }
            Ok(self.log.iter().map(|line| (*line).to_owned()).collect())
        }

        fn health_check(&self, _id: &str) -> Result<Option<Vec<String>>, EngineError> {
            Ok(self.check.clone())
        }

        fn exec(
            &self,
            id: &str,
            argv: &[String],
            timeout: Duration,
        ) -> Result<ExecResult, EngineError> {
            assert_eq!(id, "abc");
            self.limits.borrow_mut().push(timeout);
            let run = self.execs.borrow().len();
            self.execs.borrow_mut().push(argv.to_vec());
            let (code, output) = nth(&self.runs, run);
            Ok(ExecResult {
                code: Some(code),
                output: output.into(),
            })
        }
    }

    fn target(port: u16) -> Target<'static> {
        Target {
            compose_project: "shop",
            service: "iris",
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port,
        }
    }

    /// A port nothing listens on.
    fn closed_port() -> u16 {
        let closed = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        closed.local_addr().unwrap().port()
    }

    fn run(
        engine: &FakeEngine,
        port: u16,
        timeout: Duration,
    ) -> (Result<Ready, WaitError>, Vec<String>) {
        let seen = RefCell::new(Vec::new());
        let result = wait_every(
            Some(engine),
            &target(port),
            timeout,
            Duration::from_millis(1),
            &|state| seen.borrow_mut().push(state.to_owned()),
        );
        (result, seen.into_inner())
    }

    #[test]
    fn ready_when_its_own_check_passes_long_before_the_engine_says_healthy() {
        // The port accepts nothing: a passing check is enough, and the engine
        // never gets to run its first check.
        let engine = FakeEngine::new(vec!["created", "running"], vec![Health::Starting])
            .with_check(vec![
                (1, "superserver not listening yet on port 1972\n"),
                (1, "superserver not listening yet on port 1972\n"),
                (0, "ok: superserver accepts connections on port 1972\n"),
            ]);
        let (result, seen) = run(&engine, closed_port(), Duration::from_secs(10));
        assert_eq!(result.unwrap(), Ready::CheckPassed);
        assert_eq!(engine.execs.borrow().len(), 3);
        assert_eq!(engine.execs.borrow()[0], ["/standin", "check"]);
        assert_eq!(
            seen,
            [
                "created",
                "running, health check: superserver not listening yet on port 1972"
            ]
        );
    }

    #[test]
    fn ready_when_the_engine_says_healthy_first() {
        let engine = FakeEngine::new(vec!["running"], vec![Health::Starting, Health::Healthy])
            .with_check(vec![(1, "not yet")]);
        let (result, _) = run(&engine, closed_port(), Duration::from_secs(10));
        assert_eq!(result.unwrap(), Ready::Healthy);
        assert_eq!(engine.execs.borrow().len(), 1);
    }

    #[test]
    fn a_failing_check_retries_until_the_timeout_which_carries_its_output() {
        let engine = FakeEngine::new(vec!["running"], vec![Health::Starting]).with_check(vec![(
            1,
            "checking\ninstance not ready: STANDIN_NEVER_READY=1 keeps this check failing\n",
        )]);
        let port = closed_port();
        let (result, _) = run(&engine, port, Duration::from_millis(600));
        assert!(engine.execs.borrow().len() > 1);
        assert!(
            engine
                .limits
                .borrow()
                .iter()
                .all(|&limit| limit == CHECK_AT_LEAST),
            "a run may not outlast the wait by more than a second: {:?}",
            engine.limits.borrow()
        );
        let error = result.unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "IRIS did not answer on 127.0.0.1:{port} within 600ms (last seen: running, health check: \
                 instance not ready: STANDIN_NEVER_READY=1 keeps this check failing); its health check said: \
                 checking\ninstance not ready: STANDIN_NEVER_READY=1 keeps this check failing"
            )
        );
    }

    #[test]
    fn a_run_of_the_check_gets_what_is_left_of_the_wait_up_to_docker_s_timeout() {
        let engine =
            FakeEngine::new(vec!["running"], vec![Health::Starting]).with_check(vec![(0, "ok")]);
        run(&engine, closed_port(), Duration::from_secs(300))
            .0
            .unwrap();
        assert_eq!(*engine.limits.borrow(), [CHECK_TIMEOUT]);

        let engine =
            FakeEngine::new(vec!["running"], vec![Health::Starting]).with_check(vec![(0, "ok")]);
        run(&engine, closed_port(), Duration::from_secs(10))
            .0
            .unwrap();
        let limit = engine.limits.borrow()[0];
        assert!(
            limit <= Duration::from_secs(10) && limit > Duration::from_secs(9),
            "{limit:?}"
        );
    }

    #[test]
    fn unhealthy_from_the_engine_ends_the_wait_with_the_checks_output() {
        let engine = FakeEngine::new(vec!["running"], vec![Health::Starting, Health::Unhealthy])
            .with_check(vec![(1, "superserver not listening yet on port 1972")]);
        let (result, _) = run(&engine, closed_port(), Duration::from_secs(10));
        assert_eq!(
            result.unwrap_err().to_string(),
            "the container `shop-iris-1` reports itself unhealthy; its health check said: \
             superserver not listening yet on port 1972"
        );
    }

    /// The failure a wait ended with.
    fn failure(result: Result<Ready, WaitError>) -> Box<Failure> {
        match result {
            Err(WaitError::Failed(failure)) => failure,
            other => panic!("not a failure: {other:?}"),
        }
    }

    const EXPIRED: &str = "This copy of InterSystems IRIS has been licensed for use exclusively by:
Community License expired.
Error: Invalid Community Edition license, may have exceeded core limit. - Shutting down the system : $zu(56,2)= 0Starting IRIS
An error was detected during InterSystems IRIS startup.
** Startup aborted **";

    #[test]
    fn a_container_that_exits_ends_the_wait_with_its_last_log_lines() {
        let engine = FakeEngine::new(vec!["running", "running", "exited"], vec![Health::Starting])
            .with_check(vec![(1, "not yet")])
            .with_log("one\n\ntwo\nthree");
        let (result, _) = run(&engine, closed_port(), Duration::from_secs(10));
        let failure = failure(result);
        assert_eq!(
            failure.to_string(),
            "the container `shop-iris-1` exited with code 1"
        );
        assert_eq!(failure.last, ["one", "two", "three"]);
        assert!(failure.known.is_none());
        // The log of the run that began when the wait did.
        let since = crate::core::engine::unix_micros("2026-12-02T01:00:10.45Z").unwrap();
        assert_eq!(engine.reads.borrow().last(), Some(&since));
    }

    #[test]
    fn an_exited_container_reported_unhealthy_is_said_to_have_exited() {
        let engine = FakeEngine::new(vec!["exited"], vec![Health::Unhealthy])
            .with_check(vec![(1, "not yet")]);
        let (result, _) = run(&engine, closed_port(), Duration::from_secs(10));
        assert_eq!(
            result.unwrap_err().to_string(),
            "the container `shop-iris-1` exited with code 1"
        );
    }

    #[test]
    fn a_restart_loop_ends_the_wait_with_the_known_line_even_with_no_health_check() {
        // `restart: always`: the runs are too short to be seen running; the
        // count rises. The port "answers" (a listener that never accepts keeps
        // connections open), as the userland proxy can seem to.
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let engine = FakeEngine::new(vec!["restarting", "restarting"], vec![Health::None])
            .with_restarts(vec![1, 2])
            .with_log(EXPIRED);
        let (result, _) = run(&engine, port, Duration::from_secs(10));
        let failure = failure(result);
        assert_eq!(
            failure.to_string(),
            "IRIS in `shop-iris-1` cannot start: the community licence built into its image has expired"
        );
        assert_eq!(
            failure.ended,
            Ended::Restarting {
                code: Some(1),
                restarts: 2
            }
        );
        assert!(failure.restarts);
        let (known, line) = failure.known.as_ref().unwrap();
        assert_eq!(known.cause, iris_log::Cause::LicenceExpired);
        assert_eq!(line, "Community License expired.");
        // Read from the run that started after the wait began, not the one before.
        let since = crate::core::engine::unix_micros("2026-12-02T01:00:12.45Z").unwrap();
        assert_eq!(*engine.reads.borrow(), [since]);
    }

    #[test]
    fn a_container_first_seen_restarting_is_judged_by_its_next_run() {
        // Restarting from before the wait (say, with a volume fixed since): its
        // log holds the earlier run's failure, which is not this start's. The
        // next run starts and passes its check.
        let mut engine = FakeEngine::new(vec!["restarting", "running"], vec![Health::Starting])
            .with_restarts(vec![3, 4])
            .with_check(vec![(0, "ok")])
            .with_log("[FATAL] Error starting InterSystems IRIS");
        let earlier_run = crate::core::engine::unix_micros("2026-12-02T01:00:13.5Z").unwrap();
        engine.log_until = Some(earlier_run);
        let (result, seen) = run(&engine, closed_port(), Duration::from_secs(10));
        assert_eq!(result.unwrap(), Ready::CheckPassed);
        assert_eq!(seen, ["restarting"]);
        let next_run = crate::core::engine::unix_micros("2026-12-02T01:00:14.45Z").unwrap();
        assert_eq!(*engine.reads.borrow(), [next_run]);
    }

    #[test]
    fn one_restart_gets_a_chance_two_are_a_loop() {
        let engine = FakeEngine::new(vec!["running"], vec![Health::Starting])
            .with_restarts(vec![0, 1])
            .with_check(vec![(1, "not yet"), (0, "ok")]);
        let (result, _) = run(&engine, closed_port(), Duration::from_secs(10));
        assert_eq!(result.unwrap(), Ready::CheckPassed);

        let engine = FakeEngine::new(vec!["running"], vec![Health::Starting])
            .with_restarts(vec![0, 2])
            .with_check(vec![(1, "not yet")])
            .with_log("one\ntwo");
        let (result, _) = run(&engine, closed_port(), Duration::from_secs(10));
        let failure = failure(result);
        assert_eq!(
            failure.to_string(),
            "the container `shop-iris-1` keeps restarting"
        );
        assert_eq!(failure.last, ["one", "two"]);
    }

    #[test]
    fn a_running_container_whose_log_says_it_cannot_start_ends_the_wait() {
        let engine = FakeEngine::new(vec!["running"], vec![Health::Starting])
            .with_check(vec![(1, "not yet")])
            .with_log(EXPIRED);
        let (result, _) = run(&engine, closed_port(), Duration::from_secs(10));
        let failure = failure(result);
        assert_eq!(failure.ended, Ended::Running);
        assert_eq!(
            failure.to_string(),
            "IRIS in `shop-iris-1` cannot start: the community licence built into its image has expired"
        );
    }

    #[test]
    fn the_proxy_closing_the_connection_is_no_answer() {
        // What Docker's userland proxy does when nothing listens in the
        // container: accept, then close at once.
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let address = listener.local_addr().unwrap();
        let proxy = thread::spawn(move || {
            for _ in 0..2 {
                drop(listener.accept());
            }
        });
        assert!(!answers(&address));
        assert!(!answers(&address));
        proxy.join().unwrap();
        // One that keeps it open, as IRIS's superserver does, answers.
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        assert!(answers(&listener.local_addr().unwrap()));
        assert!(!answers(&SocketAddr::from((
            Ipv4Addr::LOCALHOST,
            closed_port()
        ))));
    }

    #[test]
    fn without_a_health_check_running_and_tcp_are_enough() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let engine = FakeEngine::new(vec!["created", "running"], vec![Health::None]);
        let (result, seen) = run(&engine, port, Duration::from_secs(10));
        assert_eq!(result.unwrap(), Ready::NoHealthCheck);
        assert!(engine.execs.borrow().is_empty());
        assert_eq!(seen, ["created", "running"]);

        let engine = FakeEngine::new(vec!["running"], vec![Health::None]);
        let port = closed_port();
        let (result, _) = run(&engine, port, Duration::from_millis(300));
        assert_eq!(
            result.unwrap_err().to_string(),
            format!("IRIS did not answer on 127.0.0.1:{port} within 300ms (last seen: running)")
        );
    }

    #[test]
    fn without_an_engine_client_the_port_decides() {
        let port = closed_port();
        let error = wait(None, &target(port), Duration::from_millis(300), &|_| {}).unwrap_err();
        assert!(error.to_string().starts_with(&format!(
            "IRIS did not answer on 127.0.0.1:{port} within 300ms"
        )));
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let ready = wait(None, &target(port), Duration::from_secs(5), &|_| {}).unwrap();
        assert_eq!(ready, Ready::PortOnly);
    }

    #[test]
    fn status_checks_a_starting_container_itself() {
        let check = |engine: FakeEngine| {
            engine.containers().unwrap();
            health_now(&engine, "abc").unwrap()
        };
        let starting = || FakeEngine::new(vec!["running"], vec![Health::Starting]);
        assert_eq!(
            check(starting().with_check(vec![(0, "ok")])),
            Health::Healthy
        );
        assert_eq!(
            check(starting().with_check(vec![(1, "not yet")])),
            Health::Starting
        );
        assert_eq!(check(starting()), Health::Starting, "no check to run");
        let unhealthy =
            FakeEngine::new(vec!["running"], vec![Health::Unhealthy]).with_check(vec![(0, "ok")]);
        assert_eq!(
            check(unhealthy),
            Health::Unhealthy,
            "the engine's verdict stands"
        );
    }
}
