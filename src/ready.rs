//! Waiting until IRIS answers: the IRIS service's own health check, run in its
//! container about once a second through the engine's exec API, the engine's
//! health status, and a TCP connection to the superserver port.
//!
//! Docker runs an image's first health check only one interval after the
//! container starts (60 s for IRIS images), so waiting for "healthy" alone makes
//! every `up` take a minute (issue 7). A TCP connect alone is not readiness
//! either: Docker's userland proxy accepts before anything listens in the
//! container, so it only counts where there is no health check at all.
//!
//! An edge module: it polls the engine and opens sockets, with the clock bounding
//! the wait. What it reports goes through the caller's `progress` callback.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crate::engine::{COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL, Container, Engine, Health};

const POLL: Duration = Duration::from_millis(250);
/// How often `up` runs the health check itself.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// The longest one run of the health check may take (Docker's default check
/// timeout; IRIS's own check answers in well under a second). A run never
/// outlasts the wait either: one that hangs ends when the wait times out.
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);
/// What a run is given however little of the wait is left.
const CHECK_AT_LEAST: Duration = Duration::from_secs(1);

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
    /// The container has no health check: it runs and the port accepts TCP.
    NoHealthCheck,
    /// No engine client (an `ssh://` engine): the port accepts TCP.
    PortOnly,
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
    #[error("the container `{container}` is {state}")]
    Stopped { container: String, state: String },
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

/// Polls until the service's container is running and ready: its health check
/// passes when run here, or the engine says healthy, or (with no health check)
/// it accepts TCP connections. Ends early when the container stops or the engine
/// reports it unhealthy.
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
    let accepts = || TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok();
    let started = Instant::now();
    let mut watch = Watch {
        last: String::from("nothing yet"),
        output: None,
        check: None,
        checked_at: None,
        progress,
    };
    loop {
        if crate::interrupt::requested() {
            return Err(WaitError::Interrupted);
        }
        let ready = match engine {
            None => accepts().then_some(Ready::PortOnly),
            Some(engine) => {
                let left = timeout.saturating_sub(started.elapsed());
                let limit = left.clamp(CHECK_AT_LEAST, CHECK_TIMEOUT);
                watch.poll(engine, target, check_every, limit, &accepts)?
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

/// What one wait has seen so far.
struct Watch<'a> {
    /// The state last shown.
    last: String,
    /// The health check's output the last time it ran.
    output: Option<String>,
    /// The container, and its health check once looked up (`Some(None)`: none).
    check: Option<(String, Option<Vec<String>>)>,
    checked_at: Option<Instant>,
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
        accepts: &dyn Fn() -> bool,
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
        match container.state.as_str() {
            "running" => {}
            "created" | "restarting" => {
                self.show(container.state.clone());
                return Ok(None);
            }
            state => {
                return Err(WaitError::Stopped {
                    container: container.name.clone(),
                    state: state.to_owned(),
                });
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
        match engine.health(&container.id) {
            Ok(Health::Healthy) => return Ok(Some(Ready::Healthy)),
            Ok(Health::Unhealthy) => {
                // The engine also reports an exited container's health as
                // unhealthy: say that it stopped, if it did.
                if let Some(stopped) = engine.containers().ok().and_then(|containers| {
                    containers
                        .into_iter()
                        .find(|container| is_target(container, target))
                        .filter(|container| container.state != "running")
                }) {
                    return Err(WaitError::Stopped {
                        container: stopped.name,
                        state: stopped.state,
                    });
                }
                return Err(WaitError::Unhealthy {
                    container: container.name.clone(),
                    output: self.output.clone(),
                });
            }
            Ok(Health::None | Health::Starting) | Err(_) => {}
        }
        let Some(command) = command else {
            self.show("running".to_owned());
            return Ok(accepts().then_some(Ready::NoHealthCheck));
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
    use crate::engine::{EngineError, ExecResult, Labelled};

    /// A container whose state, health and health check runs follow scripts; the
    /// last entry of each repeats.
    struct FakeEngine {
        states: Vec<&'static str>,
        healths: Vec<Health>,
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
                check: None,
                runs: Vec::new(),
                polls: Cell::new(0),
                limits: RefCell::new(Vec::new()),
                execs: RefCell::new(Vec::new()),
            }
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

    #[test]
    fn a_container_that_exits_ends_the_wait() {
        let engine = FakeEngine::new(vec!["running", "running", "exited"], vec![Health::Starting])
            .with_check(vec![(1, "not yet")]);
        let (result, _) = run(&engine, closed_port(), Duration::from_secs(10));
        assert_eq!(
            result.unwrap_err().to_string(),
            "the container `shop-iris-1` is exited"
        );
    }

    #[test]
    fn an_exited_container_reported_unhealthy_is_said_to_have_exited() {
        let engine = FakeEngine::new(vec!["running", "exited"], vec![Health::Unhealthy])
            .with_check(vec![(1, "not yet")]);
        let (result, _) = run(&engine, closed_port(), Duration::from_secs(10));
        assert_eq!(
            result.unwrap_err().to_string(),
            "the container `shop-iris-1` is exited"
        );
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
}
