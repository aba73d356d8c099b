//! What iris-dev tells the user to write in a compose file's `ports` (issue 18
//! §2): the one place that knows the recommended spelling of an entry for each
//! case (IRIS's superserver and web port, a stack service's port under
//! `isolate: all`, a port iris-dev does not assign), for the compose in use and
//! the bind address, and which base-file entries need it. `up`, `up --dry-run`
//! and `doctor` all take their fixes from here, so that following one fix never
//! leads to another message.
//!
//! Pure: it reads the merged config ([`OverrideSpec`]) and a compose file's
//! text handed to it; it never reads files itself.

use std::net::IpAddr;

use super::config::{PortMapping, SUPERSERVER_PORT, WEB_PORT, interpolate};
use super::override_file::{self, OverrideSpec};
use crate::core::env_vars;

/// Why a base-file entry needs changing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// It publishes a port iris-dev assigns on a fixed host port of its own,
    /// which this compose cannot replace (no `!override`): the stack would
    /// collide with every other checkout. Stops `up`.
    Fixed { published: String },
    /// It publishes the assigned port itself (`"${IRIS_PORT:-1972}:1972"`) on
    /// another address than iris-dev's bind (`None`: every interface).
    Elsewhere { address: Option<String> },
    /// It publishes IRIS's port on a host port Docker picks, on every interface,
    /// next to the one iris-dev publishes.
    Ephemeral,
}

/// A base-file entry of a port iris-dev assigns that needs changing, with the
/// entry iris-dev recommends instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    pub service: String,
    pub target: u16,
    /// Whether `target` is one of IRIS's own ports of the IRIS service.
    pub iris: bool,
    /// The host port iris-dev assigned for it.
    pub assigned: u16,
    /// The variable iris-dev passes compose with the assigned port.
    pub variable: String,
    pub problem: Problem,
    /// How the config has the entry (interpolated), to find it in the file.
    pub mapping: PortMapping,
    /// iris-dev's bind address, which the recommended entry publishes on.
    pub bind: IpAddr,
}

impl Advice {
    /// `IRIS's port 1972`, or `port 80 of service `web``.
    pub fn describe(&self) -> String {
        describe(self.iris, &self.service, self.target)
    }

    /// The fix, as an edit: `replace `"1972:1972"` with `"127.0.0.1:${IRIS_PORT:-1972}:1972"``,
    /// and for IRIS's ports the other clean edit, removing the entry. `written`
    /// is the entry as the file spells it, when [`locate`] found it.
    pub fn fix(&self, written: Option<&str>) -> String {
        let default = match &self.problem {
            Problem::Fixed { published } => published.clone(),
            Problem::Ephemeral => self.target.to_string(),
            Problem::Elsewhere { .. } => self.assigned.to_string(),
        };
        let default = written.and_then(written_default).unwrap_or(default);
        let entry = recommended(self.bind, &self.variable, &default, self.target);
        let edit = match written {
            Some(written) => format!("replace `{written}` with `{entry}`"),
            None => format!("publish it as `{entry}`"),
        };
        if self.iris {
            format!("{edit}, or remove the entry (iris-dev publishes IRIS's ports itself)")
        } else {
            edit
        }
    }
}

/// `IRIS's port 1972`, or `port 80 of service `web``.
pub fn describe(iris: bool, service: &str, target: u16) -> String {
    if iris {
        format!("IRIS's port {target}")
    } else {
        format!("port {target} of service `{service}`")
    }
}

/// The entry that publishes container port `target` on the port iris-dev
/// passes in `variable` (`default` for plain compose), on `bind` only: what a
/// base file must say when compose cannot replace its list, and what gives no
/// warning. `"127.0.0.1:${IRIS_PORT:-1972}:1972"`.
pub fn recommended(bind: IpAddr, variable: &str, default: &str, target: u16) -> String {
    let address = match bind {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    };
    format!("\"{address}:${{{variable}:-{default}}}:{target}\"")
}

/// The fix for a fixed host port of a port iris-dev does not assign, which
/// another program or project holds: a port Docker picks (which nothing warns
/// about), or one of the user's choice through a variable.
pub fn foreign_fix(service: Option<(&str, u16)>, published: u16, written: Option<&str>) -> String {
    let (variable, target) = match service {
        Some((service, target)) => (foreign_variable(service, target), target.to_string()),
        None => ("APP_PORT".to_owned(), "<container port>".to_owned()),
    };
    let edit = match written {
        Some(written) => format!("replace `{written}` with"),
        None => "publish it as".to_owned(),
    };
    format!(
        "{edit} `\"{target}\"` (a port Docker picks), or with `\"${{{variable}:-{published}}}:{target}\"` and a free port in `{variable}`"
    )
}

/// `WEB_PORT` for service `web`: the variable a fix suggests for its host port;
/// `IRIS_8080_PORT` where the short one is a variable iris-dev sets itself.
pub fn foreign_variable(service: &str, target: u16) -> String {
    let name = crate::core::connection::variable_name(service);
    let short = format!("{name}_PORT");
    if short == env_vars::IRIS_PORT || short == env_vars::IRIS_WEB_PORT {
        format!("{name}_{target}_PORT")
    } else {
        short
    }
}

/// Every base-file entry of a port iris-dev assigns that needs changing for
/// this compose and bind: none with `!override`, which replaces the lists.
pub fn base_entries(spec: &OverrideSpec<'_>) -> Vec<Advice> {
    if spec.override_tag {
        return Vec::new();
    }
    let mut advice = Vec::new();
    for (service, base) in override_file::services(spec) {
        for mapping in base.port_mappings() {
            let iris = service == spec.service
                && override_file::iris_port_for(spec, mapping.target).is_some();
            let problem = match (
                &mapping.published,
                override_file::assigned_for(spec, service, mapping.target),
            ) {
                (None, _) if iris => Problem::Ephemeral,
                (Some(published), Some(assigned)) if *published != assigned.to_string() => {
                    Problem::Fixed {
                        published: published.clone(),
                    }
                }
                (Some(_), Some(_)) => {
                    let address = mapping.host_ip.clone().filter(|ip| !ip.is_empty());
                    if address.as_deref().and_then(|ip| ip.parse::<IpAddr>().ok())
                        == Some(spec.bind)
                    {
                        continue;
                    }
                    Problem::Elsewhere { address }
                }
                _ => continue,
            };
            let Some(assigned) = override_file::assigned_for(spec, service, mapping.target) else {
                continue;
            };
            let variable = match mapping.target {
                SUPERSERVER_PORT if iris => env_vars::IRIS_PORT.to_owned(),
                WEB_PORT if iris => env_vars::IRIS_WEB_PORT.to_owned(),
                target => crate::core::connection::stack_port_variable(
                    &crate::core::connection::stack_port_key(service, target),
                ),
            };
            advice.push(Advice {
                service: service.to_owned(),
                target: mapping.target,
                iris,
                assigned,
                variable,
                problem,
                mapping,
                bind: spec.bind,
            });
        }
    }
    advice
}

/// The default a written entry gives its host port (`1972` of
/// `"${IRIS_PORT:-1972}:1972"` or of `"1972:1972"`), to keep in the
/// recommended entry so that plain compose publishes what it did.
fn written_default(written: &str) -> Option<String> {
    let entry = written.trim_matches(['"', '\'']);
    let entry = entry.split('/').next()?;
    // What precedes the container port: `[IP:]PUBLISHED`.
    let (front, _) = entry.rsplit_once(':')?;
    let published = match front.strip_prefix('[') {
        Some(v6) => v6.split_once("]:")?.1,
        None => match front.split_once(':') {
            Some((ip, rest)) if ip.parse::<IpAddr>().is_ok() => rest,
            _ => front,
        },
    };
    if let Some(expression) = published
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
    {
        let (_, default) = expression
            .split_once(":-")
            .or_else(|| expression.split_once('-'))?;
        return (!default.is_empty()).then(|| default.to_owned());
    }
    (!published.is_empty() && published.chars().all(|c| c.is_ascii_digit() || c == '-'))
        .then(|| published.to_owned())
}

/// Where a compose file's text has the `ports` entry that the config shows as
/// `mapping`: the line (from 1), its text, and the entry as written (quotes
/// included) when it is in the short syntax. `lookup` gives the variables
/// compose interpolated the file with. An `expose` list is passed over.
pub fn locate(
    text: &str,
    mapping: &PortMapping,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<(usize, String, Option<String>)> {
    let mut in_ports = false;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            continue;
        }
        let mut body = trimmed;
        if !trimmed.starts_with('-')
            && let Some((key, rest)) = trimmed.split_once(':')
            && !key.contains(['"', '\'', '$', '['])
        {
            in_ports = key.trim() == "ports";
            body = rest;
        }
        if !in_ports {
            continue;
        }
        let found = body
            .split(|c: char| c.is_whitespace() || "[],".contains(c))
            .filter(|word| !word.is_empty() && *word != "-")
            .find(|word| {
                let entry = interpolate(word.trim_matches(['"', '\'']), lookup);
                PortMapping::parse_short(&entry)
                    .is_some_and(|written| same_entry(&written, mapping))
            });
        if let Some(word) = found {
            return Some((index + 1, line.to_owned(), Some(word.to_owned())));
        }
    }
    None
}

/// Whether an entry as written is the one the config shows: the same
/// container and host port, and the same address where both name one.
fn same_entry(written: &PortMapping, config: &PortMapping) -> bool {
    let address = |ip: &Option<String>| ip.clone().filter(|ip| !ip.is_empty() && ip != "0.0.0.0");
    written.target == config.target
        && written.published == config.published
        && (address(&written.host_ip) == address(&config.host_ip)
            || written.host_ip.is_none()
            || config.host_ip.is_none())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::net::Ipv4Addr;

    use super::*;
    use crate::core::compose::config::{ComposeConfig, Service};

    const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn service(ports: &str) -> Service {
        ComposeConfig::parse(&format!("services:\n  iris:\n    ports: {ports}\n"))
            .unwrap()
            .services
            .remove("iris")
            .unwrap()
    }

    fn spec<'a>(base: &'a Service, override_tag: bool, bind: IpAddr) -> OverrideSpec<'a> {
        OverrideSpec {
            stack: BTreeMap::new(),
            service: "iris",
            bind,
            port: 13_830,
            web_port: 64_631,
            project_path: "/home/dev/shop",
            registry: "/home/dev/.iris-devtester",
            base,
            override_tag,
        }
    }

    /// The entries of a file that need changing, each with its fix as `up`
    /// and `doctor` give it.
    fn fixes(text: &str, ports: &str, override_tag: bool, bind: IpAddr) -> Vec<String> {
        let base = service(ports);
        let lookup = |name: &str| match name {
            "IRIS_PORT" => Some("13830".to_owned()),
            "IRIS_WEB_PORT" => Some("64631".to_owned()),
            _ => None,
        };
        base_entries(&spec(&base, override_tag, bind))
            .iter()
            .map(|advice| {
                let written = locate(text, &advice.mapping, &lookup).and_then(|(_, _, word)| word);
                format!("{}: {}", advice.describe(), advice.fix(written.as_deref()))
            })
            .collect()
    }

    #[test]
    fn the_recommended_entry_names_the_variable_the_default_and_the_bind() {
        assert_eq!(
            recommended(LOOPBACK, "IRIS_PORT", "1972", 1972),
            r#""127.0.0.1:${IRIS_PORT:-1972}:1972""#
        );
        assert_eq!(
            recommended("::1".parse().unwrap(), "IRIS_WEB_PORT", "52773", 52_773),
            r#""[::1]:${IRIS_WEB_PORT:-52773}:52773""#
        );
        assert_eq!(
            recommended(
                "0.0.0.0".parse().unwrap(),
                "IRIS_DEV_PORT_WEB_80",
                "8080",
                80
            ),
            r#""0.0.0.0:${IRIS_DEV_PORT_WEB_80:-8080}:80""#
        );
    }

    #[test]
    fn both_fixed_iris_ports_are_fixed_each_with_its_own_variable() {
        let text = "services:\n  iris:\n    ports: [\"1972:1972\", \"52773:52773\"]\n";
        assert_eq!(
            fixes(text, r#"["1972:1972", "52773:52773"]"#, false, LOOPBACK),
            [
                r#"IRIS's port 1972: replace `"1972:1972"` with `"127.0.0.1:${IRIS_PORT:-1972}:1972"`, or remove the entry (iris-dev publishes IRIS's ports itself)"#,
                r#"IRIS's port 52773: replace `"52773:52773"` with `"127.0.0.1:${IRIS_WEB_PORT:-52773}:52773"`, or remove the entry (iris-dev publishes IRIS's ports itself)"#,
            ]
        );
        assert!(
            fixes(text, r#"["1972:1972", "52773:52773"]"#, true, LOOPBACK).is_empty(),
            "`!override` replaces them"
        );
    }

    #[test]
    fn an_entry_on_every_interface_or_a_port_docker_picks_gets_the_same_spelling() {
        let text =
            "services:\n  iris:\n    ports:\n      - ${IRIS_PORT:-1972}:1972\n      - \"52773\"\n";
        assert_eq!(
            fixes(text, r#"["13830:1972", "52773"]"#, false, LOOPBACK),
            [
                r#"IRIS's port 1972: replace `${IRIS_PORT:-1972}:1972` with `"127.0.0.1:${IRIS_PORT:-1972}:1972"`, or remove the entry (iris-dev publishes IRIS's ports itself)"#,
                r#"IRIS's port 52773: replace `"52773"` with `"127.0.0.1:${IRIS_WEB_PORT:-52773}:52773"`, or remove the entry (iris-dev publishes IRIS's ports itself)"#,
            ]
        );
        // The recommended entry itself needs nothing, on the bind in use.
        let clean = "services:\n  iris:\n    ports: [\"127.0.0.1:${IRIS_PORT:-1972}:1972\"]\n";
        assert!(fixes(clean, r#"["127.0.0.1:13830:1972"]"#, false, LOOPBACK).is_empty());
        assert_eq!(
            fixes(
                clean,
                r#"["127.0.0.1:13830:1972"]"#,
                false,
                "0.0.0.0".parse().unwrap()
            ),
            [
                r#"IRIS's port 1972: replace `"127.0.0.1:${IRIS_PORT:-1972}:1972"` with `"0.0.0.0:${IRIS_PORT:-1972}:1972"`, or remove the entry (iris-dev publishes IRIS's ports itself)"#
            ]
        );
        let v6 = "services:\n  iris:\n    ports: [\"[::1]:${IRIS_PORT:-1972}:1972\"]\n";
        assert!(fixes(v6, r#"["[::1]:13830:1972"]"#, false, "::1".parse().unwrap()).is_empty());
    }

    #[test]
    fn a_stack_port_under_isolate_all_names_its_stack_variable_and_cannot_be_removed() {
        let config = ComposeConfig::parse(
            "services:\n  iris:\n    image: iris\n  web:\n    ports: [\"8080:80\"]\n",
        )
        .unwrap();
        let (iris, web) = (&config.services["iris"], &config.services["web"]);
        let mut spec = spec(iris, false, LOOPBACK);
        spec.stack = BTreeMap::from([("web", (web, BTreeMap::from([(80, 13_920)])))]);
        let advice = base_entries(&spec);
        assert_eq!(advice.len(), 1);
        assert_eq!(advice[0].describe(), "port 80 of service `web`");
        assert_eq!(
            advice[0].fix(Some("\"8080:80\"")),
            r#"replace `"8080:80"` with `"127.0.0.1:${IRIS_DEV_PORT_WEB_80:-8080}:80"`"#
        );
        spec.override_tag = true;
        assert!(base_entries(&spec).is_empty());
    }

    #[test]
    fn a_foreign_port_gets_a_port_docker_picks_or_a_variable() {
        assert_eq!(
            foreign_fix(Some(("web", 80)), 8080, Some("\"8080:80\"")),
            r#"replace `"8080:80"` with `"80"` (a port Docker picks), or with `"${WEB_PORT:-8080}:80"` and a free port in `WEB_PORT`"#
        );
        assert_eq!(
            foreign_fix(Some(("iris", 8080)), 8080, None),
            r#"publish it as `"8080"` (a port Docker picks), or with `"${IRIS_8080_PORT:-8080}:8080"` and a free port in `IRIS_8080_PORT`"#
        );
        assert_eq!(foreign_variable("my-db", 5432), "MY_DB_PORT");
    }

    #[test]
    fn entries_are_found_as_written_in_either_list_style() {
        let lookup = |_: &str| None;
        let mapping = |published: Option<&str>, target| PortMapping {
            host_ip: None,
            published: published.map(str::to_owned),
            target,
        };
        let text = "services:\n  iris:\n    expose: [\"1972\"]\n    ports:\n      # - \"1972\"\n      - '1972'\n      - 8080:80/tcp\n      - target: 5432\n        published: 5432\n";
        assert_eq!(
            locate(text, &mapping(None, 1972), &lookup),
            Some((6, "      - '1972'".to_owned(), Some("'1972'".to_owned())))
        );
        assert_eq!(
            locate(text, &mapping(Some("8080"), 80), &lookup).and_then(|found| found.2),
            Some("8080:80/tcp".to_owned())
        );
        assert_eq!(locate(text, &mapping(Some("5432"), 5432), &lookup), None);
        assert_eq!(
            written_default("\"${IRIS_PORT-1975}:1972\"").as_deref(),
            Some("1975")
        );
        assert_eq!(
            written_default("0.0.0.0:13838:1972").as_deref(),
            Some("13838")
        );
        assert_eq!(written_default("\"${IRIS_PORT}:1972\""), None);
        assert_eq!(written_default("\"1972\""), None);
    }
}
