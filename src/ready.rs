//! Waiting until IRIS answers: the container's health status, when its image has a
//! HEALTHCHECK, and a TCP connection to the superserver port.
//!
//! An edge module: it polls the engine and opens sockets, with the clock bounding
//! the wait. What it reports goes through the caller's `progress` callback.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crate::engine::{COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL, Container, Engine, Health};

const POLL: Duration = Duration::from_millis(250);

/// What to wait for.
pub struct Target<'a> {
    pub compose_project: &'a str,
    pub service: &'a str,
    pub bind: IpAddr,
    pub port: u16,
}

#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error("IRIS did not answer on {address} within {timeout:?} (last seen: {last})")]
    Timeout {
        address: SocketAddr,
        timeout: Duration,
        last: String,
    },
    #[error("the container `{container}` is {state}")]
    Stopped { container: String, state: String },
    #[error("the container `{container}` reports itself unhealthy")]
    Unhealthy { container: String },
    #[error("interrupted")]
    Interrupted,
}

/// Polls until the service's container is running, healthy (if it has a health
/// check) and accepts TCP connections.
pub fn wait(
    engine: Option<&dyn Engine>,
    target: &Target<'_>,
    timeout: Duration,
    progress: &dyn Fn(&str),
) -> Result<(), WaitError> {
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
    let started = Instant::now();
    let mut last = String::from("nothing yet");
    loop {
        let container_ready = match engine {
            None => true,
            Some(engine) => match container_state(engine, target)? {
                Some(state) => {
                    if state != last {
                        progress(&state);
                        last = state.clone();
                    }
                    state == "running" || state == "running, healthy"
                }
                None => false,
            },
        };
        if container_ready && TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok() {
            return Ok(());
        }
        if started.elapsed() >= timeout {
            return Err(WaitError::Timeout {
                address,
                timeout,
                last,
            });
        }
        thread::sleep(POLL);
    }
}

/// `running`, `running, health starting`, `running, healthy`; `None` before the
/// container exists or while the engine does not answer.
fn container_state(engine: &dyn Engine, target: &Target<'_>) -> Result<Option<String>, WaitError> {
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
        "created" | "restarting" => return Ok(Some(container.state.clone())),
        state => {
            return Err(WaitError::Stopped {
                container: container.name.clone(),
                state: state.to_owned(),
            });
        }
    }
    Ok(Some(match engine.health(&container.id) {
        Ok(Health::None) | Err(_) => "running".to_owned(),
        Ok(Health::Unhealthy) => {
            return Err(WaitError::Unhealthy {
                container: container.name.clone(),
            });
        }
        Ok(health) => format!("running, {health}"),
    }))
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
    use std::cell::Cell;
    use std::net::TcpListener;

    use super::*;
    use crate::engine::EngineError;

    struct FakeEngine {
        state: &'static str,
        healths: Vec<Health>,
        calls: Cell<usize>,
    }

    impl Engine for FakeEngine {
        fn containers(&self) -> Result<Vec<Container>, EngineError> {
            let mut container = Container {
                id: "abc".into(),
                name: "shop-iris-1".into(),
                state: self.state.into(),
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

        fn health(&self, _id: &str) -> Result<Health, EngineError> {
            let call = self.calls.get();
            self.calls.set(call + 1);
            Ok(self.healths[call.min(self.healths.len() - 1)])
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

    #[test]
    fn waits_for_health_then_tcp() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let engine = FakeEngine {
            state: "running",
            healths: vec![Health::Starting, Health::Starting, Health::Healthy],
            calls: Cell::new(0),
        };
        let seen = std::cell::RefCell::new(Vec::new());
        wait(
            Some(&engine),
            &target(port),
            Duration::from_secs(10),
            &|state| seen.borrow_mut().push(state.to_owned()),
        )
        .unwrap();
        assert_eq!(engine.calls.get(), 3);
        assert_eq!(*seen.borrow(), ["running, starting", "running, healthy"]);
    }

    #[test]
    fn stops_early_on_exit_or_unhealthy_and_times_out_otherwise() {
        let exited = FakeEngine {
            state: "exited",
            healths: vec![Health::None],
            calls: Cell::new(0),
        };
        let error = wait(Some(&exited), &target(1), Duration::from_secs(10), &|_| {}).unwrap_err();
        assert_eq!(error.to_string(), "the container `shop-iris-1` is exited");
        let sick = FakeEngine {
            state: "running",
            healths: vec![Health::Unhealthy],
            calls: Cell::new(0),
        };
        let error = wait(Some(&sick), &target(1), Duration::from_secs(10), &|_| {}).unwrap_err();
        assert!(matches!(error, WaitError::Unhealthy { .. }));

        let closed = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let error = wait(None, &target(port), Duration::from_millis(300), &|_| {}).unwrap_err();
        assert!(error.to_string().starts_with(&format!(
            "IRIS did not answer on 127.0.0.1:{port} within 300ms"
        )));
    }
}
