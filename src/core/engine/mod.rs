//! The Docker engine as data: which endpoint, its containers and their health,
//! the labels iris-dev and compose put on them, and the [`Engine`] trait that
//! stale detection and readiness are written against.
//!
//! Pure. The bollard client and endpoint discovery (which reads the docker config
//! and asks `docker context inspect`) are in [`crate::edges::docker`]; nothing here talks to an
//! engine or writes to one.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::core::timestamp::Timestamp;

pub mod dial;

/// Which Docker engine, as Docker's own CLI decides it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DockerSettings {
    /// `DOCKER_HOST`.
    pub host: Option<String>,
    /// `DOCKER_CONTEXT`, which wins over the config's `currentContext`.
    pub context: Option<String>,
    /// `DOCKER_CONFIG`, else `~/.docker`: where `config.json` and `cli-plugins/` are.
    pub config_dir: Option<PathBuf>,
    /// `DOCKER_TLS_VERIFY` is set: a `tcp://` engine speaks TLS.
    pub tls_verify: bool,
    /// `DOCKER_CERT_PATH`: the TLS client certificate and CA, passed on to the
    /// docker CLI that dials a TLS engine.
    pub cert_path: Option<PathBuf>,
    /// `XDG_RUNTIME_DIR`: where this user's Podman socket is
    /// (`podman/podman.sock` in it).
    pub xdg_runtime_dir: Option<PathBuf>,
}

/// Published ports are bound to loopback unless the user opts out: the bind
/// `up` uses when no flag or variable names one.
pub const LOOPBACK: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// [`LOOPBACK`] as the registry and clients write it.
pub const DEFAULT_HOST: &str = "127.0.0.1";

/// The address a client dials for ports published on `bind`: loopback for a
/// wildcard bind, the address itself otherwise, bracketed when IPv6.
pub fn connect_host(bind: std::net::IpAddr) -> String {
    match bind {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => DEFAULT_HOST.to_owned(),
        std::net::IpAddr::V4(ip) => ip.to_string(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_owned(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
    }
}

/// Docker's default local endpoint.
pub const DEFAULT_ENDPOINT: &str = "unix:///var/run/docker.sock";

/// Label iris-dev puts on the IRIS service: the project root.
pub const PROJECT_LABEL: &str = "dev.iris-dev.project";
/// Label iris-dev puts on the IRIS service: the superserver port.
pub const PORT_LABEL: &str = "dev.iris-dev.port";
/// Label iris-dev puts on the IRIS service: the web portal's host port.
pub const WEB_PORT_LABEL: &str = "dev.iris-dev.web-port";
/// Label iris-dev puts on the IRIS service: the identity of the registry its ports
/// came from ([`crate::edges::registry_file::Store::identity`]), so that only that registry
/// recovers the stack from its labels (another user's, another
/// `IRIS_DEV_HOME`'s, or a devcontainer's stacks on the same engine are not its
/// own).
pub const REGISTRY_LABEL: &str = "dev.iris-dev.registry";
/// Compose's own labels.
pub const COMPOSE_PROJECT_LABEL: &str = "com.docker.compose.project";
pub const COMPOSE_SERVICE_LABEL: &str = "com.docker.compose.service";
/// The directory compose ran in (v1 and v2): the project that owns a stack
/// iris-dev did not label.
pub const COMPOSE_WORKING_DIR_LABEL: &str = "com.docker.compose.project.working_dir";

/// Where the engine is, and whether its published ports are on this host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub url: String,
    /// `DOCKER_TLS_VERIFY` was set: a `tcp://` endpoint speaks TLS, with the
    /// certificates in this directory (`DOCKER_CERT_PATH`) or Docker's default.
    pub tls: Option<Tls>,
    /// The docker context the URL came from (not `default`), whose own TLS
    /// settings only the docker CLI knows.
    pub context: Option<String>,
    /// Why this endpoint was chosen, for `doctor`, `status` and `-v` to say.
    pub origin: Origin,
}

/// Why an [`Endpoint`] was chosen: the answer to "which engine, and why?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `DOCKER_HOST` named it.
    DockerHost,
    /// A docker context named it: `DOCKER_CONTEXT` when `variable`, else the
    /// docker config's `currentContext`.
    Context { name: String, variable: bool },
    /// The first socket of [`local_sockets`] that is there; `passed` are the
    /// ones before it that are not.
    Socket {
        socket: LocalSocket,
        passed: Vec<LocalSocket>,
    },
    /// None of [`local_sockets`] is there: Docker's default, which will not
    /// answer, so the error names every place looked at.
    NothingFound { looked: Vec<LocalSocket> },
    /// Given as it is (tests, and endpoints built from a URL).
    Given,
}

/// Which engine serves a well-known local socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketKind {
    Docker,
    /// Podman run by this user (`$XDG_RUNTIME_DIR/podman/podman.sock`).
    PodmanRootless,
    /// Podman run by root (`/run/podman/podman.sock`).
    PodmanRootful,
}

/// A well-known place where an engine listens on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalSocket {
    pub kind: SocketKind,
    pub path: std::path::PathBuf,
}

impl LocalSocket {
    pub fn url(&self) -> String {
        format!("unix://{}", self.path.display())
    }

    fn describe(&self) -> &'static str {
        match self.kind {
            SocketKind::Docker => "Docker's socket",
            SocketKind::PodmanRootless => "rootless Podman's socket",
            SocketKind::PodmanRootful => "rootful Podman's socket",
        }
    }
}

/// Podman's rootful API socket, which `podman.socket` (systemd) listens on.
pub const PODMAN_ROOTFUL_SOCKET: &str = "/run/podman/podman.sock";

/// The sockets looked at, in order, when neither `DOCKER_HOST` nor a docker
/// context names the engine: Docker's first (what Docker's CLI and compose use
/// by default), then this user's Podman (`$XDG_RUNTIME_DIR/podman/podman.sock`,
/// `podman.socket --user`), then root's Podman: the order DDEV, the
/// ObjectScript extension and Podman's own docs give.
pub fn local_sockets(xdg_runtime_dir: Option<&std::path::Path>) -> Vec<LocalSocket> {
    let docker = LocalSocket {
        kind: SocketKind::Docker,
        path: DEFAULT_ENDPOINT.trim_start_matches("unix://").into(),
    };
    let rootless = xdg_runtime_dir.map(|dir| LocalSocket {
        kind: SocketKind::PodmanRootless,
        path: dir.join("podman").join("podman.sock"),
    });
    let rootful = LocalSocket {
        kind: SocketKind::PodmanRootful,
        path: PODMAN_ROOTFUL_SOCKET.into(),
    };
    std::iter::once(docker)
        .chain(rootless)
        .chain(std::iter::once(rootful))
        .collect()
}

/// What is at a well-known socket's path, asked in two steps so that the
/// everyday case, one engine's socket there, never wakes an engine: a warm
/// `port` or `env` only needs to know the engine is on this host.
pub trait SocketProbe {
    /// A socket file is at `path` (a `stat`).
    fn is_there(&self, path: &std::path::Path) -> bool;
    /// Something this user may talk to accepts connections at `path` (a
    /// `connect`): a stale file, a socket no engine listens on, or Docker's
    /// socket for a user outside the `docker` group does not.
    fn answers(&self, path: &std::path::Path) -> bool;
}

/// A function that says whether a socket is there and answers (tests).
impl<F: Fn(&std::path::Path) -> bool> SocketProbe for F {
    fn is_there(&self, path: &std::path::Path) -> bool {
        self(path)
    }

    fn answers(&self, path: &std::path::Path) -> bool {
        self(path)
    }
}

/// The first of `sockets` that is there and answers, with the ones passed
/// over. Only a socket with another one after it is asked whether it
/// answers: the last one there is the choice whatever it says, since nothing
/// else would be (and its own error then names the file). None there:
/// [`Origin::NothingFound`] and Docker's default.
pub fn choose_socket(sockets: Vec<LocalSocket>, probe: &impl SocketProbe) -> (String, Origin) {
    let there: Vec<usize> = (0..sockets.len())
        .filter(|&n| probe.is_there(&sockets[n].path))
        .collect();
    let chosen = there
        .iter()
        .enumerate()
        .find(|&(rank, &n)| rank + 1 == there.len() || probe.answers(&sockets[n].path))
        .map(|(_, &n)| n);
    match chosen {
        Some(found) => {
            let mut passed = sockets;
            let socket = passed.remove(found);
            passed.truncate(found);
            (socket.url(), Origin::Socket { socket, passed })
        }
        None => (
            DEFAULT_ENDPOINT.to_owned(),
            Origin::NothingFound { looked: sockets },
        ),
    }
}

impl Origin {
    /// Whether iris-dev found the socket itself, so that compose, which looks
    /// only at Docker's, must be told it (`DOCKER_HOST`).
    pub fn found_podman(&self) -> bool {
        matches!(self, Self::Socket { socket, .. } if socket.kind != SocketKind::Docker)
    }
}

impl std::fmt::Display for Origin {
    /// Why, in a few words: `from DOCKER_HOST`, `rootful Podman's socket (no
    /// ... at ...)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let paths = |sockets: &[LocalSocket]| {
            sockets
                .iter()
                .map(|socket| format!("`{}`", socket.path.display()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Self::DockerHost => write!(f, "from `DOCKER_HOST`"),
            Self::Context { name, variable } => {
                let from = if *variable {
                    "`DOCKER_CONTEXT`"
                } else {
                    "the docker config's `currentContext`"
                };
                write!(f, "docker context `{name}`, from {from}")
            }
            Self::Socket { socket, passed } if passed.is_empty() => {
                write!(f, "{}, the first place looked", socket.describe())
            }
            Self::Socket { socket, passed } => write!(
                f,
                "{}: no `DOCKER_HOST`, no docker context, and nothing to connect to at {}",
                socket.describe(),
                paths(passed)
            ),
            Self::NothingFound { looked } => write!(
                f,
                "Docker's default: no `DOCKER_HOST`, no docker context, and nothing to connect to at {}",
                paths(looked)
            ),
            Self::Given => write!(f, "given"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tls {
    pub cert_path: Option<std::path::PathBuf>,
}

impl Endpoint {
    /// Resolves like the Docker CLI: `DOCKER_HOST`, else `DOCKER_CONTEXT` or the
    /// config's `currentContext`, whose endpoint `context_host` looks up; else
    /// the first of [`local_sockets`] that `probe` finds (Docker's, then
    /// Podman's), as [`choose_socket`] decides.
    pub fn resolve(
        docker: &DockerSettings,
        config_json: Option<&str>,
        context_host: impl FnOnce(&str) -> Option<String>,
        probe: impl SocketProbe,
    ) -> Self {
        let tls = docker.tls_verify.then(|| Tls {
            cert_path: docker.cert_path.clone(),
        });
        if let Some(host) = &docker.host {
            return Self {
                url: host.clone(),
                tls,
                context: None,
                origin: Origin::DockerHost,
            };
        }
        let variable = docker.context.is_some();
        let context = docker.context.clone().or_else(|| {
            let config: serde_json::Value = serde_json::from_str(config_json?).ok()?;
            config.get("currentContext")?.as_str().map(str::to_owned)
        });
        let found = match context.as_deref() {
            None | Some("" | "default") => None,
            Some(name) => context_host(name).map(|url| (url, name.to_owned())),
        };
        if let Some((url, name)) = found {
            return Self {
                url,
                tls,
                context: Some(name.clone()),
                origin: Origin::Context { name, variable },
            };
        }
        let (url, origin) = choose_socket(local_sockets(docker.xdg_runtime_dir.as_deref()), &probe);
        Self {
            url,
            tls,
            context: None,
            origin,
        }
    }

    /// The URL and why it was chosen, as `doctor`, `status` and `-v` say it.
    pub fn describe(&self) -> String {
        format!("`{}` ({})", self.url, self.origin)
    }

    /// An endpoint without TLS.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            tls: None,
            context: None,
            origin: Origin::Given,
        }
    }

    /// Whether ports the engine publishes land on this host, so that a bind test
    /// here means something.
    pub fn is_local(&self) -> bool {
        let url = self.url.as_str();
        if url.starts_with("unix://") || url.starts_with("npipe://") {
            return true;
        }
        let host = self.host().unwrap_or("");
        host == "localhost" || host == "::1" || host.starts_with("127.")
    }

    /// The engine's host name or address as written in the URL (without user,
    /// port or IPv6 brackets); `None` for sockets and pipes.
    pub fn host(&self) -> Option<&str> {
        let url = self.url.as_str();
        if url.starts_with("unix://") || url.starts_with("npipe://") {
            return None;
        }
        let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
        let authority = rest.split('/').next().unwrap_or("");
        let authority = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => authority.split(':').next().unwrap_or(""),
        };
        (!host.is_empty()).then_some(host)
    }

    /// Where a client on this machine dials ports this engine publishes on
    /// `bind`. A local engine: the bind's own address. A remote engine with a
    /// loopback bind: this machine's loopback, through `iris-dev tunnel`. A
    /// remote engine on every interface: the engine's host name; on one
    /// address: that address.
    pub fn client_host(&self, bind: std::net::IpAddr) -> String {
        if self.is_local() || bind.is_loopback() {
            return connect_host(bind);
        }
        match (bind.is_unspecified(), self.host()) {
            (true, Some(host)) if host.contains(':') => format!("[{host}]"),
            (true, Some(host)) => host.to_owned(),
            _ => connect_host(bind),
        }
    }

    /// Whether the engine's ports reach this machine only through an ssh tunnel:
    /// a remote `ssh://` engine with a loopback bind.
    pub fn needs_tunnel(&self, bind: std::net::IpAddr) -> bool {
        !self.is_local() && bind.is_loopback() && self.url.starts_with("ssh://")
    }

    /// The value stored in an assignment's `engine`: `None` for this host, whose
    /// ports every local engine shares.
    pub fn registry_key(&self) -> Option<&str> {
        (!self.is_local()).then_some(self.url.as_str())
    }
}

/// The engine's containers, and when the engine was asked for them.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// Taken before the request went out. A stack whose start was recorded
    /// later may have containers this listing does not show, so the listing
    /// cannot tell that such a stack is gone ([`crate::core::stale`]).
    pub asked_at: Timestamp,
    pub containers: Vec<Container>,
}

impl Listing {
    /// Asks `engine` for its containers; `asked_at` is the time now.
    pub fn of(engine: &dyn Engine, asked_at: Timestamp) -> Result<Self, EngineError> {
        Ok(Self {
            asked_at,
            containers: engine.containers()?,
        })
    }
}

/// A container as iris-dev needs to see it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Container {
    pub id: String,
    pub name: String,
    /// The image as the container was created from it, such as `iris:latest`.
    pub image: String,
    /// `running`, `exited`, ...
    pub state: String,
    pub labels: BTreeMap<String, String>,
    pub ports: Vec<PublishedPort>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedPort {
    pub host_ip: String,
    pub host_port: u16,
    pub container_port: u16,
}

/// A volume or network as iris-dev needs to see it: its name, and the labels
/// that say which compose project created it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Labelled {
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

impl Labelled {
    /// The compose project that created it, if compose did.
    pub fn compose_project(&self) -> Option<&str> {
        self.labels.get(COMPOSE_PROJECT_LABEL).map(String::as_str)
    }
}

/// `none` when the image has no HEALTHCHECK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    None,
    Starting,
    Healthy,
    Unhealthy,
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::None => "none",
            Self::Starting => "starting",
            Self::Healthy => "healthy",
            Self::Unhealthy => "unhealthy",
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot reach the Docker engine at `{endpoint}`: {message}")]
pub struct EngineError {
    pub endpoint: String,
    pub message: String,
}

/// What a command run in a container through the engine's exec API did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecResult {
    /// `None` when the engine did not report an exit code.
    pub code: Option<i64>,
    /// Standard output and error, interleaved as the engine sent them.
    pub output: String,
}

impl ExecResult {
    pub fn passed(&self) -> bool {
        self.code == Some(0)
    }
}

/// A container as the engine's inspect reports it, for watching a start:
/// whether it runs, how often its restart policy restarted it, and its health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerState {
    /// `created`, `running`, `restarting`, `exited`, `dead`, ...
    pub status: String,
    /// Restarts by the restart policy since the container was created.
    pub restart_count: i64,
    /// The last run's exit code (0 while it never exited).
    pub exit_code: Option<i64>,
    /// When the current (or last) run started, RFC 3339 as the engine writes it.
    pub started_at: String,
    pub health: Health,
    /// The restart policy's name (`no`, `always`, `unless-stopped`,
    /// `on-failure`; empty when the engine gives none).
    pub restart_policy: String,
}

impl ContainerState {
    /// Whether the engine starts it again after it exits with an error.
    pub fn restarts(&self) -> bool {
        matches!(
            self.restart_policy.as_str(),
            "always" | "unless-stopped" | "on-failure"
        )
    }
}

/// Seconds since the Unix epoch of an engine time such as
/// `2026-12-02T01:12:02.123456789Z` (nanoseconds, which [`Timestamp`] does not
/// read, are cut to microseconds); `None` when it is not one, or before 1970
/// (the engine's "never", `0001-01-01T00:00:00Z`).
pub fn unix_seconds(time: &str) -> Option<i64> {
    unix_micros(time).map(|micros| micros.div_euclid(1_000_000))
}

/// Microseconds since the Unix epoch of an engine time, as [`unix_seconds`].
pub fn unix_micros(time: &str) -> Option<i64> {
    let (head, tail) = match time.split_once('.') {
        Some((head, rest)) => {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let zone = &rest[digits..];
            (
                format!("{head}.{}", &rest[..digits.min(6)]),
                zone.to_owned(),
            )
        }
        None => (time.to_owned(), String::new()),
    };
    let micros = Timestamp::parse(&format!("{head}{tail}"))?.micros();
    (micros >= 0).then_some(micros)
}

/// The lines of a log read with timestamps (`2026-12-02T01:12:02.123456789Z
/// text`) written at or after `since` (an engine time; `None`: all), without
/// their timestamps. A line without one is kept.
pub fn log_lines_between(text: &str, since: Option<i64>, until: Option<i64>) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim_end_matches('\r');
            match line
                .split_once(' ')
                .and_then(|(stamp, rest)| Some((unix_micros(stamp)?, rest)))
            {
                Some((at, rest)) => (since.is_none_or(|since| at >= since)
                    && until.is_none_or(|until| at < until))
                .then(|| rest.to_owned()),
                None => Some(line.to_owned()),
            }
        })
        .collect()
}

/// What iris-dev asks of the engine.
pub trait Engine {
    /// Every container, running or not.
    fn containers(&self) -> Result<Vec<Container>, EngineError>;
    /// Every volume, with its labels.
    fn volumes(&self) -> Result<Vec<Labelled>, EngineError>;
    /// Every network, with its labels.
    fn networks(&self) -> Result<Vec<Labelled>, EngineError>;
    fn health(&self, id: &str) -> Result<Health, EngineError>;
    /// The container's state, restart count and health, from one inspect.
    fn state(&self, id: &str) -> Result<ContainerState, EngineError>;
    /// The container's log (standard output and error, interleaved): of its
    /// last `tail` lines, those written at or after `since` (microseconds since
    /// the Unix epoch, see [`unix_micros`]; `None`: all of them).
    fn logs(
        &self,
        id: &str,
        since: Option<i64>,
        until: Option<i64>,
        tail: usize,
    ) -> Result<Vec<String>, EngineError>;
    /// The container's health check as a command line to exec, from its
    /// `Config.Healthcheck.Test` (where the engine already merged the compose
    /// file's `healthcheck.test` over the image's HEALTHCHECK); `None` when it has
    /// none. See [`check_command`].
    fn health_check(&self, id: &str) -> Result<Option<Vec<String>>, EngineError>;
    /// Runs `argv` in the running container `id` and waits for it to finish, or
    /// for `timeout` (then it is an error; the process may still run).
    fn exec(&self, id: &str, argv: &[String], timeout: Duration)
    -> Result<ExecResult, EngineError>;
}

/// The command line for a health check's `Test`, as Docker runs it: `CMD` execs
/// the rest, `CMD-SHELL` hands its one string to `/bin/sh -c`, and `NONE`, an
/// empty test (inherit, already resolved by the engine) or anything else means
/// no check. <https://docs.docker.com/reference/dockerfile/#healthcheck>
pub fn check_command(test: &[String]) -> Option<Vec<String>> {
    match test.split_first() {
        Some((kind, rest)) if kind == "CMD" && !rest.is_empty() => Some(rest.to_vec()),
        Some((kind, rest)) if kind == "CMD-SHELL" && !rest.is_empty() => {
            Some(vec!["/bin/sh".to_owned(), "-c".to_owned(), rest.join(" ")])
        }
        _ => None,
    }
}

impl Container {
    /// Whether iris-dev or compose labelled this container as the project's.
    pub fn belongs_to(&self, project_path: &str, compose_project: Option<&str>) -> bool {
        self.labels.get(PROJECT_LABEL).map(String::as_str) == Some(project_path)
            || compose_project.is_some_and(|name| {
                self.labels.get(COMPOSE_PROJECT_LABEL).map(String::as_str) == Some(name)
            })
    }
}

/// What compose left of a stack on the engine: the names of the networks and
/// volumes to remove.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Leftovers {
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
}

impl Leftovers {
    pub fn is_empty(&self) -> bool {
        self.networks.is_empty() && self.volumes.is_empty()
    }
}

/// The networks, and with `volumes` the volumes, that compose created for
/// `compose_project` (its label on them), once none of that project's
/// containers is left, running or not; nothing while one is (issue 21 §3).
/// `compose down` finds a stack's resources through its containers, so after
/// `docker rm -f` of them it leaves the volumes behind even with `--volumes`
/// (and docker-compose 1.x, given no compose file, everything); networks
/// declared `external` carry no compose label and are never named here.
pub fn leftovers(
    containers: &[Container],
    networks: &[Labelled],
    volumes: &[Labelled],
    compose_project: &str,
    with_volumes: bool,
) -> Leftovers {
    let in_use = containers.iter().any(|container| {
        container
            .labels
            .get(COMPOSE_PROJECT_LABEL)
            .map(String::as_str)
            == Some(compose_project)
    });
    if in_use || compose_project.is_empty() {
        return Leftovers::default();
    }
    let of_project = |items: &[Labelled]| -> Vec<String> {
        items
            .iter()
            .filter(|item| item.compose_project() == Some(compose_project))
            .map(|item| item.name.clone())
            .collect()
    };
    Leftovers {
        networks: of_project(networks),
        volumes: if with_volumes {
            of_project(volumes)
        } else {
            Vec::new()
        },
    }
}

/// What a project's stack is doing, from one container listing: the state of
/// its IRIS container (labelled by iris-dev or compose's service `service`),
/// else of any of its containers. `health` is asked only for a running one.
pub fn live_state(
    containers: &[Container],
    project_path: &str,
    compose_project: Option<&str>,
    service: Option<&str>,
    health: impl FnOnce(&str) -> Option<Health>,
) -> &'static str {
    let own: Vec<&Container> = containers
        .iter()
        .filter(|container| container.belongs_to(project_path, compose_project))
        .collect();
    let is_iris = |container: &&&Container| {
        container.labels.get(PROJECT_LABEL).map(String::as_str) == Some(project_path)
            || (service.is_some()
                && container
                    .labels
                    .get(COMPOSE_SERVICE_LABEL)
                    .map(String::as_str)
                    == service)
    };
    let Some(container) = own
        .iter()
        .find(is_iris)
        .or_else(|| own.iter().find(|container| container.state == "running"))
        .or_else(|| own.first())
    else {
        return "none";
    };
    if container.state != "running" {
        return "stopped";
    }
    match health(&container.id) {
        Some(Health::Healthy) => "healthy",
        Some(Health::Starting) => "starting",
        Some(Health::Unhealthy) => "unhealthy",
        Some(Health::None) | None => "running",
    }
}

/// Who else has a container named `name`: `Some(Some(project))` for another
/// compose project's, `Some(None)` for one compose did not start, `None` when
/// there is none or it is `own`'s.
pub fn container_name_user(
    containers: &[Container],
    name: &str,
    own: &str,
) -> Option<Option<String>> {
    let container = containers.iter().find(|container| container.name == name)?;
    match container.labels.get(COMPOSE_PROJECT_LABEL) {
        Some(project) if project == own => None,
        project => Some(project.cloned()),
    }
}

/// The other compose project that created the volume or network `name`; one
/// compose did not create, or `own` did, is no collision.
pub fn labelled_name_user(items: &[Labelled], name: &str, own: &str) -> Option<String> {
    items
        .iter()
        .filter(|item| item.name == name)
        .find_map(|item| item.compose_project().filter(|project| *project != own))
        .map(str::to_owned)
}

/// The host ports that containers other than the project's publish, which
/// count as taken when ports are chosen even where no bind test can see them: a
/// remote engine, `userland-proxy: false`, a dev container sharing the host's
/// engine.
pub fn ports_published_by_others(
    containers: &[Container],
    project_path: &str,
    compose_project: Option<&str>,
) -> Vec<u16> {
    let mut ports: Vec<u16> = containers
        .iter()
        .filter(|container| !container.belongs_to(project_path, compose_project))
        .flat_map(|container| container.ports.iter().map(|port| port.host_port))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

#[cfg(test)]
mod tests {

    #[test]
    fn leftovers_are_a_stacks_networks_and_volumes_once_its_containers_are_gone() {
        let labelled = |name: &str, project: &str| Labelled {
            name: name.into(),
            labels: [(COMPOSE_PROJECT_LABEL.to_owned(), project.to_owned())].into(),
        };
        let networks = [
            labelled("shop_default", "shop"),
            labelled("other_default", "other"),
            Labelled {
                name: "bridge".into(),
                ..Labelled::default()
            },
        ];
        let volumes = [
            labelled("shop_data", "shop"),
            labelled("other_data", "other"),
        ];
        let container = |project: &str, state: &str| Container {
            state: state.into(),
            labels: [(COMPOSE_PROJECT_LABEL.to_owned(), project.to_owned())].into(),
            ..Container::default()
        };
        let gone = [container("other", "running")];
        assert_eq!(
            leftovers(&gone, &networks, &volumes, "shop", true),
            Leftovers {
                networks: vec!["shop_default".into()],
                volumes: vec!["shop_data".into()],
            }
        );
        assert_eq!(
            leftovers(&gone, &networks, &volumes, "shop", false).volumes,
            Vec::<String>::new(),
            "volumes only when asked"
        );
        for state in ["running", "exited"] {
            let kept = [container("shop", state)];
            assert!(leftovers(&kept, &networks, &volumes, "shop", true).is_empty());
        }
        assert!(leftovers(&[], &networks, &volumes, "", true).is_empty());
    }
    use super::*;

    #[test]
    fn ports_of_other_containers_are_taken_and_the_projects_own_are_not() {
        let published = |host_port| PublishedPort {
            host_ip: "0.0.0.0".into(),
            host_port,
            container_port: 1972,
        };
        let mut own = Container {
            ports: vec![published(13_000)],
            ..Container::default()
        };
        own.labels
            .insert(COMPOSE_PROJECT_LABEL.into(), "shop-1".into());
        let other = Container {
            ports: vec![published(13_002), published(13_001), published(13_002)],
            ..Container::default()
        };
        let containers = [own, other];
        assert_eq!(
            ports_published_by_others(&containers, "/shop", Some("shop-1")),
            [13_001, 13_002]
        );
        assert_eq!(
            ports_published_by_others(&containers, "/shop", None),
            [13_000, 13_001, 13_002]
        );
    }

    #[test]
    fn live_state_follows_the_iris_container() {
        let container = |service: &str, state: &str| {
            let mut container = Container {
                id: service.into(),
                state: state.into(),
                ..Container::default()
            };
            container
                .labels
                .insert(COMPOSE_PROJECT_LABEL.into(), "shop-1".into());
            container
                .labels
                .insert(COMPOSE_SERVICE_LABEL.into(), service.into());
            container
        };
        let healthy = |id: &str| (id == "iris").then_some(Health::Healthy);
        let stack = [container("web", "running"), container("iris", "exited")];
        let state = |service| live_state(&stack, "/shop", Some("shop-1"), service, healthy);
        assert_eq!(state(Some("iris")), "stopped");
        assert_eq!(state(None), "running");
        let stack = [container("iris", "running")];
        assert_eq!(
            live_state(&stack, "/shop", Some("shop-1"), Some("iris"), healthy),
            "healthy"
        );
        assert_eq!(
            live_state(&stack, "/shop", Some("shop-2"), Some("iris"), healthy),
            "none"
        );
    }

    #[test]
    fn docker_host_wins_then_context_then_default() {
        let no_context = |_: &str| -> Option<String> { panic!("no context lookup expected") };
        let docker_there =
            |path: &std::path::Path| path == std::path::Path::new("/var/run/docker.sock");
        let env = DockerSettings {
            host: Some("tcp://10.0.0.5:2375".into()),
            ..DockerSettings::default()
        };
        assert_eq!(
            Endpoint::resolve(
                &env,
                Some(r#"{"currentContext":"x"}"#),
                no_context,
                docker_there
            )
            .url,
            "tcp://10.0.0.5:2375"
        );

        let env = DockerSettings::default();
        let context = |name: &str| (name == "remote").then(|| "ssh://builder".to_owned());
        assert_eq!(
            Endpoint::resolve(
                &env,
                Some(r#"{"currentContext":"remote"}"#),
                context,
                docker_there
            )
            .url,
            "ssh://builder"
        );
        assert_eq!(
            Endpoint::resolve(
                &env,
                Some(r#"{"currentContext":"default"}"#),
                no_context,
                docker_there
            )
            .url,
            DEFAULT_ENDPOINT
        );
        assert_eq!(
            Endpoint::resolve(&env, Some("not json"), no_context, docker_there).url,
            DEFAULT_ENDPOINT
        );
        assert_eq!(
            Endpoint::resolve(&env, None, no_context, docker_there).url,
            DEFAULT_ENDPOINT
        );

        let env = DockerSettings {
            context: Some("remote".into()),
            ..DockerSettings::default()
        };
        assert_eq!(
            Endpoint::resolve(&env, None, context, docker_there)
                .context
                .as_deref(),
            Some("remote"),
            "a context's endpoint remembers the context"
        );
        assert_eq!(
            Endpoint::resolve(&env, None, context, docker_there).url,
            "ssh://builder"
        );
    }

    #[test]
    fn without_host_or_context_the_first_socket_there_wins_docker_then_podman() {
        use std::path::Path;
        let env = DockerSettings {
            xdg_runtime_dir: Some("/run/user/1000".into()),
            ..DockerSettings::default()
        };
        let no_context = |_: &str| -> Option<String> { None };
        let with = |there: &'static [&'static str]| {
            Endpoint::resolve(&env, None, no_context, |path: &Path| {
                there.iter().any(|socket| Path::new(socket) == path)
            })
        };
        const ROOTLESS: &str = "/run/user/1000/podman/podman.sock";
        let everything = with(&["/var/run/docker.sock", ROOTLESS, PODMAN_ROOTFUL_SOCKET]);
        assert_eq!(everything.url, DEFAULT_ENDPOINT);
        assert_eq!(
            everything.origin.to_string(),
            "Docker's socket, the first place looked"
        );
        assert!(!everything.origin.found_podman());

        let podman = with(&[ROOTLESS, PODMAN_ROOTFUL_SOCKET]);
        assert_eq!(podman.url, format!("unix://{ROOTLESS}"));
        assert!(podman.origin.found_podman());
        assert_eq!(
            podman.describe(),
            "`unix:///run/user/1000/podman/podman.sock` (rootless Podman's socket: \
             no `DOCKER_HOST`, no docker context, and nothing to connect to at `/var/run/docker.sock`)"
        );

        let rootful = with(&[PODMAN_ROOTFUL_SOCKET]);
        assert_eq!(rootful.url, "unix:///run/podman/podman.sock");
        assert_eq!(
            rootful.origin.to_string(),
            "rootful Podman's socket: no `DOCKER_HOST`, no docker context, and nothing to connect to at \
             `/var/run/docker.sock`, `/run/user/1000/podman/podman.sock`"
        );

        let nothing = with(&[]);
        assert_eq!(nothing.url, DEFAULT_ENDPOINT);
        assert!(
            matches!(&nothing.origin, Origin::NothingFound { looked } if looked.len() == 3),
            "{:?}",
            nothing.origin
        );
        assert!(
            nothing
                .origin
                .to_string()
                .ends_with("`/run/podman/podman.sock`")
        );

        // Without XDG_RUNTIME_DIR (a `sudo` shell) there is no user socket.
        let sockets = local_sockets(None);
        assert_eq!(
            sockets.iter().map(|socket| socket.kind).collect::<Vec<_>>(),
            [SocketKind::Docker, SocketKind::PodmanRootful]
        );

        // A context whose endpoint cannot be read falls through to the sockets;
        // one that can wins over them, and says where it came from.
        let env = DockerSettings {
            context: Some("far".into()),
            ..env
        };
        let lost = Endpoint::resolve(&env, None, no_context, |path: &Path| {
            path == Path::new(ROOTLESS)
        });
        assert_eq!(lost.url, format!("unix://{ROOTLESS}"));
        let far = Endpoint::resolve(
            &env,
            None,
            |_: &str| Some("ssh://far".into()),
            |_: &Path| true,
        );
        assert_eq!(
            far.origin.to_string(),
            "docker context `far`, from `DOCKER_CONTEXT`"
        );
        let env = DockerSettings {
            host: Some("unix:///tmp/p.sock".into()),
            ..env
        };
        let given = Endpoint::resolve(&env, None, no_context, |_: &Path| true);
        assert_eq!(
            given.describe(),
            "`unix:///tmp/p.sock` (from `DOCKER_HOST`)"
        );
    }

    /// Sockets that are there, and the ones of them that answer; every
    /// `connect` is counted.
    struct FakeSockets {
        there: &'static [&'static str],
        answering: &'static [&'static str],
        asked: std::cell::RefCell<Vec<std::path::PathBuf>>,
    }

    impl SocketProbe for FakeSockets {
        fn is_there(&self, path: &std::path::Path) -> bool {
            self.there
                .iter()
                .any(|socket| std::path::Path::new(socket) == path)
        }

        fn answers(&self, path: &std::path::Path) -> bool {
            self.asked.borrow_mut().push(path.to_owned());
            self.answering
                .iter()
                .any(|socket| std::path::Path::new(socket) == path)
        }
    }

    #[test]
    fn only_a_socket_with_another_after_it_is_asked_whether_it_answers() {
        const DOCKER: &str = "/var/run/docker.sock";
        let sockets = |there, answering| FakeSockets {
            there,
            answering,
            asked: Default::default(),
        };
        let choose = |probe: &FakeSockets| choose_socket(local_sockets(None), probe);

        // Docker's alone: chosen without waking the engine, answering or not
        // (nothing else would be, and connecting to it names what is wrong).
        for answering in [&[DOCKER][..], &[]] {
            let probe = sockets(&[DOCKER], answering);
            let (url, origin) = choose(&probe);
            assert_eq!(url, DEFAULT_ENDPOINT);
            assert_eq!(
                origin.to_string(),
                "Docker's socket, the first place looked"
            );
            assert!(probe.asked.borrow().is_empty(), "{:?}", probe.asked);
        }

        // Docker's and Podman's: Docker's is asked, and wins when it answers...
        let both = sockets(
            &[DOCKER, PODMAN_ROOTFUL_SOCKET],
            &[DOCKER, PODMAN_ROOTFUL_SOCKET],
        );
        assert_eq!(choose(&both).0, DEFAULT_ENDPOINT);
        assert_eq!(*both.asked.borrow(), [std::path::PathBuf::from(DOCKER)]);

        // ... and is passed over when it does not (a stale file, or a user
        // outside the `docker` group); Podman's, the last, is not asked.
        let stale = sockets(&[DOCKER, PODMAN_ROOTFUL_SOCKET], &[PODMAN_ROOTFUL_SOCKET]);
        let (url, origin) = choose(&stale);
        assert_eq!(url, "unix:///run/podman/podman.sock");
        assert!(origin.found_podman());
        assert_eq!(*stale.asked.borrow(), [std::path::PathBuf::from(DOCKER)]);

        let nothing = sockets(&[], &[]);
        assert!(matches!(choose(&nothing).1, Origin::NothingFound { .. }));
        assert!(nothing.asked.borrow().is_empty());
    }

    #[test]
    fn local_endpoints_share_this_hosts_ports() {
        for url in [
            "unix:///var/run/docker.sock",
            "unix:///run/user/1000/docker.sock",
            "tcp://127.0.0.1:2375",
            "tcp://localhost:2375",
            "tcp://[::1]:2375",
        ] {
            let endpoint = Endpoint::new(url);
            assert!(endpoint.is_local(), "{url}");
            assert_eq!(endpoint.registry_key(), None);
        }
        for url in [
            "tcp://10.0.0.5:2375",
            "ssh://me@builder",
            "https://docker.example:2376",
        ] {
            let endpoint = Endpoint::new(url);
            assert!(!endpoint.is_local(), "{url}");
            assert_eq!(endpoint.registry_key(), Some(url));
        }
    }

    #[test]
    fn clients_dial_loopback_through_a_tunnel_and_public_binds_by_host_name() {
        let loopback: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        let every: std::net::IpAddr = "0.0.0.0".parse().unwrap();
        let remote = Endpoint::new("ssh://me@build.example:2222");
        assert_eq!(remote.host(), Some("build.example"));
        assert_eq!(remote.client_host(loopback), "127.0.0.1");
        assert!(remote.needs_tunnel(loopback));
        assert_eq!(remote.client_host(every), "build.example");
        assert!(!remote.needs_tunnel(every));
        let v6 = Endpoint::new("tcp://[fd00::5]:2375");
        assert_eq!(v6.client_host(every), "[fd00::5]");
        assert!(!v6.needs_tunnel(loopback));
        let local = Endpoint::new(DEFAULT_ENDPOINT);
        assert_eq!(local.host(), None);
        assert_eq!(local.client_host(every), "127.0.0.1");
        assert!(!local.needs_tunnel(loopback));
    }

    #[test]
    fn engine_times_become_unix_seconds() {
        assert_eq!(unix_seconds("1970-01-01T00:00:01.999999999Z"), Some(1));
        assert_eq!(
            unix_seconds("2026-12-02T01:12:02.123456789Z"),
            unix_seconds("2026-12-02T01:12:02Z")
        );
        assert_eq!(
            unix_seconds("2026-12-02T02:12:02.5+01:00"),
            unix_seconds("2026-12-02T01:12:02Z")
        );
        assert_eq!(unix_seconds("0001-01-01T00:00:00Z"), None);
        assert_eq!(unix_seconds(""), None);
    }

    #[test]
    fn log_lines_are_cut_at_a_run_start_to_the_microsecond() {
        let log = "2026-12-02T01:00:10.9Z earlier run\r\n2026-12-02T01:00:11.000001Z this run\nno stamp\n";
        let start = unix_micros("2026-12-02T01:00:11.000000999Z");
        assert_eq!(
            log_lines_between(log, start, None),
            ["this run", "no stamp"]
        );
        assert_eq!(
            log_lines_between(log, None, None),
            ["earlier run", "this run", "no stamp"]
        );
        // Up to the next run's start, which a restart loop may have begun.
        assert_eq!(
            log_lines_between(log, None, start),
            ["earlier run", "no stamp"]
        );
    }

    #[test]
    fn health_check_tests_become_command_lines() {
        let test = |parts: &[&str]| {
            check_command(
                &parts
                    .iter()
                    .map(|part| (*part).to_owned())
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            test(&["CMD", "/standin", "check"]),
            Some(vec!["/standin".into(), "check".into()])
        );
        assert_eq!(
            test(&["CMD-SHELL", "/irisHealth.sh || exit 1"]),
            Some(vec![
                "/bin/sh".into(),
                "-c".into(),
                "/irisHealth.sh || exit 1".into()
            ])
        );
        assert_eq!(test(&["NONE"]), None);
        assert_eq!(test(&[]), None);
        assert_eq!(test(&["CMD"]), None);
        assert_eq!(test(&["SOMETHING", "x"]), None);
    }

    #[test]
    fn names_taken_by_other_compose_projects() {
        let labelled = |name: &str, project: Option<&str>| {
            let mut labels = BTreeMap::new();
            if let Some(project) = project {
                labels.insert(COMPOSE_PROJECT_LABEL.to_owned(), project.to_owned());
            }
            (name.to_owned(), labels)
        };
        let containers: Vec<Container> = [labelled("my-iris", Some("a")), labelled("plain", None)]
            .into_iter()
            .map(|(name, labels)| Container {
                name,
                labels,
                ..Container::default()
            })
            .collect();
        assert_eq!(
            container_name_user(&containers, "my-iris", "b"),
            Some(Some("a".to_owned()))
        );
        assert_eq!(container_name_user(&containers, "my-iris", "a"), None);
        assert_eq!(container_name_user(&containers, "plain", "b"), Some(None));
        assert_eq!(container_name_user(&containers, "other", "b"), None);

        let volumes: Vec<Labelled> = [labelled("data", Some("a")), labelled("manual", None)]
            .into_iter()
            .map(|(name, labels)| Labelled { name, labels })
            .collect();
        assert_eq!(
            labelled_name_user(&volumes, "data", "b").as_deref(),
            Some("a")
        );
        assert_eq!(labelled_name_user(&volumes, "data", "a"), None);
        assert_eq!(labelled_name_user(&volumes, "manual", "b"), None);
    }

    #[test]
    fn containers_belong_by_label_or_compose_project() {
        let mut container = Container::default();
        container
            .labels
            .insert(COMPOSE_PROJECT_LABEL.into(), "shop-1".into());
        assert!(container.belongs_to("/shop", Some("shop-1")));
        assert!(!container.belongs_to("/shop", Some("shop-2")));
        container
            .labels
            .insert(PROJECT_LABEL.into(), "/shop".into());
        assert!(container.belongs_to("/shop", None));
    }
}
