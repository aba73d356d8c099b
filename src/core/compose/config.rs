//! `compose config` output, read as data: services, their images and ports, and
//! which service runs IRIS.
//!
//! Pure. Both compose generations are read: v1 prints ports in short (`"1972:1972"`)
//! or long form and drops `x-` extensions; v2 prints the long form with strings.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_norway::Value;

/// IRIS's superserver port inside the container.
/// Where IRIS keeps its system databases inside the installation; a volume over
/// it freezes them at the image they were first copied from (issue 7 §2).
pub const OLD_MGR: &str = "/usr/irissys/mgr";

pub const SUPERSERVER_PORT: u16 = 1972;
/// IRIS's web server port inside the container.
pub const WEB_PORT: u16 = 52773;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ComposeConfig {
    #[serde(default)]
    pub services: BTreeMap<String, Service>,
    /// Top-level volumes; an entry without a body (`data:`) is null.
    #[serde(default)]
    pub volumes: BTreeMap<String, Value>,
    #[serde(default)]
    pub networks: BTreeMap<String, Value>,
}

/// What a name that two projects could share belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Container,
    Volume,
    Network,
}

impl NameKind {
    /// The key that sets the name in a compose file.
    pub fn key(self) -> &'static str {
        match self {
            Self::Container => "container_name",
            Self::Volume | Self::Network => "name",
        }
    }
}

impl std::fmt::Display for NameKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Container => "container",
            Self::Volume => "volume",
            Self::Network => "network",
        })
    }
}

/// A name the stack fixes, which a second project with the same files would
/// share: a `container_name`, or a volume's or network's own `name:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedName {
    pub kind: NameKind,
    pub name: String,
    /// The service, volume or network that sets it.
    pub owner: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Service {
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub ports: Vec<Value>,
    #[serde(default)]
    pub expose: Vec<Value>,
    /// A fixed name, which keeps a second copy of the project from starting.
    #[serde(default)]
    pub container_name: Option<String>,
    /// A map (`NAME: value`) or a list (`NAME=value`, `NAME`); see
    /// [`Service::environment`].
    #[serde(default)]
    pub environment: Value,
    #[serde(default)]
    pub volumes: Vec<Value>,
    /// How long compose lets the container stop before it kills it; both
    /// compose generations print it as written (`60s`, `1m30s`).
    #[serde(default)]
    pub stop_grace_period: Option<Value>,
}

/// One `ports` entry, whatever its syntax.
#[derive(Debug, Clone, PartialEq)]
pub struct PortMapping {
    pub host_ip: Option<String>,
    /// The host port (or range) as written; `None` lets Docker choose.
    pub published: Option<String>,
    /// The first container port of the entry.
    pub target: u16,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServiceError {
    #[error("the compose file has no service `{name}` (services: {})", available.join(", "))]
    Unknown {
        name: String,
        available: Vec<String>,
    },
    #[error("no service runs IRIS: none uses an InterSystems IRIS image or exposes port 1972 (services: {})", available.join(", "))]
    NoCandidate { available: Vec<String> },
    #[error("several services could be IRIS: {}", candidates.join(", "))]
    Ambiguous { candidates: Vec<String> },
}

impl ComposeConfig {
    pub fn parse(yaml: &str) -> Result<Self, String> {
        serde_norway::from_str(yaml).map_err(|err| err.to_string())
    }

    /// The IRIS service: the one asked for, else the only candidate.
    pub fn iris_service(&self, requested: Option<&str>) -> Result<&str, ServiceError> {
        let available = || self.services.keys().cloned().collect::<Vec<_>>();
        if let Some(name) = requested {
            return self
                .services
                .get_key_value(name)
                .map(|(name, _)| name.as_str())
                .ok_or_else(|| ServiceError::Unknown {
                    name: name.to_owned(),
                    available: available(),
                });
        }
        let candidates: Vec<&str> = self
            .services
            .iter()
            .filter(|(_, service)| service.looks_like_iris())
            .map(|(name, _)| name.as_str())
            .collect();
        match candidates.as_slice() {
            [] => Err(ServiceError::NoCandidate {
                available: available(),
            }),
            [only] => Ok(only),
            _ => Err(ServiceError::Ambiguous {
                candidates: candidates.iter().map(|name| (*name).to_owned()).collect(),
            }),
        }
    }
}

impl Service {
    fn looks_like_iris(&self) -> bool {
        self.image.as_deref().is_some_and(is_iris_image)
            || self
                .port_mappings()
                .iter()
                .any(|port| port.target == SUPERSERVER_PORT)
            || self
                .expose
                .iter()
                .any(|value| first_port(&scalar(value)) == Some(SUPERSERVER_PORT))
    }

    /// The variables the service's `environment` sets to a value, in either
    /// syntax, with `compose config`'s `$$` read back as `$`. A name without a value (taken from the environment of compose,
    /// unresolved in the raw template) is left out: it sets nothing known.
    pub fn environment(&self) -> BTreeMap<String, String> {
        match &self.environment {
            Value::Mapping(map) => map
                .iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(name, value)| (scalar(name), unescape(&scalar(value))))
                .collect(),
            Value::Sequence(items) => items
                .iter()
                .filter_map(|item| {
                    let text = scalar(item);
                    let (name, value) = text.split_once('=')?;
                    Some((name.to_owned(), unescape(value)))
                })
                .collect(),
            _ => BTreeMap::new(),
        }
    }

    /// Whether a volume is mounted over `/usr/irissys/mgr` ([`OLD_MGR`]): IRIS's
    /// system databases then stay at the image they were first copied from.
    pub fn mounts_old_mgr(&self) -> bool {
        self.mount_targets().iter().any(|target| target == OLD_MGR)
    }

    /// The container paths the service mounts volumes on, in either syntax.
    pub fn mount_targets(&self) -> Vec<String> {
        self.volumes
            .iter()
            .filter_map(|volume| match volume {
                Value::Mapping(map) => map.get("target").map(scalar),
                other => {
                    let text = scalar(other);
                    let mut parts = text.split(':');
                    let first = parts.next()?.to_owned();
                    Some(parts.next().map_or(first, str::to_owned))
                }
            })
            .map(|target| target.trim_end_matches('/').to_owned())
            .collect()
    }

    pub fn port_mappings(&self) -> Vec<PortMapping> {
        self.ports
            .iter()
            .filter_map(PortMapping::from_value)
            .collect()
    }
}

/// A host port the stack publishes on a fixed number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedPort {
    pub service: String,
    pub host_ip: Option<String>,
    pub port: u16,
    /// The container port it forwards to.
    pub target: u16,
}

impl ComposeConfig {
    /// Every fixed host port of every service in the merged config (so of the
    /// active profiles only), ranges expanded, except what `iris_service`
    /// publishes for IRIS's own ports: iris-dev assigns those.
    pub fn fixed_host_ports(&self, iris_service: &str) -> Vec<FixedPort> {
        let mut fixed = Vec::new();
        for (name, service) in &self.services {
            for mapping in service.port_mappings() {
                let iris_port = [SUPERSERVER_PORT, WEB_PORT].contains(&mapping.target);
                if name == iris_service && iris_port {
                    continue;
                }
                let Some(published) = &mapping.published else {
                    continue;
                };
                let (first, last) = match published.split_once('-') {
                    Some((first, last)) => (first.trim().parse(), last.trim().parse()),
                    None => (published.trim().parse(), published.trim().parse()),
                };
                let (Ok(first), Ok(last)) = (first, last) else {
                    continue;
                };
                for (offset, port) in (first..=last).enumerate() {
                    fixed.push(FixedPort {
                        service: name.clone(),
                        host_ip: mapping.host_ip.clone(),
                        port,
                        target: mapping.target.saturating_add(offset as u16),
                    });
                }
            }
        }
        fixed
    }
}

impl ComposeConfig {
    /// The names the stack fixes for itself, which would collide with another
    /// project's (issue 8 §4). An `external` volume or network is meant to be
    /// shared and is left out, and so is a name compose gives by default
    /// (`<compose_project>_<key>`), which compose v2 prints for every entry.
    pub fn fixed_names(&self, compose_project: &str) -> Vec<FixedName> {
        let mut names: Vec<FixedName> = self
            .services
            .iter()
            .filter_map(|(service, definition)| {
                Some(FixedName {
                    kind: NameKind::Container,
                    name: definition.container_name.clone()?,
                    owner: service.clone(),
                })
            })
            .collect();
        for (kind, entries) in [
            (NameKind::Volume, &self.volumes),
            (NameKind::Network, &self.networks),
        ] {
            for (key, definition) in entries {
                let Value::Mapping(map) = definition else {
                    continue;
                };
                let external = map
                    .get("external")
                    .is_some_and(|external| !matches!(external, Value::Bool(false) | Value::Null));
                let Some(name) = map.get("name").map(scalar).filter(|name| !name.is_empty()) else {
                    continue;
                };
                if external || name == format!("{compose_project}_{key}") {
                    continue;
                }
                names.push(FixedName {
                    kind,
                    name,
                    owner: key.clone(),
                });
            }
        }
        names
    }
}

/// InterSystems' images: `intersystems/iris*`, `intersystemsdc/iris*` and anything
/// from `containers.intersystems.com`, with or without a registry, tag or digest.
pub fn is_iris_image(image: &str) -> bool {
    if image.starts_with("containers.intersystems.com/") {
        return true;
    }
    let image = image.strip_prefix("docker.io/").unwrap_or(image);
    ["intersystems/iris", "intersystemsdc/iris"]
        .iter()
        .any(|prefix| image.starts_with(prefix))
}

impl PortMapping {
    pub fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Mapping(map) => {
                let field = |name: &str| map.get(name).map(scalar).filter(|text| !text.is_empty());
                Some(Self {
                    host_ip: field("host_ip"),
                    published: field("published"),
                    target: first_port(&field("target")?)?,
                })
            }
            other => Self::parse_short(&scalar(other)),
        }
    }

    /// `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`, with `[v6]` addresses.
    pub fn parse_short(text: &str) -> Option<Self> {
        let text = text.split('/').next()?;
        let (host_ip, rest) = match text.strip_prefix('[') {
            Some(v6) => {
                let (ip, rest) = v6.split_once("]:")?;
                (Some(ip.to_owned()), rest)
            }
            None => (None, text),
        };
        let parts: Vec<&str> = rest.split(':').collect();
        let (host_ip, published, target) = match (host_ip, parts.as_slice()) {
            (None, [target]) => (None, None, *target),
            (None, [published, target]) => (None, Some(*published), *target),
            (None, [ip, published, target]) => (Some((*ip).to_owned()), Some(*published), *target),
            (Some(ip), [published, target]) => (Some(ip), Some(*published), *target),
            _ => return None,
        };
        Some(Self {
            host_ip: host_ip.filter(|ip| !ip.is_empty()),
            published: published.filter(|port| !port.is_empty()).map(str::to_owned),
            target: first_port(target)?,
        })
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        _ => String::new(),
    }
}

/// A value as the container gets it: `compose config` prints a literal `$` as
/// `$$`, so its output stays a valid compose file.
fn unescape(value: &str) -> String {
    value.replace("$$", "$")
}

/// Compose's variable substitution, for the built-in template, whose config
/// iris-dev reads without running compose; the result reads like `compose
/// config` output, where a literal `$` stays `$$`. Handles `$NAME`, `${NAME}`,
/// `${NAME:-default}` (unset or empty) and `${NAME-default}` (unset);
/// `${NAME:?message}` and `${NAME?message}` give the value or nothing.
/// <https://docs.docker.com/reference/compose-file/interpolation/>
pub fn interpolate(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            // Kept escaped, as `compose config` prints a literal `$`.
            out.push_str("$$");
            rest = after;
        } else if let Some(braced) = rest.strip_prefix('{') {
            let Some(end) = braced.find('}') else {
                out.push('$');
                continue;
            };
            let expression = &braced[..end];
            rest = &braced[end + 1..];
            let name_end = expression
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(expression.len());
            let (name, modifier) = expression.split_at(name_end);
            let value = lookup(name);
            let replacement = if let Some(default) = modifier.strip_prefix(":-") {
                value
                    .filter(|value| !value.is_empty())
                    .unwrap_or_else(|| default.to_owned())
            } else if let Some(default) = modifier.strip_prefix('-') {
                value.unwrap_or_else(|| default.to_owned())
            } else {
                value.unwrap_or_default()
            };
            out.push_str(&replacement);
        } else {
            let name_end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if name_end == 0 {
                out.push('$');
                continue;
            }
            out.push_str(&lookup(&rest[..name_end]).unwrap_or_default());
            rest = &rest[name_end..];
        }
    }
    out.push_str(rest);
    out
}

/// `1972` of `1972`, `1972-1980` or `1972/tcp`.
/// The first port of `1972`, `1972-1975` or `1972/tcp`; never 0, which is no
/// container port (found by the fuzz target `compose_config`).
fn first_port(text: &str) -> Option<u16> {
    text.split(['-', '/'])
        .next()?
        .trim()
        .parse()
        .ok()
        .filter(|&port| port != 0)
}

impl ServiceError {
    /// How to pick the IRIS service, as the user would type it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::Unknown { .. } => vec!["pick one of those with `--service <name>`".into()],
            Self::NoCandidate { .. } | Self::Ambiguous { .. } => vec![
                "pick one with `iris-dev up --service <name>`, or in the compose file: \
                 `x-iris-dev: {service: <name>}`"
                    .into(),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the fuzz target `compose_config`: `0` read as container port 0.
    #[test]
    fn container_port_zero_is_no_entry() {
        assert_eq!(PortMapping::parse_short("0"), None);
        assert_eq!(PortMapping::parse_short("127.0.0.1:1972:0/tcp"), None);
        assert_eq!(PortMapping::parse_short("0-3").map(|m| m.target), None);
        assert_eq!(
            PortMapping::parse_short("1972").map(|m| m.target),
            Some(1972)
        );
    }

    #[test]
    fn environment_in_both_syntaxes() {
        let config = ComposeConfig::parse(
            "services:\n  map:\n    environment:\n      IRIS_NAMESPACE: APP\n      IRIS_PASSWORD: 1$$23\n      FROM_HOST: null\n  list:\n    environment:\n      - IRIS_USERNAME=me\n      - FROM_HOST\n      - EMPTY=\n",
        )
        .unwrap();
        let map = config.services["map"].environment();
        assert_eq!(map.get("IRIS_NAMESPACE").map(String::as_str), Some("APP"));
        assert_eq!(map.get("IRIS_PASSWORD").map(String::as_str), Some("1$23"));
        assert!(!map.contains_key("FROM_HOST"));
        let list = config.services["list"].environment();
        assert_eq!(list.get("IRIS_USERNAME").map(String::as_str), Some("me"));
        assert_eq!(list.get("EMPTY").map(String::as_str), Some(""));
        assert!(!list.contains_key("FROM_HOST"));
    }

    #[test]
    fn a_volume_over_the_old_mgr_directory_is_the_old_layout() {
        let config = ComposeConfig::parse(
            "services:\n  old:\n    volumes:\n      - data:/usr/irissys/mgr/\n  durable:\n    volumes:\n      - data:/durable\n      - ./x:/usr/irissys/mgr/user\n",
        )
        .unwrap();
        assert!(config.services["old"].mounts_old_mgr());
        assert!(!config.services["durable"].mounts_old_mgr());
    }

    #[test]
    fn mount_targets_in_both_syntaxes() {
        let config = ComposeConfig::parse(
            "services:\n  iris:\n    volumes:\n      - data:/usr/irissys/mgr/\n      - /anonymous\n      - ./x:/y:ro\n      - type: volume\n        source: d\n        target: /durable\n",
        )
        .unwrap();
        assert_eq!(
            config.services["iris"].mount_targets(),
            ["/usr/irissys/mgr", "/anonymous", "/y", "/durable"]
        );
    }

    #[test]
    fn interpolates_like_compose() {
        let lookup = |name: &str| match name {
            "SET" => Some("value".to_owned()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        assert_eq!(
            interpolate(
                "a ${SET} ${UNSET:-d1} ${EMPTY:-d2} ${EMPTY-d3} ${UNSET-d4} $SET $$SET ${UNSET} $ end",
                &lookup
            ),
            "a value d1 d2  d4 value $$SET  $ end"
        );
    }

    const V1: &str = "services:
  iris:
    image: intersystemsdc/iris-community:latest
    ports:
    - published: 1972
      target: 1972
    - 127.0.0.1:1973:52773/tcp
    - target: 8080
  web:
    image: nginx
    expose:
    - '9999'
version: '3.9'
";

    const V2: &str = r#"name: shop
services:
  db:
    image: postgres
  app:
    image: registry.local/app
    expose:
      - "1972"
    ports:
      - mode: ingress
        host_ip: 127.0.0.1
        target: 1972
        published: "41972"
        protocol: tcp
"#;

    #[test]
    fn reads_v1_ports_in_both_forms() {
        let config = ComposeConfig::parse(V1).unwrap();
        assert_eq!(config.iris_service(None), Ok("iris"));
        let ports = config.services["iris"].port_mappings();
        assert_eq!(
            ports,
            [
                PortMapping {
                    host_ip: None,
                    published: Some("1972".into()),
                    target: 1972
                },
                PortMapping {
                    host_ip: Some("127.0.0.1".into()),
                    published: Some("1973".into()),
                    target: 52_773
                },
                PortMapping {
                    host_ip: None,
                    published: None,
                    target: 8080
                },
            ]
        );
    }

    #[test]
    fn a_service_exposing_1972_is_iris() {
        let config = ComposeConfig::parse(V2).unwrap();
        assert_eq!(config.iris_service(None), Ok("app"));
        assert_eq!(
            config.services["app"].port_mappings()[0]
                .published
                .as_deref(),
            Some("41972")
        );
    }

    #[test]
    fn picking_names_the_choices() {
        let config = ComposeConfig::parse(V1).unwrap();
        assert_eq!(config.iris_service(Some("web")), Ok("web"));
        assert_eq!(
            config.iris_service(Some("iriss")).unwrap_err().to_string(),
            "the compose file has no service `iriss` (services: iris, web)"
        );
        let two = ComposeConfig::parse(
            "services:\n  a: {image: intersystems/iris:2024.1}\n  b: {ports: ['1972']}\n",
        )
        .unwrap();
        assert_eq!(
            two.iris_service(None).unwrap_err().to_string(),
            "several services could be IRIS: a, b"
        );
        let none = ComposeConfig::parse("services:\n  web: {image: nginx}\n").unwrap();
        assert!(matches!(
            none.iris_service(None),
            Err(ServiceError::NoCandidate { .. })
        ));
    }

    #[test]
    fn iris_images() {
        for image in [
            "intersystemsdc/iris-community:latest",
            "docker.io/intersystems/iris:2024.1",
            "containers.intersystems.com/intersystems/irishealth-community:2024.1",
            "intersystemsdc/iris-ml-community@sha256:00",
        ] {
            assert!(is_iris_image(image), "{image}");
        }
        for image in ["nginx", "myiris", "ghcr.io/intersystems/iris"] {
            assert!(!is_iris_image(image), "{image}");
        }
    }

    #[test]
    fn short_syntax() {
        let parse = |text| PortMapping::parse_short(text).unwrap();
        assert_eq!(parse("1972").published, None);
        assert_eq!(parse("[::1]:1972:1972").host_ip.as_deref(), Some("::1"));
        assert_eq!(parse("0.0.0.0:1972-1975:1972-1975/tcp").target, 1972);
        assert_eq!(parse("${IRIS_PORT:-1972}:1972").target, 1972);
        assert!(PortMapping::parse_short("a:b:c:d").is_none());
    }

    #[test]
    fn fixed_names_from_v1_config() {
        let config = ComposeConfig::parse(
            "services:
  iris:
    container_name: my-iris
    image: intersystemsdc/iris-community
  web:
    image: nginx
networks:
  shared:
    external: true
    name: proxy
  own:
    name: shop-net
volumes:
  data: {}
  durable:
    name: iris-durable
  old:
    external:
      name: legacy
version: '3.9'
",
        )
        .unwrap();
        let names: Vec<(NameKind, String, String)> = config
            .fixed_names("shop")
            .into_iter()
            .map(|fixed| (fixed.kind, fixed.name, fixed.owner))
            .collect();
        let expected = [
            (NameKind::Container, "my-iris", "iris"),
            (NameKind::Volume, "iris-durable", "durable"),
            (NameKind::Network, "shop-net", "own"),
        ]
        .map(|(kind, name, owner)| (kind, name.to_owned(), owner.to_owned()));
        assert_eq!(names, expected);
    }

    #[test]
    fn fixed_names_from_v2_config_leave_out_default_names() {
        let config = ComposeConfig::parse(
            "name: shop
services:
  iris:
    container_name: shop-iris
    image: intersystemsdc/iris-community
networks:
  default:
    name: shop_default
  proxy:
    name: proxy
    external: true
volumes:
  data:
    name: shop_data
  durable:
    name: iris-durable
",
        )
        .unwrap();
        let names: Vec<(NameKind, String)> = config
            .fixed_names("shop")
            .into_iter()
            .map(|fixed| (fixed.kind, fixed.name))
            .collect();
        assert_eq!(
            names,
            [
                (NameKind::Container, "shop-iris".to_owned()),
                (NameKind::Volume, "iris-durable".to_owned()),
            ]
        );
        assert_eq!(NameKind::Volume.key(), "name");
    }

    #[test]
    fn fixed_host_ports_of_every_service_but_irises_own() {
        let config = ComposeConfig::parse(
            "services:
  iris:
    image: intersystemsdc/iris-community
    ports: [\"1972:1972\", \"8080:80\", \"52773\"]
  db:
    ports:
    - target: 5432
      published: \"5432\"
      host_ip: 127.0.0.1
    - \"9000-9001:7000-7001\"
    - \"6000\"
",
        )
        .unwrap();
        let fixed: Vec<(String, u16, u16)> = config
            .fixed_host_ports("iris")
            .into_iter()
            .map(|fixed| (fixed.service, fixed.port, fixed.target))
            .collect();
        assert_eq!(
            fixed,
            [
                ("db".to_owned(), 5432, 5432),
                ("db".to_owned(), 9000, 7000),
                ("db".to_owned(), 9001, 7001),
                ("iris".to_owned(), 8080, 80),
            ]
        );
    }
}
