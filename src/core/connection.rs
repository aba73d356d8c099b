//! How a client reaches a project's IRIS, written as environment variables.
//!
//! Pure rendering for `iris-dev env`; the names are the ones iris-devtester's
//! configuration discovery reads.

use crate::core::env_vars;
use crate::core::shell;
use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvFormat {
    /// `export NAME='value'` lines for `eval`
    Shell,
    /// `NAME := value` lines for a Makefile `include`
    Make,
    /// `NAME=value` lines for a `.env` file
    Dotenv,
    /// One JSON object
    Json,
}

/// The namespace a client gets when the IRIS service names none: IRIS's own
/// default.
pub const DEFAULT_NAMESPACE: &str = "USER";

/// The address a client on this machine dials for `assignment`'s ports on
/// `endpoint`: the bind address `up` recorded (loopback when none), as
/// [`Endpoint::client_host`](crate::core::engine::Endpoint::client_host) reaches it
/// (through a tunnel for a remote engine on loopback). The one answer `env`,
/// `status`, `open` and `vscode` give.
pub fn assignment_host(
    assignment: &crate::core::registry::Assignment,
    endpoint: &crate::core::engine::Endpoint,
) -> String {
    let bind = assignment
        .bind
        .as_deref()
        .and_then(|bind| bind.parse().ok())
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    endpoint.client_host(bind)
}

/// The management portal's home page on `host` (as
/// [`crate::core::engine::connect_host`] gives it).
pub fn portal_url(host: &str, web_port: u16) -> String {
    format!("http://{host}:{web_port}/csp/sys/UtilHome.csp")
}

/// `IRIS_PORT`, `IRIS_WEB_PORT` and the stack ports' `IRIS_DEV_PORT_*` for
/// compose, so base files can interpolate them.
pub fn compose_env(assignment: &crate::core::registry::Assignment) -> Vec<(String, String)> {
    let mut env = vec![
        (env_vars::IRIS_PORT.to_owned(), assignment.port.to_string()),
        (
            env_vars::IRIS_WEB_PORT.to_owned(),
            assignment
                .effective_web_port()
                .unwrap_or_default()
                .to_string(),
        ),
    ];
    env.extend(
        assignment
            .stack_ports
            .iter()
            .map(|(key, port)| (stack_port_variable(key), port.to_string())),
    );
    env
}

/// The key of a stack port: `web:80` for service `web`'s container port 80.
pub fn stack_port_key(service: &str, target: u16) -> String {
    format!("{service}:{target}")
}

/// `IRIS_DEV_PORT_WEB_80` for the key `web:80`.
pub fn stack_port_variable(key: &str) -> String {
    format!("{}{}", env_vars::IRIS_DEV_PORT_PREFIX, variable_name(key))
}

/// `text` as part of a variable name: in capitals, every character a name cannot
/// hold as `_` (`my-db.1:5432` → `MY_DB_1_5432`).
pub fn variable_name(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    pub host: String,
    pub port: u16,
    pub web_port: u16,
    pub compose_project: String,
    /// `isolate: all`'s ports, by `service:container port`.
    pub stack_ports: Vec<(String, u16)>,
    pub login: Login,
}

/// Namespace, user and password, each only when the IRIS service's environment
/// sets it: iris-dev never invents them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Login {
    pub namespace: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl Login {
    /// From the IRIS service's `environment` in the compose config.
    pub fn from_environment(environment: &std::collections::BTreeMap<String, String>) -> Self {
        let get = |name: &str| environment.get(name).cloned();
        Self {
            namespace: get(env_vars::IRIS_NAMESPACE),
            username: get(env_vars::IRIS_USERNAME),
            password: get(env_vars::IRIS_PASSWORD),
        }
    }
}

impl Connection {
    pub fn variables(&self) -> Vec<(String, String)> {
        let mut variables: Vec<(String, String)> = [
            (env_vars::IRIS_HOST, self.host.clone()),
            (env_vars::IRIS_PORT, self.port.to_string()),
            (env_vars::IRIS_WEB_PORT, self.web_port.to_string()),
            (
                env_vars::IRIS_DEV_COMPOSE_PROJECT,
                self.compose_project.clone(),
            ),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
        let login = &self.login;
        for (name, value) in [
            (env_vars::IRIS_NAMESPACE, &login.namespace),
            (env_vars::IRIS_USERNAME, &login.username),
            (env_vars::IRIS_PASSWORD, &login.password),
        ] {
            if let Some(value) = value {
                variables.push((name.to_owned(), value.clone()));
            }
        }
        variables.push((env_vars::IRIS_URL.to_owned(), self.url()));
        variables.push((env_vars::IRIS_JDBC_URL.to_owned(), self.jdbc_url()));
        variables.extend(
            self.stack_ports
                .iter()
                .map(|(key, port)| (stack_port_variable(key), port.to_string())),
        );
        variables
    }

    /// The namespace a URL names: the service's, else IRIS's default `USER`.
    fn namespace(&self) -> &str {
        self.login.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE)
    }

    /// `iris://USER@HOST:PORT/NAMESPACE` (sqlalchemy-iris), the user
    /// percent-encoded; never with the password, so the URL can be shown.
    pub fn url(&self) -> String {
        let user = self
            .login
            .username
            .as_deref()
            .map(|user| format!("{}@", percent_encode(user)))
            .unwrap_or_default();
        format!(
            "iris://{user}{}:{}/{}",
            self.host,
            self.port,
            self.namespace()
        )
    }

    /// `jdbc:IRIS://HOST:PORT/NAMESPACE`, as InterSystems' JDBC driver reads it.
    pub fn jdbc_url(&self) -> String {
        format!(
            "jdbc:IRIS://{}:{}/{}",
            self.host,
            self.port,
            self.namespace()
        )
    }

    /// The names of the variables that hold a port.
    fn port_variables(&self) -> Vec<String> {
        [env_vars::IRIS_PORT, env_vars::IRIS_WEB_PORT]
            .into_iter()
            .map(str::to_owned)
            .chain(
                self.stack_ports
                    .iter()
                    .map(|(key, _)| stack_port_variable(key)),
            )
            .collect()
    }

    /// The variables in `format`, without a trailing newline; in JSON the
    /// ports are numbers.
    pub fn render(&self, format: EnvFormat) -> String {
        let variables = self.variables();
        if format == EnvFormat::Json {
            // Ports are numbers in JSON (`jq '.IRIS_PORT + 1'`); every other
            // format is text anyway.
            let ports = self.port_variables();
            let object: serde_json::Map<_, _> = variables
                .into_iter()
                .map(|(name, value)| {
                    let value = match value.parse::<u16>() {
                        Ok(port) if ports.contains(&name) => serde_json::Value::from(port),
                        _ => serde_json::Value::String(value),
                    };
                    (name, value)
                })
                .collect();
            return serde_json::to_string_pretty(&object).expect("strings serialise");
        }
        variables
            .iter()
            .map(|(name, value)| match format {
                EnvFormat::Shell => format!("export {name}={}", shell::quote(value)),
                EnvFormat::Make => format!("export {name} := {}", value.replace('$', "$$")),
                EnvFormat::Dotenv | EnvFormat::Json => format!("{name}={}", dotenv_value(value)),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `text` with every byte but RFC 3986's unreserved characters as `%XX`, for the
/// user part of a URL (a `@` or `:` in a user name would end it).
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// A value as a `.env` line: bare when plain, else single-quoted (no escapes
/// inside, which compose and python-dotenv both read literally); a value that
/// itself holds a single quote goes in double quotes with `\\` and `"` escaped.
fn dotenv_value(value: &str) -> String {
    let plain = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-.,:/@%+=".contains(c));
    if plain {
        value.to_owned()
    } else if !value.contains('\'') {
        format!("'{value}'")
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection() -> Connection {
        Connection {
            host: crate::core::engine::DEFAULT_HOST.into(),
            port: 1973,
            web_port: 52_774,
            compose_project: "shop-0a1b2c3d".into(),
            stack_ports: Vec::new(),
            login: Login::default(),
        }
    }

    #[test]
    fn addresses_follow_the_recorded_bind() {
        let mut assignment = crate::core::registry::Registry::parse(
            br#"{"schema_version": "1.0", "assignments": [{"project_path": "/p", "port": 1972, "assigned_at": "2026-01-01T00:00:00", "assignment_type": "auto", "status": "active"}]}"#,
        )
        .unwrap()
        .assignments
        .remove(0);
        let local = crate::core::engine::Endpoint::new("unix:///var/run/docker.sock");
        assert_eq!(assignment_host(&assignment, &local), "127.0.0.1");
        for (bind, host) in [
            ("0.0.0.0", "127.0.0.1"),
            ("192.168.1.20", "192.168.1.20"),
            ("::", "[::1]"),
            ("not an address", "127.0.0.1"),
        ] {
            assignment.bind = Some(bind.into());
            assert_eq!(assignment_host(&assignment, &local), host, "{bind}");
        }
    }

    #[test]
    fn stack_ports_become_variables() {
        assert_eq!(
            stack_port_variable(&stack_port_key("web", 80)),
            "IRIS_DEV_PORT_WEB_80"
        );
        assert_eq!(
            stack_port_variable("my-db.1:5432"),
            "IRIS_DEV_PORT_MY_DB_1_5432"
        );
        let connection = Connection {
            stack_ports: vec![("web:80".into(), 21_000)],
            ..connection()
        };
        assert!(
            connection
                .render(EnvFormat::Dotenv)
                .ends_with("\nIRIS_DEV_PORT_WEB_80=21000")
        );
        let mut connection = connection;
        connection.login.password = Some("1972".into());
        let json: serde_json::Value =
            serde_json::from_str(&connection.render(EnvFormat::Json)).unwrap();
        assert_eq!(json["IRIS_DEV_PORT_WEB_80"], 21_000, "a port is a number");
        assert_eq!(json["IRIS_PORT"], 1973);
        assert_eq!(json["IRIS_PASSWORD"], "1972", "a password stays text");
    }

    #[test]
    fn adds_only_the_login_the_service_sets() {
        let mut connection = connection();
        connection.login = Login {
            namespace: Some("APP".into()),
            username: None,
            password: Some("it's $ecret".into()),
        };
        insta::assert_snapshot!(connection.render(EnvFormat::Shell), @r"
        export IRIS_HOST=127.0.0.1
        export IRIS_PORT=1973
        export IRIS_WEB_PORT=52774
        export IRIS_DEV_COMPOSE_PROJECT=shop-0a1b2c3d
        export IRIS_NAMESPACE=APP
        export IRIS_PASSWORD='it'\''s $ecret'
        export IRIS_URL=iris://127.0.0.1:1973/APP
        export IRIS_JDBC_URL=jdbc:IRIS://127.0.0.1:1973/APP
        ");
        insta::assert_snapshot!(connection.render(EnvFormat::Dotenv), @r#"
        IRIS_HOST=127.0.0.1
        IRIS_PORT=1973
        IRIS_WEB_PORT=52774
        IRIS_DEV_COMPOSE_PROJECT=shop-0a1b2c3d
        IRIS_NAMESPACE=APP
        IRIS_PASSWORD="it's $ecret"
        IRIS_URL=iris://127.0.0.1:1973/APP
        IRIS_JDBC_URL=jdbc:IRIS://127.0.0.1:1973/APP
        "#);
        let make = connection.render(EnvFormat::Make);
        assert!(
            make.contains("\nexport IRIS_PASSWORD := it's $$ecret\n"),
            "{make}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&connection.render(EnvFormat::Json)).unwrap();
        assert_eq!(json["IRIS_PASSWORD"], "it's $ecret");
        assert_eq!(json.get("IRIS_USERNAME"), None);
    }

    #[test]
    fn urls_name_the_user_but_never_the_password() {
        let mut connection = Connection {
            host: "[::1]".into(),
            ..connection()
        };
        connection.login = Login {
            namespace: Some("%SYS".into()),
            username: Some("d@v:1".into()),
            password: Some("secret".into()),
        };
        assert_eq!(connection.url(), "iris://d%40v%3A1@[::1]:1973/%SYS");
        assert_eq!(connection.jdbc_url(), "jdbc:IRIS://[::1]:1973/%SYS");
        let text = connection.render(EnvFormat::Dotenv);
        assert_eq!(text.matches("secret").count(), 1, "{text}");
        assert!(text.contains("\nIRIS_PASSWORD=secret\n"), "{text}");
    }

    #[test]
    fn renders_every_format() {
        insta::assert_snapshot!(connection().render(EnvFormat::Shell), @r"
        export IRIS_HOST=127.0.0.1
        export IRIS_PORT=1973
        export IRIS_WEB_PORT=52774
        export IRIS_DEV_COMPOSE_PROJECT=shop-0a1b2c3d
        export IRIS_URL=iris://127.0.0.1:1973/USER
        export IRIS_JDBC_URL=jdbc:IRIS://127.0.0.1:1973/USER
        ");
        insta::assert_snapshot!(connection().render(EnvFormat::Make), @r"
        export IRIS_HOST := 127.0.0.1
        export IRIS_PORT := 1973
        export IRIS_WEB_PORT := 52774
        export IRIS_DEV_COMPOSE_PROJECT := shop-0a1b2c3d
        export IRIS_URL := iris://127.0.0.1:1973/USER
        export IRIS_JDBC_URL := jdbc:IRIS://127.0.0.1:1973/USER
        ");
        insta::assert_snapshot!(connection().render(EnvFormat::Dotenv), @r"
        IRIS_HOST=127.0.0.1
        IRIS_PORT=1973
        IRIS_WEB_PORT=52774
        IRIS_DEV_COMPOSE_PROJECT=shop-0a1b2c3d
        IRIS_URL=iris://127.0.0.1:1973/USER
        IRIS_JDBC_URL=jdbc:IRIS://127.0.0.1:1973/USER
        ");
        insta::assert_snapshot!(connection().render(EnvFormat::Json), @r#"
        {
          "IRIS_HOST": "127.0.0.1",
          "IRIS_PORT": 1973,
          "IRIS_WEB_PORT": 52774,
          "IRIS_DEV_COMPOSE_PROJECT": "shop-0a1b2c3d",
          "IRIS_URL": "iris://127.0.0.1:1973/USER",
          "IRIS_JDBC_URL": "jdbc:IRIS://127.0.0.1:1973/USER"
        }
        "#);
    }
}
