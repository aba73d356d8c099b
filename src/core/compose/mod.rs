//! Compose as data: the command and its version, the invocations iris-dev
//! builds, and what its output says about refused ports.
//!
//! Pure. Finding the command is [`crate::edges::compose_detect`]'s job, running it the
//! [`crate::edges::process::Runner`]'s; the merged config and the override file are
//! [`config`] and [`override_file`].

use std::fmt;
use std::path::{Path, PathBuf};

pub mod cache;
pub mod config;
pub mod override_file;
pub mod port_advice;

use crate::core::env_vars;
use crate::core::invocation::Invocation;

/// Why no compose command could be used.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("no compose command found: neither `docker compose` nor `docker-compose` runs")]
    NotFound,
    #[error("`{command}` from `IRIS_DEV_COMPOSE` does not run: {message}")]
    Configured { command: String, message: String },
    #[error(
        "`{command}` from `IRIS_DEV_COMPOSE` runs podman-compose, which iris-dev does not support: \
         {PODMAN_COMPOSE_DIFFERS}"
    )]
    PodmanCompose { command: String },
}

/// Where podman-compose differs from compose in what iris-dev relies on.
pub const PODMAN_COMPOSE_DIFFERS: &str = "its `port` prints a bare port number, its `ps` has no \
     `--filter status=running`, it merges override files its own way (no `!override`), and \
     Debian's 1.0.x has no `config` or `version --short`";

/// What to use instead of podman-compose, for the error and `doctor`.
pub const PODMAN_COMPOSE_FIX: &str = "use compose v2 or docker-compose with Podman: unset \
     `IRIS_DEV_COMPOSE` (iris-dev finds Podman's socket and passes it to compose as `DOCKER_HOST`), \
     or give `podman compose` the docker-compose provider (`compose_providers` in containers.conf)";

/// Whether `command` (with what its `version` said) is podman-compose, run
/// directly or as `podman compose`'s provider, which names itself on stderr
/// (`>>>> Executing external compose provider "/usr/bin/podman-compose"`).
pub fn is_podman_compose(command: &[String], said: &str) -> bool {
    let program = command.first().map_or("", |program| {
        program.rsplit(['/', '\\']).next().unwrap_or(program)
    });
    program == "podman-compose" || (program == "podman" && said.contains("podman-compose"))
}

/// First compose release that reads the `!override` tag.
const OVERRIDE_TAG_SINCE: Version = Version(2, 24, 4);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// Reads `1.29.2`, `v2.24.6` or `2.24.6-desktop.1`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().trim_start_matches('v');
        let mut parts = text
            .split(['.', '-', '+', ','])
            .map(|part| part.parse::<u32>());
        Some(Self(
            parts.next()?.ok()?,
            parts.next().and_then(Result::ok).unwrap_or(0),
            parts.next().and_then(Result::ok).unwrap_or(0),
        ))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The compose command in use.
#[derive(Debug, Clone, PartialEq)]
pub struct Compose {
    /// Program and leading arguments: `["docker", "compose"]`, `["docker-compose"]`.
    pub command: Vec<String>,
    /// `None` when the command would not say.
    pub version: Option<Version>,
    /// The engine compose must be told of (`DOCKER_HOST`): a Podman socket
    /// iris-dev found itself, which compose, looking only at Docker's, would
    /// not. `None` when compose finds the engine as iris-dev did.
    pub docker_host: Option<String>,
}

impl Compose {
    pub fn supports_override_tag(&self) -> bool {
        self.version
            .is_some_and(|version| version >= OVERRIDE_TAG_SINCE)
    }

    /// The command, its version and whether it reads `!override`, as detection,
    /// `--dry-run` and `doctor` say it.
    pub fn describe(&self) -> String {
        let name = self.display_name();
        match self.version {
            Some(_) if self.supports_override_tag() => format!("{name}, which reads `!override`"),
            Some(_) => {
                format!("{name}, which cannot read `!override` ({OVERRIDE_TAG_SINCE} or newer can)")
            }
            None => format!("{name} (version unknown, so no `!override`)"),
        }
    }

    pub fn display_name(&self) -> String {
        match self.version {
            Some(version) => format!("{} {version}", self.command.join(" ")),
            None => self.command.join(" "),
        }
    }

    /// `<compose> -p NAME -f FILE... [--profile P]... [--env-file F] <args>`: the
    /// invocation every command runs on a project's stack, so compose sees the
    /// same profiles and `.env` whatever the command.
    pub fn stack_invocation(
        &self,
        stack: &crate::core::stack::Stack,
        project_name: &str,
        files: &[PathBuf],
        args: &[String],
    ) -> Invocation {
        let mut options = Vec::new();
        if stack.template {
            // The template lives in `.iris-dev/`; compose reads `.env` from the
            // project directory, which must be the project's root.
            options.extend([
                "--project-directory".to_owned(),
                stack.root.display().to_string(),
            ]);
        }
        for profile in &stack.profiles {
            options.extend(["--profile".to_owned(), profile.clone()]);
        }
        if let Some(env_file) = &stack.env_file {
            options.extend(["--env-file".to_owned(), env_file.display().to_string()]);
        }
        options.extend(args.iter().cloned());
        let mut invocation = self.invocation(&stack.root, project_name, files, &options);
        // Compose v2 sets it for interpolation itself; v1 does not, and a file
        // may say `container_name: ${COMPOSE_PROJECT_NAME}-iris`.
        invocation.env.push((
            crate::core::env_vars::COMPOSE_PROJECT_NAME.to_owned(),
            project_name.to_owned(),
        ));
        invocation
    }

    /// `<compose> -p NAME -f FILE... <args>`.
    pub fn invocation(
        &self,
        dir: &Path,
        project_name: &str,
        files: &[PathBuf],
        args: &[String],
    ) -> Invocation {
        let mut argv = self.command.clone();
        argv.extend(["-p".to_owned(), project_name.to_owned()]);
        for file in files {
            argv.extend(["-f".to_owned(), file.display().to_string()]);
        }
        argv.extend(args.iter().cloned());
        Invocation {
            argv,
            dir: dir.to_owned(),
            env: self
                .docker_host
                .iter()
                .map(|host| (crate::core::env_vars::DOCKER_HOST.to_owned(), host.clone()))
                .collect(),
        }
    }
}

/// A host port the engine refused to publish, as compose's output names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The address it was to be bound on, when the message says.
    pub address: Option<String>,
    pub port: u16,
}

/// Whether a line of compose's output says a host port was taken under it, and
/// which one when the message names it. The engine's words:
/// - Docker: `Bind for 0.0.0.0:8080 failed: port is already allocated`;
/// - Docker's userland proxy and Podman: `listen tcp4 127.0.0.1:8080: bind:
///   address already in use` (Podman: `rootlessport listen tcp 0.0.0.0:8080:
///   bind: address already in use`).
pub fn port_refusal(line: &str) -> Option<Option<Refusal>> {
    let before = if let Some(at) = line.find(" failed: port is already allocated") {
        line[..at].rsplit_once("Bind for ").map(|(_, spec)| spec)
    } else if let Some(at) = line.find(": bind: address already in use") {
        line[..at].rsplit(' ').next()
    } else if line.contains("port is already allocated") || line.contains("address already in use")
    {
        None
    } else {
        return None;
    };
    Some(before.and_then(|spec| {
        let (address, port) = spec.rsplit_once(':')?;
        let address = address.trim_start_matches('[').trim_end_matches(']');
        Some(Refusal {
            address: (!address.is_empty()).then(|| address.to_owned()),
            port: port.trim().parse().ok()?,
        })
    }))
}

impl ComposeError {
    /// What to install or change, as the user would type it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::NotFound => vec![
                "install the Compose plugin (`apt-get install docker-compose-plugin`) or the \
                 standalone `docker-compose`"
                    .into(),
                format!(
                    "or name another compose command: `{}='podman compose'`",
                    env_vars::IRIS_DEV_COMPOSE
                ),
            ],
            Self::Configured { .. } => {
                vec![format!("correct or unset `{}`", env_vars::IRIS_DEV_COMPOSE)]
            }
            Self::PodmanCompose { .. } => vec![PODMAN_COMPOSE_FIX.to_owned()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_override_support() {
        let compose = |version| Compose {
            command: vec!["docker".into(), "compose".into()],
            version,
            docker_host: None,
        };
        assert_eq!(
            compose(Some(Version(2, 40, 3))).describe(),
            "docker compose 2.40.3, which reads `!override`"
        );
        assert_eq!(
            compose(Some(Version(2, 24, 3))).describe(),
            "docker compose 2.24.3, which cannot read `!override` (2.24.4 or newer can)"
        );
        assert_eq!(
            compose(None).describe(),
            "docker compose (version unknown, so no `!override`)"
        );
    }

    #[test]
    fn versions() {
        assert_eq!(Version::parse("v2.24.4"), Some(Version(2, 24, 4)));
        assert_eq!(Version::parse("2.24.6-desktop.1"), Some(Version(2, 24, 6)));
        assert_eq!(Version::parse("1.29.2"), Some(Version(1, 29, 2)));
        assert_eq!(Version::parse("podman-compose version 1"), None);
        let at = |version| Compose {
            command: vec![],
            version: Some(version),
            docker_host: None,
        };
        assert!(!at(Version(2, 24, 3)).supports_override_tag());
        assert!(at(Version(2, 24, 4)).supports_override_tag());
    }

    #[test]
    fn invocation_displays_as_a_shell_line() {
        let compose = Compose {
            command: vec!["docker".into(), "compose".into()],
            version: None,
            docker_host: None,
        };
        let mut invocation = compose.invocation(
            Path::new("/p"),
            "shop-1",
            &[
                PathBuf::from("/p/compose.yaml"),
                PathBuf::from("/p/.iris-dev/compose.override.yaml"),
            ],
            &["up".into(), "-d".into()],
        );
        invocation.env.push(("IRIS_PORT".into(), "12000".into()));
        assert_eq!(
            invocation.to_string(),
            "IRIS_PORT=12000 docker compose -p shop-1 -f /p/compose.yaml -f /p/.iris-dev/compose.override.yaml up -d"
        );
    }

    #[test]
    fn port_refusals_name_the_port_when_the_engine_does() {
        let refusal = |address: &str, port| {
            Some(Some(Refusal {
                address: Some(address.to_owned()),
                port,
            }))
        };
        assert_eq!(
            port_refusal(
                "Error response from daemon: driver failed programming external connectivity on endpoint x: Bind for 127.0.0.1:12000 failed: port is already allocated"
            ),
            refusal("127.0.0.1", 12_000)
        );
        assert_eq!(
            port_refusal(
                "Error starting userland proxy: listen tcp4 0.0.0.0:8080: bind: address already in use"
            ),
            refusal("0.0.0.0", 8080)
        );
        assert_eq!(
            port_refusal("Error: rootlessport listen tcp [::]:5432: bind: address already in use"),
            refusal("::", 5432)
        );
        assert_eq!(
            port_refusal("ERROR: for iris  port is already allocated"),
            Some(None)
        );
        assert_eq!(port_refusal("Creating shop_iris_1 ... done"), None);
    }
}
