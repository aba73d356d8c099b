//! Which compose runs: `IRIS_DEV_COMPOSE`, else the `docker compose` plugin, else
//! the standalone `docker-compose`, and its version (which decides `!override`).
//!
//! Asking costs a process start (a Python start with docker-compose 1.x), so the
//! answer is cached in `.iris-dev/cache.json` under [`cache_key`]: the PATH, the
//! configured command, and the size and time of every binary and CLI plugin it
//! could be. This module stats those files and runs `version` through the
//! [`Runner`]; it prints nothing.

use std::path::{Path, PathBuf};

use crate::core::compose::cache::Key;
use crate::core::compose::{Compose, ComposeError, Version, is_podman_compose};
use crate::core::engine::DockerSettings;
use crate::core::invocation::Invocation;
use crate::core::selection::ComposeSettings;
use crate::edges::process::Runner;

/// Where Docker's CLI looks for plugins besides `$DOCKER_CONFIG/cli-plugins`.
const SYSTEM_PLUGIN_DIRS: [&str; 4] = [
    "/usr/local/lib/docker/cli-plugins",
    "/usr/local/libexec/docker/cli-plugins",
    "/usr/lib/docker/cli-plugins",
    "/usr/libexec/docker/cli-plugins",
];

/// What `probe` says of podman-compose, for [`detect`] to refuse it.
const PODMAN_COMPOSE: &str = "podman-compose";

/// Finds the compose command: `configured` (from `IRIS_DEV_COMPOSE`), else the
/// v2 plugin, else the standalone `docker-compose`.
pub fn detect(
    runner: &dyn Runner,
    configured: Option<&str>,
    dir: &Path,
) -> Result<Compose, ComposeError> {
    let probe = |command: Vec<String>| -> Result<Compose, String> {
        let mut argv = command.clone();
        argv.extend(["version".to_owned(), "--short".to_owned()]);
        let invocation = Invocation {
            argv,
            dir: dir.to_owned(),
            env: Vec::new(),
        };
        let output = runner.capture(&invocation).map_err(|err| err.to_string())?;
        if is_podman_compose(&command, &format!("{}{}", output.stdout, output.stderr)) {
            return Err(PODMAN_COMPOSE.to_owned());
        }
        if output.code != 0 {
            let said = if output.stderr.trim().is_empty() {
                &output.stdout
            } else {
                &output.stderr
            };
            return Err(said.trim().to_owned());
        }
        Ok(Compose {
            command,
            // `podman compose` names its provider first (on stderr; a
            // terminal shows both): the version is the last line.
            version: output
                .stdout
                .lines()
                .rev()
                .find(|line| !line.trim().is_empty())
                .and_then(Version::parse),
            docker_host: None,
        })
    };
    if let Some(configured) = configured {
        let command: Vec<String> = configured.split_whitespace().map(str::to_owned).collect();
        // Refused before it runs: Debian's podman-compose fails on `version --short`.
        if is_podman_compose(&command, "") {
            return Err(ComposeError::PodmanCompose {
                command: configured.to_owned(),
            });
        }
        return probe(command).map_err(|message| match message.as_str() {
            PODMAN_COMPOSE => ComposeError::PodmanCompose {
                command: configured.to_owned(),
            },
            _ => ComposeError::Configured {
                command: configured.to_owned(),
                message,
            },
        });
    }
    [
        vec!["docker".to_owned(), "compose".to_owned()],
        vec!["docker-compose".to_owned()],
    ]
    .into_iter()
    .find_map(|command| probe(command).ok())
    .ok_or(ComposeError::NotFound)
}

/// Everything that decides which compose [`detect`] finds.
pub fn cache_key(compose: &ComposeSettings, docker: &DockerSettings) -> String {
    let configured = compose.command.as_deref();
    let mut candidates: Vec<PathBuf> = ["docker", "docker-compose"]
        .into_iter()
        .chain(configured.and_then(|command| command.split_whitespace().next()))
        .filter_map(|name| which(name, &compose.path))
        .collect();
    let plugin_dirs = docker
        .config_dir
        .iter()
        .map(|config| config.join("cli-plugins"))
        .chain(SYSTEM_PLUGIN_DIRS.iter().map(PathBuf::from));
    candidates.extend(plugin_dirs.map(|dir| dir.join("docker-compose")));
    let mut key = Key::default()
        .part("PATH", compose.path.as_encoded_bytes())
        .part("IRIS_DEV_COMPOSE", configured.unwrap_or_default());
    for candidate in candidates {
        let stamp = fs_err::metadata(&candidate)
            .ok()
            .map(|metadata| format!("{:?} {}", metadata.modified().ok(), metadata.len()))
            .unwrap_or_default();
        key = key.part(&candidate.display().to_string(), stamp);
    }
    key.finish()
}

fn which(name: &str, path: &std::ffi::OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edges::process::fake::FakeRunner;

    #[test]
    fn prefers_the_plugin_then_standalone() {
        let plugin = FakeRunner::default().answer("compose", 0, "2.29.1\n");
        let compose = detect(&plugin, None, Path::new("/p")).unwrap();
        assert_eq!(compose.command, ["docker", "compose"]);
        assert!(compose.supports_override_tag());
        assert_eq!(
            plugin.calls.borrow()[0].argv,
            ["docker", "compose", "version", "--short"]
        );

        let v1 = FakeRunner::default()
            .answer("compose", 1, "docker: 'compose' is not a docker command.")
            .answer("docker-compose", 0, "1.29.2\n");
        let compose = detect(&v1, None, Path::new("/p")).unwrap();
        assert_eq!(compose.command, ["docker-compose"]);
        assert!(compose.version == Some(Version(1, 29, 2)) && !compose.supports_override_tag());
        assert_eq!(compose.display_name(), "docker-compose 1.29.2");

        assert!(matches!(
            detect(&FakeRunner::default(), None, Path::new("/p")),
            Err(ComposeError::NotFound)
        ));
    }

    #[test]
    fn podman_compose_is_refused_saying_why_and_podman_compose_with_compose_is_not() {
        let podman =
            FakeRunner::default().answer("podman-compose", 0, "podman-compose version 1.0.6\n");
        let error = detect(&podman, Some("/usr/bin/podman-compose"), Path::new("/p")).unwrap_err();
        assert!(
            matches!(&error, ComposeError::PodmanCompose { command } if command == "/usr/bin/podman-compose")
        );
        assert!(
            error
                .to_string()
                .contains("its `port` prints a bare port number"),
            "{error}"
        );
        // Debian's 1.0.3 fails on `version --short`: still podman-compose, not a broken command.
        let debian = FakeRunner::default().answer(
            "podman-compose",
            2,
            "podman-compose: error: unrecognized arguments: --short",
        );
        assert!(matches!(
            detect(&debian, Some("podman-compose"), Path::new("/p")),
            Err(ComposeError::PodmanCompose { .. })
        ));

        // `podman compose` runs whichever provider it finds, and names it.
        let provider = |name: &str| {
            FakeRunner::default().answer(
                "podman",
                0,
                &format!(">>>> Executing external compose provider \"/usr/bin/{name}\". Please refer to the documentation for details. <<<<\n\n2.40.3\n"),
            )
        };
        assert!(matches!(
            detect(
                &provider("podman-compose"),
                Some("podman compose"),
                Path::new("/p")
            ),
            Err(ComposeError::PodmanCompose { .. })
        ));
        let compose = detect(
            &provider("docker-compose"),
            Some("podman compose"),
            Path::new("/p"),
        )
        .unwrap();
        assert_eq!(compose.command, ["podman", "compose"]);
        assert!(compose.supports_override_tag());
    }

    #[test]
    fn configured_command_is_used_as_is() {
        let podman = FakeRunner::default().answer("my-compose", 0, "my-compose version 1.0.6\n");
        let compose = detect(&podman, Some("my-compose"), Path::new("/p")).unwrap();
        assert_eq!(compose.version, None);
        let broken = FakeRunner::default().answer("nope", 127, "command not found");
        let error = detect(&broken, Some("nope"), Path::new("/p")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`nope` from `IRIS_DEV_COMPOSE` does not run: command not found"
        );
    }
}
