//! Running `docker compose`: which command, which version, and the invocations.
//!
//! [`Runner`] is the one edge that starts compose processes (through duct); the
//! rest of this module and its children is pure, so the v2 paths this machine
//! cannot run are unit-tested with a fake runner.

use std::fmt;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

pub mod config;
pub mod override_file;

use crate::connection::shell_quote;

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
}

impl Compose {
    pub fn supports_override_tag(&self) -> bool {
        self.version
            .is_some_and(|version| version >= OVERRIDE_TAG_SINCE)
    }

    pub fn display_name(&self) -> String {
        match self.version {
            Some(version) => format!("{} {version}", self.command.join(" ")),
            None => self.command.join(" "),
        }
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
            env: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("no compose command found: neither `docker compose` nor `docker-compose` runs")]
    NotFound,
    #[error("`{command}` from `IRIS_DEV_COMPOSE` does not run: {message}")]
    Configured { command: String, message: String },
}

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
            version: Version::parse(&output.stdout),
        })
    };
    if let Some(configured) = configured {
        let command: Vec<String> = configured.split_whitespace().map(str::to_owned).collect();
        return probe(command).map_err(|message| ComposeError::Configured {
            command: configured.to_owned(),
            message,
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

/// One compose process to start.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    pub argv: Vec<String>,
    pub dir: PathBuf,
    /// Set on top of the inherited environment.
    pub env: Vec<(String, String)>,
}

impl fmt::Display for Invocation {
    /// The command line as a POSIX shell would take it, variables first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = self
            .env
            .iter()
            .map(|(name, value)| format!("{name}={}", shell_quote(value)))
            .chain(self.argv.iter().map(|word| shell_quote(word)));
        f.write_str(&words.collect::<Vec<_>>().join(" "))
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Captured {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Starts compose processes.
pub trait Runner {
    /// Runs to completion with output captured.
    fn capture(&self, invocation: &Invocation) -> io::Result<Captured>;
    /// Runs with stdout and stderr merged and handed over line by line as they
    /// come; returns the exit code.
    fn stream(&self, invocation: &Invocation, on_line: &mut dyn FnMut(&str)) -> io::Result<i32>;
}

/// The real runner.
pub struct DuctRunner;

impl DuctRunner {
    fn expression(invocation: &Invocation) -> io::Result<duct::Expression> {
        let (program, args) = invocation
            .argv
            .split_first()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty compose command"))?;
        let mut expression = duct::cmd(program, args).dir(&invocation.dir).unchecked();
        for (name, value) in &invocation.env {
            expression = expression.env(name, value);
        }
        Ok(expression)
    }

    fn name_error(invocation: &Invocation, err: io::Error) -> io::Error {
        io::Error::new(
            err.kind(),
            format!("failed to run `{}`: {err}", invocation.argv.join(" ")),
        )
    }
}

impl Runner for DuctRunner {
    fn capture(&self, invocation: &Invocation) -> io::Result<Captured> {
        let output = Self::expression(invocation)?
            .stdin_null()
            .stdout_capture()
            .stderr_capture()
            .run()
            .map_err(|err| Self::name_error(invocation, err))?;
        Ok(Captured {
            code: output.status.code().unwrap_or(1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }

    fn stream(&self, invocation: &Invocation, on_line: &mut dyn FnMut(&str)) -> io::Result<i32> {
        let reader = Self::expression(invocation)?
            .stdin_null()
            .stderr_to_stdout()
            .reader()
            .map_err(|err| Self::name_error(invocation, err))?;
        let mut lines = BufReader::new(&reader);
        let mut line = Vec::new();
        loop {
            line.clear();
            if lines.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            on_line(String::from_utf8_lossy(&line).trim_end_matches(['\n', '\r']));
        }
        let output = reader
            .try_wait()?
            .ok_or_else(|| io::Error::other("compose closed its output but is still running"))?;
        Ok(output.status.code().unwrap_or(1))
    }
}

/// Whether compose's output says a host port was taken under it.
pub fn is_port_conflict(line: &str) -> bool {
    line.contains("port is already allocated") || line.contains("address already in use")
}

#[cfg(test)]
pub mod fake {
    //! A compose that records what it was asked and answers from a script.

    use std::cell::RefCell;

    use super::*;

    #[derive(Default)]
    pub struct FakeRunner {
        /// `(argv contains this word, answer)`, first match wins.
        pub answers: Vec<(&'static str, Captured)>,
        pub calls: RefCell<Vec<Invocation>>,
    }

    impl FakeRunner {
        pub fn answer(mut self, word: &'static str, code: i32, stdout: &str) -> Self {
            self.answers.push((
                word,
                Captured {
                    code,
                    stdout: stdout.to_owned(),
                    stderr: String::new(),
                },
            ));
            self
        }

        fn find(&self, invocation: &Invocation) -> io::Result<Captured> {
            self.calls.borrow_mut().push(invocation.clone());
            self.answers
                .iter()
                .find(|(word, _)| invocation.argv.iter().any(|arg| arg == word))
                .map(|(_, answer)| answer.clone())
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not found"))
        }
    }

    impl Runner for FakeRunner {
        fn capture(&self, invocation: &Invocation) -> io::Result<Captured> {
            self.find(invocation)
        }

        fn stream(
            &self,
            invocation: &Invocation,
            on_line: &mut dyn FnMut(&str),
        ) -> io::Result<i32> {
            let answer = self.find(invocation)?;
            answer.stdout.lines().for_each(on_line);
            Ok(answer.code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::FakeRunner;
    use super::*;

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
    fn configured_command_is_used_as_is() {
        let podman =
            FakeRunner::default().answer("podman-compose", 0, "podman-compose version 1.0.6\n");
        let compose = detect(&podman, Some("podman-compose"), Path::new("/p")).unwrap();
        assert_eq!(compose.version, None);
        let broken = FakeRunner::default().answer("nope", 127, "command not found");
        let error = detect(&broken, Some("nope"), Path::new("/p")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`nope` from `IRIS_DEV_COMPOSE` does not run: command not found"
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
        };
        assert!(!at(Version(2, 24, 3)).supports_override_tag());
        assert!(at(Version(2, 24, 4)).supports_override_tag());
    }

    #[test]
    fn invocation_displays_as_a_shell_line() {
        let compose = Compose {
            command: vec!["docker".into(), "compose".into()],
            version: None,
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
    fn port_conflicts_in_compose_output() {
        assert!(is_port_conflict(
            "Error response from daemon: driver failed programming external connectivity on endpoint x: Bind for 127.0.0.1:12000 failed: port is already allocated"
        ));
        assert!(is_port_conflict(
            "Error starting userland proxy: listen tcp4 127.0.0.1:12000: bind: address already in use"
        ));
        assert!(!is_port_conflict("Creating shop_iris_1 ... done"));
    }
}
