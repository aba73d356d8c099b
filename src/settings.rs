//! Arguments, environment and defaults resolved into plain settings, in one place.
//!
//! Pure: the environment comes in as a lookup function, so every rule here is
//! unit-tested without touching the process's real environment.

use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use crate::allocate::{DEFAULT_RANGE, PortRange};
use crate::cli::{ColorChoice, GlobalArgs, UpArgs};
use crate::env_vars;

/// Looks up an environment variable.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("`{name}={value}` is invalid: {reason}")]
pub struct SettingsError {
    pub name: &'static str,
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GlobalSettings {
    /// Where the command runs (`-C`), else the current directory.
    pub directory: PathBuf,
    pub quiet: bool,
    pub verbose: bool,
    pub color: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegistrySettings {
    pub dir: PathBuf,
    pub lock_timeout: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PortSettings {
    pub port: Option<u16>,
    pub web_port: Option<u16>,
    pub range: PortRange,
}

/// How to run compose, for `up`, `down` and `status`.
#[derive(Debug, Clone, PartialEq)]
pub struct ComposeSettings {
    /// `IRIS_DEV_COMPOSE`, split on whitespace later.
    pub command: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UpSettings {
    pub ports: PortSettings,
    pub bind: IpAddr,
    pub service: Option<String>,
    /// `None` with `--no-wait`.
    pub wait: Option<Duration>,
    pub dry_run: bool,
    pub compose_args: Vec<String>,
}

impl ComposeSettings {
    pub fn resolve(env: Env<'_>) -> Result<Self, SettingsError> {
        Ok(Self {
            command: text(env, env_vars::IRIS_DEV_COMPOSE)?,
        })
    }
}

impl UpSettings {
    pub fn resolve(args: UpArgs, env: Env<'_>) -> Result<Self, SettingsError> {
        let UpArgs {
            port,
            web_port,
            bind,
            service,
            no_wait,
            wait_timeout,
            dry_run,
            compose_args,
        } = args;
        let bind = match bind {
            Some(bind) => bind,
            None => match text(env, env_vars::IRIS_DEV_BIND)? {
                None => IpAddr::V4(Ipv4Addr::LOCALHOST),
                Some(value) => value.parse().map_err(|_| {
                    invalid(
                        env_vars::IRIS_DEV_BIND,
                        &value,
                        "expected an IP address such as `127.0.0.1`",
                    )
                })?,
            },
        };
        Ok(Self {
            ports: PortSettings::resolve(port, web_port, env)?,
            bind,
            service,
            wait: (!no_wait).then(|| Duration::from_secs(wait_timeout)),
            dry_run,
            compose_args,
        })
    }
}

impl GlobalSettings {
    /// `stderr_is_terminal` decides `--color auto`.
    pub fn resolve(args: GlobalArgs, cwd: PathBuf, env: Env<'_>, stderr_is_terminal: bool) -> Self {
        let GlobalArgs {
            directory,
            quiet,
            verbose,
            color,
        } = args;
        let no_color = env(env_vars::NO_COLOR).is_some_and(|value| !value.is_empty());
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stderr_is_terminal && !no_color,
        };
        Self {
            directory: directory.map_or_else(|| cwd.clone(), |dir| cwd.join(dir)),
            quiet,
            verbose,
            color,
        }
    }
}

impl RegistrySettings {
    pub fn resolve(env: Env<'_>) -> Result<Self, SettingsError> {
        let dir = match env(env_vars::IRIS_DEV_HOME).filter(|value| !value.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => home(env)?.join(".iris-devtester"),
        };
        let lock_timeout = match text(env, env_vars::IRIS_DEV_LOCK_TIMEOUT)? {
            None => Duration::from_secs(30),
            Some(value) => value
                .parse::<f64>()
                .ok()
                .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
                .ok_or_else(|| {
                    invalid(
                        env_vars::IRIS_DEV_LOCK_TIMEOUT,
                        &value,
                        "expected a number of seconds such as `30`",
                    )
                })?,
        };
        Ok(Self { dir, lock_timeout })
    }
}

impl PortSettings {
    /// Flags win over the environment.
    pub fn resolve(
        port_flag: Option<u16>,
        web_port_flag: Option<u16>,
        env: Env<'_>,
    ) -> Result<Self, SettingsError> {
        let port = match port_flag {
            Some(port) => Some(port),
            None => port_variable(env, env_vars::IRIS_DEV_PORT)?,
        };
        let web_port = match web_port_flag {
            Some(port) => Some(port),
            None => port_variable(env, env_vars::IRIS_DEV_WEB_PORT)?,
        };
        let range = match text(env, env_vars::IRIS_DEV_PORT_RANGE)? {
            None => DEFAULT_RANGE,
            Some(value) => PortRange::parse(&value)
                .map_err(|reason| invalid(env_vars::IRIS_DEV_PORT_RANGE, &value, &reason))?,
        };
        Ok(Self {
            port,
            web_port,
            range,
        })
    }
}

fn home(env: Env<'_>) -> Result<PathBuf, SettingsError> {
    [env_vars::HOME, env_vars::USERPROFILE]
        .into_iter()
        .find_map(|name| env(name).filter(|value| !value.is_empty()))
        .map(PathBuf::from)
        .ok_or_else(|| SettingsError {
            name: env_vars::HOME,
            value: String::new(),
            reason: format!(
                "no home directory is set; set `{}` to the registry directory",
                env_vars::IRIS_DEV_HOME
            ),
        })
}

/// A variable's value, trimmed; unset and empty are the same.
fn text(env: Env<'_>, name: &'static str) -> Result<Option<String>, SettingsError> {
    match env(name) {
        None => Ok(None),
        Some(value) => {
            let value = value
                .into_string()
                .map_err(|raw| invalid(name, &raw.to_string_lossy(), "not valid UTF-8"))?;
            let value = value.trim();
            Ok((!value.is_empty()).then(|| value.to_owned()))
        }
    }
}

fn port_variable(env: Env<'_>, name: &'static str) -> Result<Option<u16>, SettingsError> {
    text(env, name)?
        .map(|value| {
            value
                .parse::<u16>()
                .ok()
                .filter(|&port| port != 0)
                .ok_or_else(|| invalid(name, &value, "expected a port from 1 to 65535"))
        })
        .transpose()
}

fn invalid(name: &'static str, value: &str, reason: &str) -> SettingsError {
    SettingsError {
        name,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

/// A fixed environment for unit tests.
#[cfg(test)]
pub fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
    move |name| {
        pairs
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| OsString::from(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_defaults_to_the_python_directory() {
        let env = env_of(&[("HOME", "/home/dev")]);
        let settings = RegistrySettings::resolve(&env).unwrap();
        assert_eq!(settings.dir, PathBuf::from("/home/dev/.iris-devtester"));
        assert_eq!(settings.lock_timeout, Duration::from_secs(30));

        let env = env_of(&[
            ("HOME", "/home/dev"),
            ("IRIS_DEV_HOME", "/tmp/r"),
            ("IRIS_DEV_LOCK_TIMEOUT", "0.5"),
        ]);
        let settings = RegistrySettings::resolve(&env).unwrap();
        assert_eq!(settings.dir, PathBuf::from("/tmp/r"));
        assert_eq!(settings.lock_timeout, Duration::from_millis(500));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let env = env_of(&[("IRIS_DEV_PORT", "70000")]);
        let error = PortSettings::resolve(None, None, &env).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`IRIS_DEV_PORT=70000` is invalid: expected a port from 1 to 65535"
        );
        let env = env_of(&[("IRIS_DEV_PORT_RANGE", "2000-1999")]);
        let error = PortSettings::resolve(None, None, &env).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`IRIS_DEV_PORT_RANGE=2000-1999` is invalid: `2000-1999` starts after it ends"
        );
        let bad_timeouts: [&'static [(&str, &str)]; 4] = [
            &[("HOME", "/h"), ("IRIS_DEV_LOCK_TIMEOUT", "soon")],
            &[("HOME", "/h"), ("IRIS_DEV_LOCK_TIMEOUT", "-1")],
            &[("HOME", "/h"), ("IRIS_DEV_LOCK_TIMEOUT", "1e30")],
            &[("HOME", "/h"), ("IRIS_DEV_LOCK_TIMEOUT", "NaN")],
        ];
        for pairs in bad_timeouts {
            let env = env_of(pairs);
            let error = RegistrySettings::resolve(&env).unwrap_err();
            assert_eq!(error.name, "IRIS_DEV_LOCK_TIMEOUT", "{pairs:?}");
        }
        let env = env_of(&[]);
        assert_eq!(RegistrySettings::resolve(&env).unwrap_err().name, "HOME");
    }

    #[test]
    fn flags_win_over_the_environment() {
        let env = env_of(&[
            ("IRIS_DEV_PORT", "2000"),
            ("IRIS_DEV_WEB_PORT", "3000"),
            ("IRIS_DEV_PORT_RANGE", "12000-12099"),
        ]);
        let settings = PortSettings::resolve(Some(2100), None, &env).unwrap();
        assert_eq!(settings.port, Some(2100));
        assert_eq!(settings.web_port, Some(3000));
        assert_eq!(
            settings.range,
            PortRange {
                start: 12_000,
                end: 12_099
            }
        );
        let empty = env_of(&[("IRIS_DEV_PORT", " ")]);
        assert_eq!(
            PortSettings::resolve(None, None, &empty).unwrap().port,
            None
        );
    }

    #[test]
    fn up_binds_to_loopback_unless_told() {
        let args = || UpArgs {
            port: None,
            web_port: None,
            bind: None,
            service: None,
            no_wait: false,
            wait_timeout: 300,
            dry_run: false,
            compose_args: vec![],
        };
        let env = env_of(&[]);
        let settings = UpSettings::resolve(args(), &env).unwrap();
        assert_eq!(settings.bind, IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(settings.wait, Some(Duration::from_secs(300)));
        let env = env_of(&[("IRIS_DEV_BIND", "0.0.0.0")]);
        assert!(
            UpSettings::resolve(args(), &env)
                .unwrap()
                .bind
                .is_unspecified()
        );
        let flag = UpArgs {
            bind: Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))),
            no_wait: true,
            ..args()
        };
        let settings = UpSettings::resolve(flag, &env).unwrap();
        assert_eq!(settings.bind.to_string(), "127.0.0.2");
        assert_eq!(settings.wait, None);
        let env = env_of(&[("IRIS_DEV_BIND", "everywhere")]);
        assert_eq!(
            UpSettings::resolve(args(), &env).unwrap_err().name,
            "IRIS_DEV_BIND"
        );
    }

    #[test]
    fn color_follows_flag_then_no_color_then_terminal() {
        let args = |color| GlobalArgs {
            directory: Some(PathBuf::from("sub")),
            quiet: false,
            verbose: false,
            color,
        };
        let no_color = env_of(&[("NO_COLOR", "1")]);
        let plain = env_of(&[]);
        let cwd = PathBuf::from("/work");
        assert!(
            !GlobalSettings::resolve(args(ColorChoice::Auto), cwd.clone(), &no_color, true).color
        );
        assert!(GlobalSettings::resolve(args(ColorChoice::Auto), cwd.clone(), &plain, true).color);
        assert!(
            !GlobalSettings::resolve(args(ColorChoice::Auto), cwd.clone(), &plain, false).color
        );
        assert!(
            GlobalSettings::resolve(args(ColorChoice::Always), cwd.clone(), &no_color, false).color
        );
        let settings = GlobalSettings::resolve(args(ColorChoice::Never), cwd, &plain, true);
        assert!(!settings.color);
        assert_eq!(settings.directory, PathBuf::from("/work/sub"));
    }
}
