//! The three composes the engine tests run on ([`Compose`]), the
//! [`compose_matrix!`] that makes one test per compose, and the project
//! directories those tests give compose.
//!
//! Debian's `docker-compose` 1.29, compose v2 before `!override` and v2 with it
//! run as `<test>::v1`, `<test>::v2_legacy` and `<test>::v2`. A compose this
//! machine lacks makes its tests ignored, with the reason; `.ci/run` installs all
//! three and `IRIS_DEV_DOCKER_TESTS=1` makes them mandatory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use fs_err as fs;
use iris_dev::core::project::compose_project_name;

use super::TestEnv;
use super::ports::{Block, compose_block};

/// The compose a matrix test runs on; [`compose_matrix!`] makes one test per value.
/// A per-compose entry of [`ports`](super::ports) lists its blocks in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compose {
    /// `docker-compose` 1.x on PATH, with no `docker compose` plugin to find.
    V1,
    /// `docker compose` before 2.24.4, which cannot read `!override`: the plugin
    /// in the DOCKER_CONFIG named by `IRIS_DEV_TEST_COMPOSE_V2_LEGACY`.
    V2Legacy,
    /// `docker compose` 2.24.4 or newer: the plugin in `IRIS_DEV_TEST_COMPOSE_V2`.
    V2,
}

impl Compose {
    /// A [`TestEnv`] on this machine's engine whose iris-dev finds this
    /// compose and assigns ports from this compose's block `name` (the matrix
    /// runs in parallel).
    #[track_caller]
    pub(crate) fn env(self, name: &str) -> TestEnv {
        self.env_on(self.block(name))
    }

    /// A [`TestEnv`] on this machine's engine ([`TestEnv::engine`]) whose
    /// iris-dev finds this compose and assigns `ports`.
    pub(crate) fn env_on(self, ports: Block) -> TestEnv {
        let env = TestEnv::on(ports).with_engine();
        let config = self.docker_config(&env);
        env.with("DOCKER_CONFIG", &config)
    }

    /// This compose's block `name` of [`ports`](super::ports).
    #[track_caller]
    pub(crate) fn block(self, name: &str) -> Block {
        compose_block(name, self)
    }

    /// The DOCKER_CONFIG in which `docker compose` is this compose, or is missing.
    /// Panics unless this compose is the one it says it is (see [`Compose::check`]).
    #[track_caller]
    pub(crate) fn docker_config(self, env: &TestEnv) -> String {
        let config = match self {
            // An empty DOCKER_CONFIG of the test's own, so `docker compose` is not
            // found and iris-dev falls back to `docker-compose`.
            Self::V1 => env.project("docker-config").display().to_string(),
            Self::V2Legacy => plugin_config(
                "IRIS_DEV_TEST_COMPOSE_V2_LEGACY",
                option_env!("IRIS_DEV_TEST_COMPOSE_V2_LEGACY"),
            ),
            Self::V2 => plugin_config(
                "IRIS_DEV_TEST_COMPOSE_V2",
                option_env!("IRIS_DEV_TEST_COMPOSE_V2"),
            ),
        };
        self.check(&config);
        config
    }

    /// Panics unless `DOCKER_CONFIG=config` runs this compose: v1 is
    /// `docker-compose` 1.x, v2 before `!override` a `docker compose` plugin
    /// before 2.24.4, v2 one of 2.24.4 or newer. A plugin missing from its
    /// DOCKER_CONFIG would otherwise leave iris-dev on `docker-compose`, and a
    /// v2 test passing on v1. Checked once per compose and test run.
    #[track_caller]
    fn check(self, config: &str) {
        static CHECKED: [OnceLock<Result<(), String>>; 3] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let checked = CHECKED[self as usize].get_or_init(|| {
            let mut command = match self {
                Self::V1 => Command::new("docker-compose"),
                Self::V2Legacy | Self::V2 => {
                    let mut command = Command::new("docker");
                    command.arg("compose");
                    command
                }
            };
            let program = match self {
                Self::V1 => "docker-compose",
                Self::V2Legacy | Self::V2 => "docker compose",
            };
            let shown = format!("DOCKER_CONFIG={config} {program} version --short");
            let output = command
                .args(["version", "--short"])
                .env("DOCKER_CONFIG", config)
                .output()
                .map_err(|err| format!("`{shown}` does not run: {err}"))?;
            let version = String::from_utf8_lossy(&output.stdout)
                .trim()
                .trim_start_matches('v')
                .to_owned();
            let parts: Vec<u32> = version
                .split(['.', '-'])
                .take(3)
                .map_while(|part| part.parse().ok())
                .collect();
            let fits = output.status.success()
                && match (self, parts.as_slice()) {
                    (Self::V1, [1, ..]) => true,
                    (Self::V2Legacy, [2, minor, patch]) => (*minor, *patch) < (24, 4),
                    (Self::V2, [2, minor, patch]) => (*minor, *patch) >= (24, 4),
                    (Self::V2, [major, ..]) => *major > 2,
                    _ => false,
                };
            if fits {
                Ok(())
            } else {
                Err(format!(
                    "`{shown}` says {version:?} ({}; {}), which is not {self:?}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                ))
            }
        });
        if let Err(why) = checked {
            panic!(
                "{why}; build.rs let this test run (`.ci/run` shows how to install each compose, and IRIS_DEV_DOCKER_TESTS=1 makes every one mandatory)"
            );
        }
    }

    /// The compose command as iris-dev names it, up to the version.
    pub(crate) fn command(self) -> &'static str {
        match self {
            Self::V1 => "docker-compose 1.",
            Self::V2Legacy | Self::V2 => "docker compose 2.",
        }
    }

    /// Whether it reads `!override`, so the base file's IRIS ports can be replaced.
    pub(crate) fn override_tag(self) -> bool {
        self == Self::V2
    }

    /// The container compose creates for the first replica of `service`.
    pub(crate) fn container(self, project: &str, service: &str) -> String {
        match self {
            Self::V1 => format!("{project}_{service}_1"),
            Self::V2Legacy | Self::V2 => format!("{project}-{service}-1"),
        }
    }

    /// Plain compose, as the user types it in the project beside iris-dev:
    /// `docker-compose`, or `docker compose` from this compose's DOCKER_CONFIG,
    /// with the test's environment and nothing inherited.
    pub(crate) fn plain(self, env: &TestEnv) -> Command {
        let mut command = match self {
            Self::V1 => env.program("docker-compose"),
            Self::V2Legacy | Self::V2 => {
                let mut command = env.program("docker");
                command.arg("compose");
                command
            }
        };
        command.env("DOCKER_CONFIG", self.docker_config(env));
        command
    }

    /// The snapshot suffix of output that differs between composes.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Self::V1 => "v1",
            Self::V2Legacy => "v2_legacy",
            Self::V2 => "v2",
        }
    }
}

/// The DOCKER_CONFIG with the v2 plugin, as `name` said when the tests were built
/// (build.rs turned the same variable into the `cfg` that runs them).
fn plugin_config(name: &str, value: Option<&str>) -> String {
    value
        .unwrap_or_else(|| panic!("`{name}` was not set at build time; `.ci/run` shows how"))
        .to_owned()
}

/// For each `test(compose: Compose)`, a module of that name with one test per
/// compose (`test::v1`, `test::v2_legacy`, `test::v2`), ignored with the reason
/// where that compose is missing.
macro_rules! compose_matrix {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            use $crate::support::Compose;

            #[test]
            #[cfg_attr(not(has_compose_v1), ignore = "needs docker-compose 1.x and a Docker engine")]
            fn v1() {
                super::$test(Compose::V1);
            }

            #[test]
            #[cfg_attr(
                not(has_compose_v2_legacy),
                ignore = "needs compose v2 < 2.24.4 (IRIS_DEV_TEST_COMPOSE_V2_LEGACY, see .ci/run)"
            )]
            fn v2_legacy() {
                super::$test(Compose::V2Legacy);
            }

            #[test]
            #[cfg_attr(
                not(has_compose_v2),
                ignore = "needs compose v2 (IRIS_DEV_TEST_COMPOSE_V2, see .ci/run)"
            )]
            fn v2() {
                super::$test(Compose::V2);
            }
        }
    )*};
}

pub(crate) use compose_matrix;

/// A project directory with this compose file; returns it and its compose name.
pub(crate) fn compose_project(env: &TestEnv, name: &str, compose: &str) -> (PathBuf, String) {
    let dir = env.project(name);
    fs::write(dir.join("compose.yaml"), compose).unwrap();
    let compose_name = unique_name(&dir);
    (dir, compose_name)
}

/// Names the project's stack after its whole path in its `.env`, as a user
/// would: tests of the compose matrix run at once with the same directory names
/// on one engine, and each gets a TestEnv (a registry) of its own.
pub(crate) fn unique_name(dir: &std::path::Path) -> String {
    let name = compose_project_name(dir.to_str().unwrap());
    fs::write(dir.join(".env"), format!("COMPOSE_PROJECT_NAME={name}\n")).unwrap();
    name
}

pub(crate) fn port_of(env: &TestEnv, dir: &Path, web: bool) -> u16 {
    let mut args = vec!["port", "-C", dir.to_str().unwrap()];
    if web {
        args.push("--web");
    }
    env.run(args).success().port()
}
