//! What `iris-dev doctor` concludes: one [`Check`] per question, ok, warn or
//! fail, each warn and fail with the command or edit that fixes it.
//!
//! Pure. The command gathers the facts (compose, the engine, the registry file,
//! the project's compose config) and these functions judge them.

use std::fmt;

use serde::Serialize;

use crate::core::allocate::{MAX_PAIRED_PORT, PortRange};
use crate::core::compose::Compose;
use crate::core::compose::config::{SUPERSERVER_PORT, WEB_PORT};
use crate::core::compose::override_file::{ForCompose, Written};
use crate::core::compose::port_advice;
use crate::core::engine::{Container, Listing};
use crate::core::env_vars;
use crate::core::registry::Registry;
use crate::core::shell;
use crate::core::stale;
use crate::core::timestamp::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Fail => "fail",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked: `compose`, `engine`, `registry`, ...
    pub topic: &'static str,
    pub level: Level,
    pub message: String,
    /// The command or edit that fixes a warn or fail.
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(topic: &'static str, message: impl Into<String>) -> Self {
        Self {
            topic,
            level: Level::Ok,
            message: message.into(),
            fix: None,
        }
    }

    pub fn warn(topic: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            topic,
            level: Level::Warn,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn fail(topic: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            topic,
            level: Level::Fail,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<4}  {}: {}", self.level, self.topic, self.message)?;
        if let Some(fix) = &self.fix {
            write!(f, "\n      fix: {fix}")?;
        }
        Ok(())
    }
}

/// Whether the override on disk suits the compose in use (issue 16 §4): every
/// iris-dev command writes it again for that compose, but plain compose given
/// the file (`-f .iris-dev/compose.override.yaml`) reads it as it is. `None`
/// when it suits, or there is none.
pub fn override_file(
    path: &str,
    verdict: &ForCompose,
    before: Option<&Written>,
    compose: &Compose,
) -> Option<Check> {
    let name = compose.display_name();
    match verdict {
        ForCompose::Keep => None,
        ForCompose::Rewrite(_) => {
            let before = before
                .map(|before| before.compose.as_str())
                .unwrap_or("another compose");
            let message = if compose.supports_override_tag() {
                format!(
                    "`{path}` was written for {before}, without `!override`: with {name} its ports add to the base file's instead of replacing them"
                )
            } else {
                format!(
                    "`{path}` was written for {before}, with `!override`, which {name} does not read: plain compose given this file fails or misreads it"
                )
            };
            Some(Check::warn(
                "override",
                message,
                format!(
                    "any iris-dev command on the stack writes it for {name}, such as `iris-dev compose ps`"
                ),
            ))
        }
        ForCompose::Omit => Some(Check::warn(
            "override",
            format!(
                "`{path}` uses `!override`, which {name} does not read, and iris-dev does not know what it was written from: its commands leave it out"
            ),
            "`iris-dev up` writes it again for this compose",
        )),
    }
}

/// Every paired web port of the range within 65535, or a pinned web port.
pub fn port_range(range: PortRange, web_port_pinned: bool) -> Check {
    if range.is_paired() {
        Check::ok(
            "port range",
            format!(
                "{range}: every paired web port is within 65535 (up to {})",
                52_773 + u32::from(range.end) - 1972
            ),
        )
    } else if web_port_pinned {
        Check::ok(
            "port range",
            format!(
                "{range}: past {MAX_PAIRED_PORT}, with the web port pinned by `{}`",
                env_vars::IRIS_DEV_WEB_PORT
            ),
        )
    } else {
        Check::fail(
            "port range",
            format!("{range}: ports above {MAX_PAIRED_PORT} have no paired web port within 65535"),
            format!(
                "`export {}={}-{}`, or pin the web port with `{}`",
                env_vars::IRIS_DEV_PORT_RANGE,
                range.start.min(MAX_PAIRED_PORT - 9),
                range.start.min(MAX_PAIRED_PORT - 9) + 9,
                env_vars::IRIS_DEV_WEB_PORT
            ),
        )
    }
}

/// A variable whose value did not parse: its default stands in, so every
/// other check still runs.
/// `name` is the variable, `message` what is wrong with it.
pub fn invalid_setting(name: &str, message: String) -> Check {
    let fix = if name == env_vars::HOME {
        format!(
            "set `{}`, or `{}` to the registry directory",
            env_vars::HOME,
            env_vars::IRIS_DEV_HOME
        )
    } else {
        format!(
            "correct `{name}`, or `unset {name}` for its default; every command but `doctor` refuses to run until then"
        )
    };
    Check::fail("environment", message, fix)
}

/// Assignments whose containers are all gone: the project's own `up` starts
/// them again (or `ports prune` records that they are gone).
pub fn stale_assignments(registry: &Registry, listing: &Listing, engine: Option<&str>) -> Check {
    let stale = stale::stale_projects(registry, listing, engine);
    if stale.is_empty() {
        return Check::ok("stale", "no assignment lost its containers");
    }
    let ups: Vec<String> = stale
        .iter()
        .map(|project| format!("`{}`", shell::join(["iris-dev", "up", "-C", project])))
        .collect();
    Check::warn(
        "stale",
        format!(
            "{} assignment(s) lost their containers: {}",
            stale.len(),
            stale
                .iter()
                .map(|project| format!("`{project}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        format!(
            "start {} again with {}; or, for a project that stays down, `iris-dev ports prune` marks it stale so its ports can be reused",
            if stale.len() == 1 { "it" } else { "them" },
            ups.join(", ")
        ),
    )
}

/// Active assignments whose containers publish IRIS's ports on other host ports
/// than the registry holds: moved, as happens when another tool moved them
/// (such as iris-devtester's `assign_port` when a project's port is bound),
/// which the project's `up` puts right; or published a second time by an
/// entry of the project's compose file that compose cannot replace (no
/// `!override`), which only an edit of that file removes. Each container port
/// and host port is named once, though the engine lists IPv4 and IPv6 apart.
pub fn moved_ports(registry: &Registry, containers: &[Container], engine: Option<&str>) -> Check {
    let mut found = Vec::new();
    let mut fixes = Vec::new();
    for assignment in registry
        .assignments
        .iter()
        .filter(|assignment| assignment.is_active() && assignment.engine.as_deref() == engine)
    {
        let expected = [
            (SUPERSERVER_PORT, Some(assignment.port), env_vars::IRIS_PORT),
            (
                WEB_PORT,
                assignment.effective_web_port(),
                env_vars::IRIS_WEB_PORT,
            ),
        ];
        let project = &assignment.project_path;
        for container in containers.iter().filter(|container| {
            container.belongs_to(project, assignment.compose_project.as_deref())
        }) {
            for (target, held, variable) in expected {
                let Some(held) = held else {
                    continue;
                };
                let mut published: Vec<u16> = container
                    .ports
                    .iter()
                    .filter(|published| published.container_port == target)
                    .map(|published| published.host_port)
                    .collect();
                published.sort_unstable();
                published.dedup();
                let also = published.contains(&held);
                let others: Vec<u16> = published.into_iter().filter(|port| *port != held).collect();
                if others.is_empty() {
                    continue;
                }
                let ports = others
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(" and ");
                if also {
                    found.push(format!(
                        "`{project}` holds port {held} in the registry, and container `{}` publishes {target} on host port {ports} as well",
                        container.name
                    ));
                    let bind = assignment
                        .bind
                        .as_deref()
                        .and_then(|bind| bind.parse().ok())
                        .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]));
                    let files = base_files(container);
                    let place = if files.is_empty() {
                        format!("`{project}`'s compose file")
                    } else {
                        files.join(", ")
                    };
                    fixes.push(format!(
                        "remove the entry that publishes {target} from {place}, or write it as `{}` (`{}` names the line); `iris-dev up` cannot replace it with this compose",
                        port_advice::recommended(bind, variable, &target.to_string(), target),
                        shell::join(["iris-dev", "doctor", "-C", project])
                    ));
                } else {
                    found.push(format!(
                        "`{project}` holds port {held} in the registry, but container `{}` publishes {target} on host port {ports}",
                        container.name
                    ));
                    fixes.push(format!(
                        "`{}` publishes the registry's ports again",
                        shell::join(["iris-dev", "up", "-C", project])
                    ));
                }
            }
        }
    }
    if found.is_empty() {
        return Check::ok(
            "published ports",
            "every running stack publishes the ports the registry holds",
        );
    }
    fixes.dedup();
    Check::warn("published ports", found.join("; "), fixes.join("; "))
}

/// The compose files a container was created from, iris-dev's own override
/// left out, each in backticks.
fn base_files(container: &Container) -> Vec<String> {
    container
        .labels
        .get(COMPOSE_CONFIG_FILES_LABEL)
        .map(|files| {
            files
                .split(',')
                .filter(|file| !file.is_empty() && !file.contains("/.iris-dev/"))
                .map(|file| format!("`{file}`"))
                .collect()
        })
        .unwrap_or_default()
}

/// The label compose (1.28 and newer, and v2) gives a container with the files
/// it was created from, comma-separated.
const COMPOSE_CONFIG_FILES_LABEL: &str = "com.docker.compose.project.config_files";

/// What this machine shows about the engine's userland proxy, which the
/// engine's API does not report: whether anything listens on a host port that
/// a running container publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyEvidence {
    /// Nothing to look at, with the reason.
    Unknown(String),
    /// Container `container` publishes host `port`; `listening` says whether a
    /// socket on this machine listens on it.
    Published {
        container: String,
        port: u16,
        listening: bool,
    },
}

/// The engine's userland proxy. With `userland-proxy: false` the engine
/// forwards published ports in the kernel and nothing listens on the host, so
/// the bind test cannot see them; iris-dev compensates by asking the engine
/// for its published ports, which the warn says.
pub fn userland_proxy(evidence: &ProxyEvidence) -> Check {
    match evidence {
        ProxyEvidence::Unknown(reason) => Check::ok("userland proxy", format!("unknown: {reason}")),
        ProxyEvidence::Published {
            container,
            port,
            listening: true,
        } => Check::ok(
            "userland proxy",
            format!("on: host port {port} of container `{container}` has a listener here"),
        ),
        ProxyEvidence::Published {
            container,
            port,
            listening: false,
        } => Check::warn(
            "userland proxy",
            format!(
                "nothing on this machine listens on host port {port}, which container `{container}` publishes: \
                 the engine runs with `userland-proxy: false` (or in another network namespace), so the bind test \
                 cannot see published ports; iris-dev asks the engine for them instead, but other tools \
                 (iris-devtester's `assign_port`) may pick a port that is taken"
            ),
            "set `\"userland-proxy\": true` in `/etc/docker/daemon.json` and restart the engine, \
             or leave it: `iris-dev port` already skips the engine's published ports",
        ),
    }
}

/// Whether iris-devtester can load the registry file: every assignment has the
/// six fields its `PortAssignment.from_dict` reads, with values Python accepts
/// (a `status` of active, released or stale; an `assignment_type` of auto or
/// manual; an integer `port`; an `assigned_at` that Python 3.9's
/// `datetime.fromisoformat` reads, so no `Z`; a string or null
/// `container_name`). `bytes` is the file as it is on disk.
pub fn devtester_readable(bytes: &[u8], path: &str) -> Check {
    const TOPIC: &str = "registry";
    let fix = format!(
        "correct the named entries in `{path}`, or clear them with `iris-dev ports clear <project>`"
    );
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(err) => {
            return Check::fail(
                TOPIC,
                format!("iris-devtester cannot read `{path}`: {err}"),
                fix,
            );
        }
    };
    let Some(assignments) = value.get("assignments").and_then(|list| list.as_array()) else {
        return Check::fail(
            TOPIC,
            format!("iris-devtester cannot read `{path}`: `assignments` is not a list"),
            fix,
        );
    };
    let problems: Vec<String> = assignments
        .iter()
        .enumerate()
        .flat_map(|(index, entry)| {
            devtester_problems(entry)
                .into_iter()
                .map(move |problem| format!("assignment {index}: {problem}"))
        })
        .collect();
    if problems.is_empty() {
        return Check::ok(
            TOPIC,
            format!("iris-devtester can read every assignment in `{path}`"),
        );
    }
    Check::fail(
        TOPIC,
        format!(
            "iris-devtester cannot read `{path}`: {}",
            problems.join("; ")
        ),
        fix,
    )
}

/// What iris-devtester would reject in one assignment.
fn devtester_problems(entry: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let field = |name: &str| entry.get(name);
    let one_of = |name: &str, allowed: &[&str]| match field(name) {
        Some(Value::String(text)) if allowed.contains(&text.as_str()) => None,
        Some(other) => Some(format!(
            "`{name}` is {other}, not one of {}",
            allowed.join(", ")
        )),
        None => Some(format!("`{name}` is missing")),
    };
    let checks = [
        match field("project_path") {
            Some(Value::String(_)) => None,
            Some(other) => Some(format!("`project_path` is {other}, not a string")),
            None => Some("`project_path` is missing".to_owned()),
        },
        match field("port") {
            Some(Value::Number(number))
                if number
                    .as_u64()
                    .is_some_and(|port| (1..=65_535).contains(&port)) =>
            {
                None
            }
            Some(other) => Some(format!("`port` is {other}, not an integer port")),
            None => Some("`port` is missing".to_owned()),
        },
        match field("assigned_at") {
            Some(Value::String(text))
                if !text.ends_with(['Z', 'z']) && Timestamp::parse(text).is_some() =>
            {
                None
            }
            Some(other) => Some(format!(
                "`assigned_at` is {other}, which Python's `datetime.fromisoformat` cannot read (ISO 8601, an offset such as `+00:00` instead of `Z`)"
            )),
            None => Some("`assigned_at` is missing".to_owned()),
        },
        one_of("assignment_type", &["auto", "manual"]),
        one_of("status", &["active", "released", "stale"]),
        match field("container_name") {
            Some(Value::String(_) | Value::Null) => None,
            Some(other) => Some(format!("`container_name` is {other}, not a string or null")),
            None => Some("`container_name` is missing".to_owned()),
        },
    ];
    checks.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::engine::{COMPOSE_PROJECT_LABEL, PublishedPort};

    fn registry() -> Registry {
        Registry::parse(
            br#"{"schema_version": "1.0", "assignments": [{"project_path": "/shop", "port": 1975, "assigned_at": "2026-01-01T00:00:00+00:00", "assignment_type": "auto", "status": "active", "container_name": null, "web_port": 52776, "compose_project": "shop", "compose_service": "iris"}]}"#,
        )
        .unwrap()
    }

    fn container(host_port: u16, container_port: u16) -> Container {
        let mut container = Container {
            name: "shop-iris-1".into(),
            ports: vec![PublishedPort {
                host_ip: "127.0.0.1".into(),
                host_port,
                container_port,
            }],
            ..Container::default()
        };
        container
            .labels
            .insert(COMPOSE_PROJECT_LABEL.into(), "shop".into());
        container
    }

    #[test]
    fn an_override_for_another_compose_is_a_warning_that_names_both() {
        use crate::core::compose::Version;
        use crate::core::compose::override_file::Override;
        let compose = |command: &str, version| Compose {
            command: command.split(' ').map(str::to_owned).collect(),
            version: Some(version),
            docker_host: None,
        };
        let v1 = compose("docker-compose", Version(1, 29, 2));
        let v2 = compose("docker compose", Version(2, 40, 3));
        let parts = Override {
            services: Default::default(),
        };
        let by_v2 = Written::new(parts.clone(), &v2);
        let path = "/shop/.iris-dev/compose.override.yaml";
        assert_eq!(
            override_file(path, &ForCompose::Keep, Some(&by_v2), &v2),
            None
        );
        let rewrite = ForCompose::Rewrite(Written::new(parts.clone(), &v1));
        let check = override_file(path, &rewrite, Some(&by_v2), &v1).unwrap();
        assert_eq!(
            check.to_string(),
            "warn  override: `/shop/.iris-dev/compose.override.yaml` was written for docker compose 2.40.3, with `!override`, which docker-compose 1.29.2 does not read: plain compose given this file fails or misreads it\n      fix: any iris-dev command on the stack writes it for docker-compose 1.29.2, such as `iris-dev compose ps`"
        );
        let by_v1 = Written::new(parts.clone(), &v1);
        let back = ForCompose::Rewrite(Written::new(parts, &v2));
        let check = override_file(path, &back, Some(&by_v1), &v2).unwrap();
        assert!(check.message.contains("without `!override`"), "{check}");
        let omit = override_file(path, &ForCompose::Omit, None, &v1).unwrap();
        assert_eq!(omit.level, Level::Warn);
        assert_eq!(
            omit.fix.as_deref(),
            Some("`iris-dev up` writes it again for this compose")
        );
    }

    #[test]
    fn ranges_fail_past_the_last_paired_port_unless_the_web_port_is_pinned() {
        let range = |start, end| PortRange { start, end };
        assert_eq!(port_range(range(1972, 14_734), false).level, Level::Ok);
        assert_eq!(port_range(range(1, 1), false).level, Level::Ok);
        let check = port_range(range(30_000, 30_010), false);
        assert_eq!(check.level, Level::Fail);
        assert_eq!(
            check.fix.as_deref(),
            Some(
                "`export IRIS_DEV_PORT_RANGE=14725-14734`, or pin the web port with `IRIS_DEV_WEB_PORT`"
            )
        );
        assert_eq!(port_range(range(30_000, 30_010), true).level, Level::Ok);
    }

    #[test]
    fn a_moved_port_names_both_ports() {
        let registry = registry();
        assert_eq!(
            moved_ports(&registry, &[container(1975, 1972)], None).level,
            Level::Ok
        );
        let check = moved_ports(&registry, &[container(1976, 1972)], None);
        assert_eq!(check.level, Level::Warn);
        assert_eq!(
            check.message,
            "`/shop` holds port 1975 in the registry, but container `shop-iris-1` publishes 1972 on host port 1976"
        );
    }

    #[test]
    fn a_port_published_twice_is_named_once_with_the_file_to_edit() {
        let registry = registry();
        // docker-compose 1.29 with `- "1972"` in the base: the assigned port,
        // and one Docker picked, on IPv4 and IPv6.
        let mut both = container(1975, 1972);
        for host_ip in ["0.0.0.0", "::"] {
            both.ports.push(PublishedPort {
                host_ip: host_ip.into(),
                host_port: 32_806,
                container_port: 1972,
            });
        }
        both.labels.insert(
            COMPOSE_CONFIG_FILES_LABEL.into(),
            "/shop/compose.yaml,/shop/.iris-dev/compose.override.yaml".into(),
        );
        let check = moved_ports(&registry, &[both], None);
        assert_eq!(
            check.message,
            "`/shop` holds port 1975 in the registry, and container `shop-iris-1` publishes 1972 on host port 32806 as well"
        );
        assert_eq!(
            check.fix.as_deref(),
            Some(
                r#"remove the entry that publishes 1972 from `/shop/compose.yaml`, or write it as `"127.0.0.1:${IRIS_PORT:-1972}:1972"` (`iris-dev doctor -C /shop` names the line); `iris-dev up` cannot replace it with this compose"#
            )
        );

        // Moved on IPv4 and IPv6: once, and `up` is the fix.
        let mut moved = container(1976, 1972);
        moved.ports.push(PublishedPort {
            host_ip: "::".into(),
            host_port: 1976,
            container_port: 1972,
        });
        let check = moved_ports(&registry, &[moved], None);
        assert_eq!(check.message.matches("1976").count(), 1, "{check}");
        assert_eq!(
            check.fix.as_deref(),
            Some("`iris-dev up -C /shop` publishes the registry's ports again")
        );
    }

    #[test]
    fn a_bad_variable_is_a_failed_check_naming_it() {
        let check = invalid_setting(
            "IRIS_DEV_PORT_RANGE",
            "`IRIS_DEV_PORT_RANGE=abc` is invalid: `abc` is not a range such as `1972-2000`".into(),
        );
        assert_eq!(check.level, Level::Fail);
        assert!(
            check
                .fix
                .as_deref()
                .unwrap()
                .starts_with("correct `IRIS_DEV_PORT_RANGE`, or `unset IRIS_DEV_PORT_RANGE`"),
            "{check}"
        );
    }

    #[test]
    fn stale_assignments_are_named_with_the_fix() {
        let registry = registry();
        let listing = |containers| Listing {
            asked_at: Timestamp::parse("2026-02-01T00:00:00+00:00").unwrap(),
            containers,
        };
        assert_eq!(
            stale_assignments(&registry, &listing(vec![container(1975, 1972)]), None).level,
            Level::Ok
        );
        let check = stale_assignments(&registry, &listing(vec![]), None);
        assert_eq!(check.level, Level::Warn);
        assert!(check.message.contains("`/shop`"), "{check}");
        assert_eq!(
            check.fix.as_deref(),
            Some(
                "start it again with `iris-dev up -C /shop`; or, for a project that stays down, `iris-dev ports prune` marks it stale so its ports can be reused"
            )
        );
    }

    #[test]
    fn the_userland_proxy_is_judged_from_a_published_port() {
        let published = |listening| ProxyEvidence::Published {
            container: "shop-iris-1".into(),
            port: 1975,
            listening,
        };
        assert_eq!(userland_proxy(&published(true)).level, Level::Ok);
        let off = userland_proxy(&published(false));
        assert_eq!(off.level, Level::Warn);
        assert!(off.message.contains("`userland-proxy: false`"), "{off}");
        assert!(off.message.contains("iris-dev asks the engine"), "{off}");
        let unknown = userland_proxy(&ProxyEvidence::Unknown("the engine is remote".into()));
        assert_eq!(
            (unknown.level, unknown.message.as_str()),
            (Level::Ok, "unknown: the engine is remote")
        );
    }

    #[test]
    fn iris_devtester_reads_only_entries_with_its_six_valid_fields() {
        let entry = r#"{"project_path": "/shop", "port": 1975, "assigned_at": "2026-01-01T00:00:00.123456", "assignment_type": "auto", "status": "active", "container_name": null, "web_port": 52776}"#;
        let file =
            |entries: &str| format!(r#"{{"schema_version": "1.0", "assignments": [{entries}]}}"#);
        let check = devtester_readable(file(entry).as_bytes(), "/r.json");
        assert_eq!(check.level, Level::Ok, "{check}");
        assert_eq!(
            devtester_readable(file("").as_bytes(), "/r.json").level,
            Level::Ok
        );

        let bad = entry
            .replace("\"auto\"", "\"automatic\"")
            .replace("2026-01-01T00:00:00.123456", "2026-01-01T00:00:00Z")
            .replace(r#", "container_name": null"#, "");
        let check = devtester_readable(file(&format!("{entry}, {bad}")).as_bytes(), "/r.json");
        assert_eq!(check.level, Level::Fail);
        assert!(
            check
                .message
                .starts_with("iris-devtester cannot read `/r.json`: assignment 1: "),
            "{check}"
        );
        assert!(!check.message.contains("assignment 0"), "{check}");
        for wrong in [
            "`assigned_at`",
            "`assignment_type` is \"automatic\"",
            "`container_name` is missing",
        ] {
            assert!(check.message.contains(wrong), "{wrong}: {check}");
        }
        for (from, to) in [
            (r#""port": 1975"#, r#""port": "1975""#),
            (r#""port": 1975"#, r#""port": 1975.5"#),
            (r#""status": "active""#, r#""status": "gone""#),
            (r#""project_path": "/shop""#, r#""project_path": 7"#),
        ] {
            let check = devtester_readable(file(&entry.replace(from, to)).as_bytes(), "/r.json");
            assert_eq!(check.level, Level::Fail, "{to}");
        }
        assert_eq!(devtester_readable(b"{", "/r.json").level, Level::Fail);
    }
}
