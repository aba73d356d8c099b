//! Arguments, environment and defaults resolved into plain settings, in one place.
//!
//! This is the only module that reads environment variables: [`Settings::resolve`]
//! reads every one iris-dev knows (named in [`crate::core::env_vars`]) once, before any
//! command runs, and commands get plain structs. Pure: the environment comes in as
//! a lookup function, so every rule here is unit-tested without touching the
//! process's real environment.

use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{ColorChoice, GlobalArgs, UpArgs};
use crate::core::allocate::{DEFAULT_RANGE, DEFAULT_STACK_RANGE, MAX_PAIRED_PORT, PortRange};
use crate::core::engine::{DockerSettings, LOOPBACK};
use crate::core::env_vars;
use crate::core::port::Port;
use crate::core::selection::ComposeSettings;
use crate::core::stack::Isolate;

/// Looks up an environment variable.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("`{name}={value}` is invalid: {reason}")]
pub struct SettingsError {
    pub name: &'static str,
    pub value: String,
    pub reason: String,
}

impl SettingsError {
    pub fn hint(&self) -> String {
        format!("correct or unset `{}`", self.name)
    }
}

/// Everything the environment says, resolved once per run.
pub struct Settings<'a> {
    pub global: GlobalSettings,
    pub registry: RegistrySettings,
    /// Pins and range from the environment; `up`'s flags win over them.
    pub ports: PortSettings,
    /// `IRIS_DEV_BIND`; `up --bind` wins.
    pub bind: Option<IpAddr>,
    pub compose: ComposeSettings,
    pub docker: DockerSettings,
    /// The variables whose values did not parse, in the order read; each of
    /// them has its default instead. Only `doctor` runs with any.
    pub invalid: Vec<SettingsError>,
    /// The environment compose inherits, kept only to learn the values of the
    /// variables a compose file interpolates (see [`Settings::interpolated`]).
    env: Env<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GlobalSettings {
    /// Where the command runs (`-C`), else the current directory.
    pub directory: PathBuf,
    pub quiet: bool,
    pub verbose: bool,
    pub color: bool,
    /// The user turned colour off (`--color never`, or `NO_COLOR` without
    /// `--color always`): compose's own colours go too. Not set when colour is
    /// only off because standard error is no terminal; compose decides that
    /// for its own output.
    pub color_off: bool,
    /// `-f`, absolute.
    pub files: Vec<PathBuf>,
    /// `--profile`.
    pub profiles: Vec<String>,
    /// `--env-file`, absolute.
    pub env_file: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegistrySettings {
    pub dir: PathBuf,
    pub lock_timeout: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PortSettings {
    pub port: Option<Port>,
    pub web_port: Option<Port>,
    pub range: PortRange,
    /// Where `isolate: all` takes the stack's other host ports from.
    pub stack_range: PortRange,
    /// Where `port` and `web_port` came from, so hints name what was used.
    pub pinned_by: PinnedBy,
}

/// Where a pinned port came from: `up`'s flag or the environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinSource {
    Flag,
    Variable,
}

/// Where each pin came from (`None`: not pinned). A hint that says how to
/// unpin or re-pin names the flag or the variable the user actually used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PinnedBy {
    pub port: Option<PinSource>,
    pub web_port: Option<PinSource>,
}

impl PinnedBy {
    /// The pins in effect, each as the user spelled it: `--port`,
    /// `IRIS_DEV_WEB_PORT`, ...
    pub fn names(self) -> Vec<&'static str> {
        let name = |source, flag, variable| match source {
            PinSource::Flag => flag,
            PinSource::Variable => variable,
        };
        let mut names = Vec::new();
        if let Some(source) = self.port {
            names.push(name(source, "--port", env_vars::IRIS_DEV_PORT));
        }
        if let Some(source) = self.web_port {
            names.push(name(source, "--web-port", env_vars::IRIS_DEV_WEB_PORT));
        }
        names
    }

    /// How to drop every pin, such as "run `iris-dev up` without `--port`"
    /// or "unset `IRIS_DEV_PORT`"; `None` when nothing is pinned.
    pub fn how_to_unpin(self) -> Option<String> {
        let names = self.names();
        let (flags, variables): (Vec<&str>, Vec<&str>) =
            names.iter().partition(|name| name.starts_with("--"));
        let quoted = |names: &[&str]| {
            names
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        };
        let mut steps = Vec::new();
        if !variables.is_empty() {
            steps.push(format!("unset {}", quoted(&variables)));
        }
        if !flags.is_empty() {
            steps.push(format!("run `iris-dev up` without {}", quoted(&flags)));
        }
        (!steps.is_empty()).then(|| steps.join(", then "))
    }

    /// How to pin another port instead, such as "`--port <port>`".
    pub fn how_to_repin(self) -> Option<String> {
        let names = self.names();
        (!names.is_empty()).then(|| {
            names
                .iter()
                .map(|name| {
                    if name.starts_with("--") {
                        format!("`{name} <port>`")
                    } else {
                        format!("`{name}=<port>`")
                    }
                })
                .collect::<Vec<_>>()
                .join(" / ")
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UpSettings {
    pub ports: PortSettings,
    pub bind: IpAddr,
    pub service: Option<String>,
    /// `None` with `--no-wait`.
    pub wait: Option<Duration>,
    pub dry_run: bool,
    /// `--isolate`; `None` leaves it to the compose file's `x-iris-dev`.
    pub isolate: Option<Isolate>,
    pub compose_args: Vec<String>,
}

impl<'a> Settings<'a> {
    /// Reads every variable iris-dev knows; a value that does not parse is a usage
    /// error naming the variable, whatever the command.
    pub fn resolve(global: GlobalSettings, env: Env<'a>) -> Result<Self, SettingsError> {
        let settings = Self::resolve_all(global, env);
        match settings.invalid.first() {
            Some(error) => Err(error.clone()),
            None => Ok(settings),
        }
    }

    /// Reads every variable iris-dev knows, each that does not parse taking its
    /// default and recorded in [`Settings::invalid`]: `doctor` runs every check
    /// whatever the environment says, and names each bad variable (issue 18 §3).
    pub fn resolve_all(global: GlobalSettings, env: Env<'a>) -> Self {
        let mut invalid = Invalid::default();
        let bind = invalid
            .or(text(env, env_vars::IRIS_DEV_BIND), None)
            .and_then(|value| {
                invalid.or(
                    value.parse().map(Some).map_err(|_| {
                        self::invalid(
                            env_vars::IRIS_DEV_BIND,
                            &value,
                            "expected an IP address such as `127.0.0.1`",
                        )
                    }),
                    None,
                )
            });
        let home = home(env);
        let registry = RegistrySettings::resolve(env, home.as_ref(), &mut invalid);
        let ports = PortSettings::resolve(env, &mut invalid);
        let mut text = |name| invalid.or(text(env, name), None);
        let compose = ComposeSettings {
            command: text(env_vars::IRIS_DEV_COMPOSE),
            path: env(env_vars::PATH).unwrap_or_default(),
            project_name: text(env_vars::COMPOSE_PROJECT_NAME),
            file_args: global.files.clone(),
            profile_args: global.profiles.clone(),
            env_file: global.env_file.clone(),
            file_variable: text(env_vars::COMPOSE_FILE),
            path_separator: env(env_vars::COMPOSE_PATH_SEPARATOR)
                .and_then(|value| value.into_string().ok())
                .filter(|value| !value.is_empty()),
            profiles_variable: text(env_vars::COMPOSE_PROFILES),
        };
        let docker = DockerSettings {
            host: text(env_vars::DOCKER_HOST),
            context: text(env_vars::DOCKER_CONTEXT),
            config_dir: match env(env_vars::DOCKER_CONFIG).filter(|dir| !dir.is_empty()) {
                Some(dir) => Some(PathBuf::from(dir)),
                None => home.map(|home| home.join(".docker")),
            },
            tls_verify: text(env_vars::DOCKER_TLS_VERIFY).is_some(),
            cert_path: env(env_vars::DOCKER_CERT_PATH)
                .filter(|dir| !dir.is_empty())
                .map(PathBuf::from),
            xdg_runtime_dir: env(env_vars::XDG_RUNTIME_DIR)
                .filter(|dir| !dir.is_empty())
                .map(PathBuf::from),
        };
        Self {
            registry,
            ports,
            bind,
            compose,
            docker,
            global,
            invalid: invalid.0,
            env,
        }
    }

    /// The value compose will see for a variable its files interpolate (`${NAME}`),
    /// so that a cached `compose config` is thrown away when one changes.
    pub fn interpolated(&self, name: &str) -> Option<OsString> {
        (self.env)(name)
    }
}

impl UpSettings {
    /// `up`'s flags over the environment's settings.
    pub fn resolve(args: UpArgs, settings: &Settings<'_>) -> Self {
        let UpArgs {
            port,
            web_port,
            bind,
            service,
            no_wait,
            wait_timeout,
            dry_run,
            isolate,
            compose_args,
        } = args;
        let env = settings.ports.pinned_by;
        Self {
            ports: PortSettings {
                port: port.or(settings.ports.port),
                web_port: web_port.or(settings.ports.web_port),
                pinned_by: PinnedBy {
                    port: port.map(|_| PinSource::Flag).or(env.port),
                    web_port: web_port.map(|_| PinSource::Flag).or(env.web_port),
                },
                ..settings.ports.clone()
            },
            bind: bind.or(settings.bind).unwrap_or(LOOPBACK),
            service,
            wait: (!no_wait).then(|| Duration::from_secs(wait_timeout)),
            dry_run,
            isolate,
            compose_args,
        }
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
            file,
            profile,
            env_file,
        } = args;
        let no_color = env(env_vars::NO_COLOR).is_some_and(|value| !value.is_empty());
        let color_off = match color {
            ColorChoice::Always => false,
            ColorChoice::Never => true,
            ColorChoice::Auto => no_color,
        };
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stderr_is_terminal && !no_color,
        };
        let directory = directory.map_or_else(|| cwd.clone(), |dir| cwd.join(dir));
        Self {
            files: file.iter().map(|file| directory.join(file)).collect(),
            env_file: env_file.map(|file| directory.join(file)),
            profiles: profile,
            directory,
            quiet,
            verbose,
            color,
            color_off,
        }
    }
}

impl RegistrySettings {
    fn resolve(env: Env<'_>, home: Option<&PathBuf>, invalid: &mut Invalid) -> Self {
        let dir = match env(env_vars::IRIS_DEV_HOME).filter(|value| !value.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => {
                let home = home.cloned().ok_or_else(|| SettingsError {
                    name: env_vars::HOME,
                    value: String::new(),
                    reason: format!(
                        "no home directory is set; set `{}` to the registry directory",
                        env_vars::IRIS_DEV_HOME
                    ),
                });
                invalid.or(home, PathBuf::new()).join(".iris-devtester")
            }
        };
        let lock_timeout = invalid
            .or(text(env, env_vars::IRIS_DEV_LOCK_TIMEOUT), None)
            .map(|value| {
                value
                    .parse::<f64>()
                    .ok()
                    .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
                    .ok_or_else(|| {
                        self::invalid(
                            env_vars::IRIS_DEV_LOCK_TIMEOUT,
                            &value,
                            "expected a number of seconds such as `30`",
                        )
                    })
            })
            .map_or(DEFAULT_LOCK_TIMEOUT, |timeout| {
                invalid.or(timeout, DEFAULT_LOCK_TIMEOUT)
            });
        Self { dir, lock_timeout }
    }
}

impl PortSettings {
    fn resolve(env: Env<'_>, invalid: &mut Invalid) -> Self {
        let range = match invalid.or(text(env, env_vars::IRIS_DEV_PORT_RANGE), None) {
            None => DEFAULT_RANGE,
            Some(value) => invalid.or(
                PortRange::parse(&value).map_err(|reason| {
                    self::invalid(env_vars::IRIS_DEV_PORT_RANGE, &value, &reason)
                }),
                DEFAULT_RANGE,
            ),
        };
        let web_port = invalid.or(port_variable(env, env_vars::IRIS_DEV_WEB_PORT), None);
        let range = if web_port.is_none() && !range.is_paired() {
            invalid.push(self::invalid(
                env_vars::IRIS_DEV_PORT_RANGE,
                &range.to_string(),
                &format!(
                    "the paired web port, 52773 + (port - 1972), is past 65535 above port {MAX_PAIRED_PORT}; \
                     use a range that ends at {MAX_PAIRED_PORT} or lower, such as `{}-{}`, or pin the web port with `{}`",
                    range.start.min(MAX_PAIRED_PORT - 9),
                    range.start.min(MAX_PAIRED_PORT - 9) + 9,
                    env_vars::IRIS_DEV_WEB_PORT
                ),
            ));
            DEFAULT_RANGE
        } else {
            range
        };
        let stack_range = match invalid.or(text(env, env_vars::IRIS_DEV_STACK_PORT_RANGE), None) {
            None => DEFAULT_STACK_RANGE,
            Some(value) => invalid.or(
                PortRange::parse(&value).map_err(|reason| {
                    self::invalid(env_vars::IRIS_DEV_STACK_PORT_RANGE, &value, &reason)
                }),
                DEFAULT_STACK_RANGE,
            ),
        };
        let stack_range = match stack_range.overlap_with_iris(range) {
            Some(reason) => {
                invalid.push(self::invalid(
                    env_vars::IRIS_DEV_STACK_PORT_RANGE,
                    &stack_range.to_string(),
                    &reason,
                ));
                DEFAULT_STACK_RANGE
            }
            None => stack_range,
        };
        let port = invalid.or(port_variable(env, env_vars::IRIS_DEV_PORT), None);
        Self {
            pinned_by: PinnedBy {
                port: port.map(|_| PinSource::Variable),
                web_port: web_port.map(|_| PinSource::Variable),
            },
            port,
            web_port,
            range,
            stack_range,
        }
    }
}

/// How long a registry lock is waited for unless `IRIS_DEV_LOCK_TIMEOUT` says.
const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// The variables that did not parse, collected while the rest resolve.
#[derive(Default)]
struct Invalid(Vec<SettingsError>);

impl Invalid {
    /// `result`'s value, or `default` with the error recorded.
    fn or<T>(&mut self, result: Result<T, SettingsError>, default: T) -> T {
        result.unwrap_or_else(|error| {
            self.push(error);
            default
        })
    }

    fn push(&mut self, error: SettingsError) {
        self.0.push(error);
    }
}

fn home(env: Env<'_>) -> Option<PathBuf> {
    [env_vars::HOME, env_vars::USERPROFILE]
        .into_iter()
        .find_map(|name| env(name).filter(|value| !value.is_empty()))
        .map(PathBuf::from)
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

fn port_variable(env: Env<'_>, name: &'static str) -> Result<Option<Port>, SettingsError> {
    text(env, name)?
        .map(|value| {
            value
                .parse::<Port>()
                .map_err(|_| invalid(name, &value, "expected a port from 1 to 65535"))
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
    use crate::core::selection::{NameOrigin, Selection};
    use std::net::Ipv4Addr;
    use std::path::Path;

    fn global() -> GlobalSettings {
        GlobalSettings {
            directory: PathBuf::from("/work"),
            quiet: false,
            verbose: false,
            color: false,
            color_off: false,
            files: Vec::new(),
            profiles: Vec::new(),
            env_file: None,
        }
    }

    #[test]
    fn hints_name_the_pins_as_they_were_given() {
        let by = |port, web_port| PinnedBy { port, web_port };
        let (flag, variable) = (Some(PinSource::Flag), Some(PinSource::Variable));
        assert_eq!(by(None, None).how_to_unpin(), None);
        assert_eq!(
            by(flag, None).how_to_unpin().as_deref(),
            Some("run `iris-dev up` without `--port`")
        );
        assert_eq!(
            by(variable, variable).how_to_unpin().as_deref(),
            Some("unset `IRIS_DEV_PORT` and `IRIS_DEV_WEB_PORT`")
        );
        assert_eq!(
            by(variable, flag).how_to_unpin().as_deref(),
            Some("unset `IRIS_DEV_PORT`, then run `iris-dev up` without `--web-port`")
        );
        assert_eq!(
            by(flag, variable).how_to_repin().as_deref(),
            Some("`--port <port>` / `IRIS_DEV_WEB_PORT=<port>`")
        );
    }

    #[test]
    fn files_profiles_and_name_as_compose_chooses_them() {
        let dotenv = crate::core::dotenv::parse(
            "COMPOSE_FILE=dev.yaml;base.yaml\nCOMPOSE_PATH_SEPARATOR=;\nCOMPOSE_PROFILES=a, b\nCOMPOSE_PROJECT_NAME=from-dotenv\n",
        );
        let (dir, work) = (Path::new("/p"), Path::new("/work"));
        let env = env_of(&[("HOME", "/h")]);
        let plain = resolve(&env).unwrap().compose;
        let selection = plain.selection(&dotenv, dir, work);
        assert_eq!(
            selection.files,
            [PathBuf::from("/p/dev.yaml"), PathBuf::from("/p/base.yaml")]
        );
        assert!(selection.explicit_files);
        assert_eq!(selection.profiles, ["a", "b"]);
        assert_eq!(
            selection.project_name,
            Some((
                "from-dotenv".to_owned(),
                NameOrigin::DotEnv(PathBuf::from("/p/.env"))
            ))
        );
        assert_eq!(plain.selection(&[], dir, work), Selection::default());

        let env = env_of(&[
            ("HOME", "/h"),
            ("COMPOSE_FILE", "x.yaml:/abs/y.yaml"),
            ("COMPOSE_PROFILES", "c"),
            ("COMPOSE_PROJECT_NAME", "from-env"),
        ]);
        let from_env = resolve(&env).unwrap().compose;
        let selection = from_env.selection(&dotenv, dir, work);
        assert_eq!(
            selection.files,
            [PathBuf::from("/work/x.yaml:/abs/y.yaml")],
            "the separator from `.env` applies to the environment's list too"
        );
        let selection = from_env.selection(&[], dir, work);
        assert_eq!(
            selection.files,
            [PathBuf::from("/work/x.yaml"), PathBuf::from("/abs/y.yaml")]
        );
        assert_eq!(selection.profiles, ["c"]);
        assert_eq!(
            selection.project_name,
            Some(("from-env".to_owned(), NameOrigin::Environment))
        );

        let flags = ComposeSettings {
            file_args: vec![PathBuf::from("/work/flag.yaml")],
            profile_args: vec!["d".into()],
            ..from_env
        };
        let selection = flags.selection(&dotenv, dir, work);
        assert_eq!(selection.files, [PathBuf::from("/work/flag.yaml")]);
        assert_eq!(selection.profiles, ["d"]);
    }

    fn resolve(env: &dyn Fn(&str) -> Option<OsString>) -> Result<Settings<'_>, SettingsError> {
        Settings::resolve(global(), env)
    }

    #[test]
    fn registry_defaults_to_the_python_directory() {
        let env = env_of(&[("HOME", "/home/dev")]);
        let settings = resolve(&env).unwrap().registry;
        assert_eq!(settings.dir, PathBuf::from("/home/dev/.iris-devtester"));
        assert_eq!(settings.lock_timeout, Duration::from_secs(30));

        let env = env_of(&[
            ("HOME", "/home/dev"),
            ("IRIS_DEV_HOME", "/tmp/r"),
            ("IRIS_DEV_LOCK_TIMEOUT", "0.5"),
        ]);
        let settings = resolve(&env).unwrap().registry;
        assert_eq!(settings.dir, PathBuf::from("/tmp/r"));
        assert_eq!(settings.lock_timeout, Duration::from_millis(500));
    }

    #[test]
    fn every_bad_variable_is_recorded_and_takes_its_default() {
        let env = env_of(&[
            ("HOME", "/h"),
            ("IRIS_DEV_PORT_RANGE", "abc"),
            ("IRIS_DEV_BIND", "nowhere"),
            ("IRIS_DEV_PORT", "1975"),
        ]);
        let settings = Settings::resolve_all(global(), &env);
        let names: Vec<&str> = settings.invalid.iter().map(|error| error.name).collect();
        assert_eq!(names, ["IRIS_DEV_BIND", "IRIS_DEV_PORT_RANGE"]);
        assert_eq!(settings.ports.range, DEFAULT_RANGE);
        assert_eq!(settings.bind, None);
        assert_eq!(
            settings.ports.port.map(Port::get),
            Some(1975),
            "the good ones stay"
        );
        assert_eq!(
            Settings::resolve(global(), &env)
                .err()
                .map(|error| error.name),
            Some("IRIS_DEV_BIND"),
            "the strict resolution stops at the first"
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        let error = |pairs: &'static [(&'static str, &'static str)]| {
            let env = env_of(pairs);
            resolve(&env).err().expect("an error")
        };
        assert_eq!(
            error(&[("HOME", "/h"), ("IRIS_DEV_PORT", "70000")]).to_string(),
            "`IRIS_DEV_PORT=70000` is invalid: expected a port from 1 to 65535"
        );
        assert_eq!(
            error(&[("HOME", "/h"), ("IRIS_DEV_PORT_RANGE", "2000-1999")]).to_string(),
            "`IRIS_DEV_PORT_RANGE=2000-1999` is invalid: `2000-1999` starts after it ends"
        );
        assert_eq!(
            error(&[("HOME", "/h"), ("IRIS_DEV_PORT_RANGE", "0-10")]).to_string(),
            "`IRIS_DEV_PORT_RANGE=0-10` is invalid: `0` in `0-10` is not a port from 1 to 65535"
        );
        for timeout in ["soon", "-1", "1e30", "NaN"] {
            let pairs: &'static [(&'static str, &'static str)] = Box::leak(Box::new([
                ("HOME", "/h"),
                ("IRIS_DEV_LOCK_TIMEOUT", timeout),
            ]));
            assert_eq!(error(pairs).name, "IRIS_DEV_LOCK_TIMEOUT", "{timeout}");
        }
        assert_eq!(
            error(&[("HOME", "/h"), ("IRIS_DEV_BIND", "everywhere")]).name,
            "IRIS_DEV_BIND"
        );
        assert_eq!(error(&[]).name, "HOME");
    }

    #[test]
    fn ranges_past_the_paired_web_ports_are_refused_unless_the_web_port_is_pinned() {
        let ports = |pairs: &'static [(&'static str, &'static str)]| {
            let env = env_of(pairs);
            resolve(&env).map(|settings| settings.ports)
        };
        let top = ports(&[("HOME", "/h"), ("IRIS_DEV_PORT_RANGE", "14725-14734")]).unwrap();
        assert_eq!(
            top.range,
            PortRange {
                start: 14_725,
                end: 14_734
            }
        );
        let bottom = ports(&[("HOME", "/h"), ("IRIS_DEV_PORT_RANGE", "1-10")]).unwrap();
        assert_eq!(bottom.range, PortRange { start: 1, end: 10 });

        let error = ports(&[("HOME", "/h"), ("IRIS_DEV_PORT_RANGE", "14725-14735")]).unwrap_err();
        assert_eq!(error.name, "IRIS_DEV_PORT_RANGE");
        assert_eq!(
            error.to_string(),
            "`IRIS_DEV_PORT_RANGE=14725-14735` is invalid: the paired web port, 52773 + (port - 1972), \
             is past 65535 above port 14734; use a range that ends at 14734 or lower, such as \
             `14725-14734`, or pin the web port with `IRIS_DEV_WEB_PORT`"
        );
        let error = ports(&[("HOME", "/h"), ("IRIS_DEV_PORT_RANGE", "30000-30010")]).unwrap_err();
        assert!(error.reason.contains("such as `14725-14734`"), "{error}");

        let pinned = ports(&[
            ("HOME", "/h"),
            ("IRIS_DEV_PORT_RANGE", "30000-30010"),
            ("IRIS_DEV_WEB_PORT", "30100"),
        ])
        .unwrap();
        assert_eq!(pinned.range.end, 30_010);
    }

    #[test]
    fn flags_win_over_the_environment() {
        let env = env_of(&[
            ("HOME", "/h"),
            ("IRIS_DEV_PORT", "2000"),
            ("IRIS_DEV_WEB_PORT", "3000"),
            ("IRIS_DEV_PORT_RANGE", "12000-12099"),
            ("IRIS_DEV_BIND", "0.0.0.0"),
        ]);
        let settings = resolve(&env).unwrap();
        let flags = UpArgs {
            port: Port::new(2100),
            ..up_args()
        };
        let up = UpSettings::resolve(flags, &settings);
        assert_eq!(up.ports.port, Port::new(2100));
        assert_eq!(up.ports.web_port, Port::new(3000));
        assert_eq!(
            up.ports.range,
            PortRange {
                start: 12_000,
                end: 12_099
            }
        );
        assert!(up.bind.is_unspecified());
        let overlapping = env_of(&[("HOME", "/h"), ("IRIS_DEV_STACK_PORT_RANGE", "1970-1975")]);
        assert_eq!(
            resolve(&overlapping).err().unwrap().to_string(),
            "`IRIS_DEV_STACK_PORT_RANGE=1970-1975` is invalid: it overlaps the IRIS range 1972-2000; pick one apart from it"
        );
        let web = env_of(&[("HOME", "/h"), ("IRIS_DEV_STACK_PORT_RANGE", "52780-52800")]);
        assert!(
            resolve(&web)
                .err()
                .unwrap()
                .to_string()
                .contains("paired web ports 52773-52801")
        );
        let empty = env_of(&[("HOME", "/h"), ("IRIS_DEV_PORT", " ")]);
        assert_eq!(resolve(&empty).unwrap().ports.port, None);
    }

    fn up_args() -> UpArgs {
        UpArgs {
            port: None,
            web_port: None,
            bind: None,
            service: None,
            no_wait: false,
            wait_timeout: 300,
            dry_run: false,
            isolate: None,
            compose_args: vec![],
        }
    }

    #[test]
    fn up_binds_to_loopback_unless_told() {
        let env = env_of(&[("HOME", "/h")]);
        let settings = resolve(&env).unwrap();
        let up = UpSettings::resolve(up_args(), &settings);
        assert_eq!(up.bind, IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(up.wait, Some(Duration::from_secs(300)));
        let env = env_of(&[("HOME", "/h"), ("IRIS_DEV_BIND", "0.0.0.0")]);
        let settings = resolve(&env).unwrap();
        assert!(
            UpSettings::resolve(up_args(), &settings)
                .bind
                .is_unspecified()
        );
        let flag = UpArgs {
            bind: Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))),
            no_wait: true,
            ..up_args()
        };
        let up = UpSettings::resolve(flag, &settings);
        assert_eq!(up.bind.to_string(), "127.0.0.2");
        assert_eq!(up.wait, None);
    }

    #[test]
    fn docker_and_compose_settings_come_from_their_variables() {
        let env = env_of(&[("HOME", "/home/dev"), ("PATH", "/bin")]);
        let settings = resolve(&env).unwrap();
        assert_eq!(
            settings.docker.config_dir,
            Some(PathBuf::from("/home/dev/.docker"))
        );
        assert_eq!(settings.docker.host, None);
        assert_eq!(settings.compose.path, OsString::from("/bin"));
        let env = env_of(&[
            ("HOME", "/home/dev"),
            ("DOCKER_CONFIG", "/cfg"),
            ("DOCKER_HOST", "tcp://127.0.0.1:2375"),
            ("DOCKER_CONTEXT", "far"),
            ("COMPOSE_PROJECT_NAME", " ci-7 "),
            ("IRIS_DEV_COMPOSE", "podman-compose"),
        ]);
        let settings = resolve(&env).unwrap();
        assert_eq!(settings.docker.config_dir, Some(PathBuf::from("/cfg")));
        assert_eq!(
            settings.docker.host.as_deref(),
            Some("tcp://127.0.0.1:2375")
        );
        assert_eq!(settings.docker.context.as_deref(), Some("far"));
        assert_eq!(settings.compose.project_name.as_deref(), Some("ci-7"));
        assert_eq!(settings.compose.command.as_deref(), Some("podman-compose"));
        assert_eq!(settings.interpolated("DOCKER_CONTEXT"), Some("far".into()));
    }

    #[test]
    fn color_follows_flag_then_no_color_then_terminal() {
        let args = |color| GlobalArgs {
            directory: Some(PathBuf::from("sub")),
            quiet: false,
            verbose: false,
            color,
            file: Vec::new(),
            profile: Vec::new(),
            env_file: None,
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
        assert!(
            GlobalSettings::resolve(args(ColorChoice::Auto), cwd.clone(), &no_color, true)
                .color_off
        );
        assert!(
            !GlobalSettings::resolve(args(ColorChoice::Auto), cwd.clone(), &plain, false).color_off,
            "no terminal is compose's to judge"
        );
        assert!(
            !GlobalSettings::resolve(args(ColorChoice::Always), cwd.clone(), &no_color, false)
                .color_off
        );
        let settings = GlobalSettings::resolve(args(ColorChoice::Never), cwd, &plain, true);
        assert!(!settings.color);
        assert!(settings.color_off);
        assert_eq!(settings.directory, PathBuf::from("/work/sub"));
    }
}
