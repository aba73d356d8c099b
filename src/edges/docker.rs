//! The engine through bollard, and finding which engine Docker's CLI would use.
//!
//! The edge behind [`Engine`]: one current-thread runtime per client, calls
//! bounded by a timeout so an unreachable remote engine cannot stall a command.
//! Endpoint discovery reads `config.json` and runs `docker context inspect`
//! through the one [`Runner`].

use std::path::Path;
use std::time::Duration;

use crate::core::engine::DockerSettings;
use crate::core::engine::dial::{self, Transport};
use crate::core::engine::{
    Container, ContainerState, Endpoint, Engine, EngineError, ExecResult, Health, Labelled,
    PublishedPort, SocketProbe,
};
use crate::core::invocation::Invocation;
use crate::edges::process::Runner;

/// The endpoint Docker's CLI would use: `DOCKER_HOST`, else the context named by
/// `DOCKER_CONTEXT` or the config's `currentContext`; else the first engine
/// socket that is there, Docker's then Podman's ([`Endpoint::resolve`] decides;
/// this looks at the files). `dir` is where `docker context inspect` runs.
pub fn discover_endpoint(docker: &DockerSettings, runner: &dyn Runner, dir: &Path) -> Endpoint {
    let config = docker
        .config_dir
        .as_ref()
        .and_then(|dir| fs_err::read_to_string(dir.join("config.json")).ok());
    Endpoint::resolve(
        docker,
        config.as_deref(),
        |context| {
            let invocation = Invocation {
                argv: ["docker", "context", "inspect", context, "--format"]
                    .into_iter()
                    .map(str::to_owned)
                    .chain(["{{.Endpoints.docker.Host}}".to_owned()])
                    .collect(),
                dir: dir.to_owned(),
                env: Vec::new(),
            };
            let output = runner.capture(&invocation).ok()?;
            let host = output.stdout.trim();
            (output.code == 0 && !host.is_empty()).then(|| host.to_owned())
        },
        LocalSockets,
    )
}

/// The well-known sockets on this machine's file system, as
/// [`Endpoint::resolve`] asks about them.
struct LocalSockets;

impl SocketProbe for LocalSockets {
    fn is_there(&self, path: &Path) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            fs_err::metadata(path).is_ok_and(|metadata| metadata.file_type().is_socket())
        }
        #[cfg(not(unix))]
        {
            path.exists()
        }
    }

    fn answers(&self, path: &Path) -> bool {
        #[cfg(unix)]
        {
            std::os::unix::net::UnixStream::connect(path).is_ok()
        }
        #[cfg(not(unix))]
        {
            path.exists()
        }
    }
}

#[cfg(unix)]
use super::bridge::Bridge;

/// Where bridging is not built (Windows), there is nothing to keep.
#[cfg(not(unix))]
struct Bridge;

/// A client for the engine behind a dial process: each connection bollard opens
/// to the bridge's socket is one `ssh ... docker system dial-stdio` (or local
/// `docker system dial-stdio`). Slower than a socket, so the timeout allows for
/// an ssh login.
#[cfg(unix)]
fn dial(
    argv: Vec<String>,
    env: Vec<(String, String)>,
) -> Result<(bollard::Docker, Bridge), String> {
    let bridge = Bridge::start(argv, env).map_err(|err| err.to_string())?;
    let docker = bollard::Docker::connect_with_unix(
        &bridge.socket().to_string_lossy(),
        30,
        bollard::API_DEFAULT_VERSION,
    )
    .map_err(|err| err.to_string())?;
    Ok((docker, bridge))
}

#[cfg(not(unix))]
fn dial(
    argv: Vec<String>,
    _env: Vec<(String, String)>,
) -> Result<(bollard::Docker, Bridge), String> {
    Err(format!(
        "reaching this engine through `{}` is not supported on this platform yet",
        argv.join(" ")
    ))
}

/// The engine through bollard, on a current-thread runtime of its own.
pub struct DockerEngine {
    endpoint: String,
    runtime: tokio::runtime::Runtime,
    docker: bollard::Docker,
    /// Kept open while the client lives; dropped after it.
    _bridge: Option<Bridge>,
}

impl DockerEngine {
    /// Connects and negotiates the API version. An `ssh://` or TLS engine is
    /// reached through a [`Bridge`](super::bridge::Bridge); when that fails, the
    /// error says which step did (login, host key, `docker` on the remote host,
    /// TLS), from the dial process's standard error.
    pub fn connect(endpoint: &Endpoint) -> Result<Self, EngineError> {
        let fail = |message: String| EngineError {
            endpoint: endpoint.url.clone(),
            message,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| fail(format!("cannot start an async runtime: {err}")))?;
        let transport = Transport::of(endpoint).ok_or_else(|| {
            fail("expected `ssh://[USER@]HOST[:PORT]`, as the docker CLI does".to_owned())
        })?;
        let (docker, bridge) = match transport {
            // The engine's API version from `/_ping`'s header: `/version`, which
            // bollard's negotiation asks, costs the engine about 8 ms, and every
            // first assignment connects (see `benches/registry.py`).
            Transport::Direct => match pinged_version(&endpoint.url) {
                Some(version) => (connect_at(&endpoint.url, &version).map_err(fail)?, None),
                None => (
                    bollard::Docker::connect_with_host(&endpoint.url)
                        .map_err(|err| fail(err.to_string()))?
                        .with_timeout(Duration::from_secs(5))
                        .negotiated(&runtime)
                        .map_err(|err| fail(err.to_string()))?,
                    None,
                ),
            },
            Transport::Dial { argv, env, kind } => {
                let (docker, bridge) = dial(argv, env).map_err(fail)?;
                (docker, Some((bridge, kind)))
            }
        };
        // Through a bridge the engine may be older than bollard's default API
        // version (this machine's Debian engine speaks 1.41); negotiate down,
        // and let a failure say which step of the dial broke.
        let docker = match &bridge {
            None => docker,
            Some((bridge, kind)) => docker.negotiated(&runtime).map_err(|err| {
                match bridge.failure(Duration::from_secs(2)) {
                    Some(failed) => fail(dial::diagnose(*kind, failed.code, &failed.stderr)),
                    None => fail(err.to_string()),
                }
            })?,
        };
        Ok(Self {
            endpoint: endpoint.url.clone(),
            runtime,
            docker,
            _bridge: bridge.map(|(bridge, _)| bridge),
        })
    }

    /// The engine and the API version it speaks, for `doctor`:
    /// `Podman Engine 4.3.1, API version 1.41`.
    pub fn api_version(&self) -> Result<String, EngineError> {
        let version = self
            .runtime
            .block_on(self.docker.version())
            .map_err(|err| self.fail(err))?;
        let api = version.api_version.unwrap_or_else(|| "unknown".into());
        // Docker names its first component `Engine`, Podman `Podman Engine`.
        let product = version
            .components
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(|component| match component.name.as_str() {
                "Engine" => format!("Docker Engine {}", component.version),
                name => format!("{name} {}", component.version),
            });
        Ok(match product {
            Some(product) => format!("{product}, API version {api}"),
            None => format!("API version {api}"),
        })
    }

    /// Removes a network compose left behind ([`super::leftovers`]); the one
    /// write iris-dev makes to the engine itself, after compose is done.
    pub fn remove_network(&self, name: &str) -> Result<(), EngineError> {
        self.runtime
            .block_on(self.docker.remove_network(name))
            .map_err(|err| self.fail(err))
    }

    /// Removes a volume compose left behind ([`super::leftovers`]).
    pub fn remove_volume(&self, name: &str) -> Result<(), EngineError> {
        self.runtime
            .block_on(
                self.docker
                    .remove_volume(name, None::<bollard::query_parameters::RemoveVolumeOptions>),
            )
            .map_err(|err| self.fail(err))
    }

    fn fail(&self, err: bollard::errors::Error) -> EngineError {
        EngineError {
            endpoint: self.endpoint.clone(),
            message: err.to_string(),
        }
    }
}

/// bollard's version negotiation (`/version`) on a runtime of the caller's.
trait Negotiated: Sized {
    fn negotiated(self, runtime: &tokio::runtime::Runtime) -> Result<Self, bollard::errors::Error>;
}

impl Negotiated for bollard::Docker {
    fn negotiated(self, runtime: &tokio::runtime::Runtime) -> Result<Self, bollard::errors::Error> {
        runtime.block_on(self.negotiate_version())
    }
}

/// The API version a `unix://` or plain `tcp://` engine names in its `/_ping`
/// answer, capped at what bollard speaks; `None` when it cannot be read that
/// way (then bollard negotiates).
fn pinged_version(url: &str) -> Option<bollard::ClientVersion> {
    use std::io::{Read, Write};
    const REQUEST: &[u8] = b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n";
    let timeout = Some(Duration::from_secs(5));
    let mut answer = Vec::new();
    if let Some(path) = url.strip_prefix("unix://") {
        #[cfg(unix)]
        {
            let mut stream = std::os::unix::net::UnixStream::connect(path).ok()?;
            stream.set_read_timeout(timeout).ok()?;
            stream.write_all(REQUEST).ok()?;
            stream.read_to_end(&mut answer).ok()?;
        }
        #[cfg(not(unix))]
        let _ = path;
    } else if let Some(address) = url.strip_prefix("tcp://") {
        let address = address.trim_end_matches('/');
        let mut stream = std::net::TcpStream::connect(address).ok()?;
        stream.set_read_timeout(timeout).ok()?;
        stream.write_all(REQUEST).ok()?;
        stream.read_to_end(&mut answer).ok()?;
    }
    let server = api_version_header(&String::from_utf8_lossy(&answer))?;
    let ours = bollard::API_DEFAULT_VERSION;
    let newer =
        (server.major_version, server.minor_version) > (ours.major_version, ours.minor_version);
    Some(if newer { *ours } else { server })
}

/// `Api-Version: 1.41` among an HTTP answer's headers.
fn api_version_header(answer: &str) -> Option<bollard::ClientVersion> {
    let headers = answer.split("\r\n\r\n").next()?;
    let value = headers.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("api-version")
            .then(|| value.trim())
    })?;
    let (major, minor) = value.split_once('.')?;
    Some(bollard::ClientVersion {
        major_version: major.parse().ok()?,
        minor_version: minor.parse().ok()?,
    })
}

/// A client for a `unix://` or `tcp://` engine that speaks `version`.
fn connect_at(url: &str, version: &bollard::ClientVersion) -> Result<bollard::Docker, String> {
    const TIMEOUT_SECS: u64 = 5;
    let docker = if url.starts_with("unix://") {
        bollard::Docker::connect_with_unix(url, TIMEOUT_SECS, version)
    } else {
        bollard::Docker::connect_with_http(url, TIMEOUT_SECS, version)
    };
    docker.map_err(|err| err.to_string())
}

impl Engine for DockerEngine {
    fn containers(&self) -> Result<Vec<Container>, EngineError> {
        let options = bollard::query_parameters::ListContainersOptions {
            all: true,
            ..Default::default()
        };
        let summaries = self
            .runtime
            .block_on(self.docker.list_containers(Some(options)))
            .map_err(|err| self.fail(err))?;
        Ok(summaries
            .into_iter()
            .map(|summary| Container {
                id: summary.id.unwrap_or_default(),
                name: summary
                    .names
                    .and_then(|names| names.into_iter().next())
                    .map(|name| name.trim_start_matches('/').to_owned())
                    .unwrap_or_default(),
                image: summary.image.unwrap_or_default(),
                state: summary
                    .state
                    .map(|state| state.to_string())
                    .unwrap_or_default(),
                labels: summary.labels.unwrap_or_default().into_iter().collect(),
                ports: summary
                    .ports
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|port| {
                        Some(PublishedPort {
                            host_ip: port.ip.unwrap_or_default(),
                            host_port: port.public_port?,
                            container_port: port.private_port,
                        })
                    })
                    .collect(),
            })
            .collect())
    }

    fn volumes(&self) -> Result<Vec<Labelled>, EngineError> {
        let list = self
            .runtime
            .block_on(
                self.docker
                    .list_volumes(None::<bollard::query_parameters::ListVolumesOptions>),
            )
            .map_err(|err| self.fail(err))?;
        Ok(list
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|volume| Labelled {
                name: volume.name,
                labels: volume.labels.into_iter().collect(),
            })
            .collect())
    }

    fn networks(&self) -> Result<Vec<Labelled>, EngineError> {
        let list = self
            .runtime
            .block_on(self.docker.list_networks(None))
            .map_err(|err| self.fail(err))?;
        Ok(list
            .into_iter()
            .map(|network| Labelled {
                name: network.name.unwrap_or_default(),
                labels: network.labels.unwrap_or_default().into_iter().collect(),
            })
            .collect())
    }

    fn health(&self, id: &str) -> Result<Health, EngineError> {
        Ok(self.state(id)?.health)
    }

    fn state(&self, id: &str) -> Result<ContainerState, EngineError> {
        use bollard::models::HealthStatusEnum;
        let inspect = self
            .runtime
            .block_on(self.docker.inspect_container(id, None))
            .map_err(|err| self.fail(err))?;
        let state = inspect.state.unwrap_or_default();
        let health = match state.health.and_then(|health| health.status) {
            Some(HealthStatusEnum::STARTING) => Health::Starting,
            Some(HealthStatusEnum::HEALTHY) => Health::Healthy,
            Some(HealthStatusEnum::UNHEALTHY) => Health::Unhealthy,
            _ => Health::None,
        };
        Ok(ContainerState {
            status: state
                .status
                .map(|status| status.to_string())
                .unwrap_or_default(),
            restart_count: inspect.restart_count.unwrap_or(0),
            exit_code: state.exit_code,
            started_at: state.started_at.unwrap_or_default(),
            health,
            restart_policy: inspect
                .host_config
                .and_then(|config| config.restart_policy)
                .and_then(|policy| policy.name)
                .map(|name| name.to_string())
                .unwrap_or_default(),
        })
    }

    fn logs(
        &self,
        id: &str,
        since: Option<i64>,
        until: Option<i64>,
        tail: usize,
    ) -> Result<Vec<String>, EngineError> {
        // The engine's `since` is whole seconds: it cuts roughly, the
        // timestamps of the lines exactly (a restart loop runs several times a
        // second).
        let options = bollard::query_parameters::LogsOptions {
            stdout: true,
            stderr: true,
            since: since
                .and_then(|micros| i32::try_from(micros.div_euclid(1_000_000)).ok())
                .unwrap_or(0),
            timestamps: true,
            tail: tail.to_string(),
            ..Default::default()
        };
        let read = async {
            use futures_core::Stream;
            let mut stream = Box::pin(self.docker.logs(id, Some(options)));
            let mut bytes = Vec::new();
            while let Some(chunk) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
                bytes.extend_from_slice(&chunk?.into_bytes());
            }
            Ok::<_, bollard::errors::Error>(bytes)
        };
        let bytes = match self
            .runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(5), read).await })
        {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(err)) => return Err(self.fail(err)),
            Err(_) => {
                return Err(EngineError {
                    endpoint: self.endpoint.clone(),
                    message: format!("the log of container `{id}` did not arrive within 5s"),
                });
            }
        };
        Ok(crate::core::engine::log_lines_between(
            &String::from_utf8_lossy(&bytes),
            since,
            until,
        ))
    }

    fn health_check(&self, id: &str) -> Result<Option<Vec<String>>, EngineError> {
        let inspect = self
            .runtime
            .block_on(self.docker.inspect_container(id, None))
            .map_err(|err| self.fail(err))?;
        let test = inspect
            .config
            .and_then(|config| config.healthcheck)
            .and_then(|check| check.test)
            .unwrap_or_default();
        Ok(crate::core::engine::check_command(&test))
    }

    fn exec(
        &self,
        id: &str,
        argv: &[String],
        timeout: Duration,
    ) -> Result<ExecResult, EngineError> {
        use bollard::exec::{CreateExecOptions, StartExecResults};

        let run = async {
            let options = CreateExecOptions {
                cmd: Some(argv.to_vec()),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                ..Default::default()
            };
            let created = self.docker.create_exec(id, options).await?;
            let mut output = Vec::new();
            if let StartExecResults::Attached {
                output: mut stream, ..
            } = self.docker.start_exec(&created.id, None).await?
            {
                while let Some(chunk) =
                    std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await
                {
                    output.extend_from_slice(&chunk?.into_bytes());
                }
            }
            let inspect = self.docker.inspect_exec(&created.id).await?;
            Ok::<_, bollard::errors::Error>(ExecResult {
                code: inspect.exit_code,
                output: String::from_utf8_lossy(&output).into_owned(),
            })
        };
        let command = crate::core::shell::join(argv);
        let fail = |message: String| EngineError {
            endpoint: self.endpoint.clone(),
            message: format!("cannot run `{command}` in container `{id}`: {message}"),
        };
        match self
            .runtime
            .block_on(async { tokio::time::timeout(timeout, run).await })
        {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(err)) => Err(fail(err.to_string())),
            Err(_) => Err(fail(format!("no answer within {timeout:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_api_version_from_a_ping() {
        let answer = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK";
        let version = api_version_header(answer).unwrap();
        assert_eq!((version.major_version, version.minor_version), (1, 41));
        assert!(api_version_header("HTTP/1.1 200 OK\r\n\r\nApi-Version: 1.41").is_none());
        assert!(api_version_header("HTTP/1.1 200 OK\r\napi-version: one\r\n\r\n").is_none());
    }
}
