//! The registry file's contents: parsing, validation and serialisation.
//!
//! The shape is iris-devtester's (`iris_devtester/ports/assignment.py`): a
//! `schema_version` and a list of assignments with six fields. Fields of ours are
//! optional, because Python rewrites the file with its six fields only, and every
//! key we do not know is carried through a rewrite untouched. Pure: bytes in,
//! bytes out; the store decides where they come from.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::core::timestamp::Timestamp;

/// The schema this build reads and writes.
pub const SCHEMA_VERSION: &str = "1.0";

/// The top-level key that keeps a copy of iris-dev's fields of every
/// assignment, by project path. iris-devtester rewrites each entry with its six
/// fields only but keeps unknown top-level keys, so an entry that lost its
/// fields to such a rewrite gets them back from here while its port is the same
/// (issue 16 §3). The per-entry fields stay the ones read and written first.
pub const STACKS_KEY: &str = "iris_dev_stacks";

/// The per-entry fields that are iris-dev's, not iris-devtester's: the ones
/// [`STACKS_KEY`] keeps.
const IRIS_DEV_FIELDS: [&str; 8] = [
    "web_port",
    "inactive_since",
    "engine",
    "compose_project",
    "compose_service",
    "started_at",
    "stack_ports",
    "bind",
];

/// The top-level key of [`Registry::evictions`].
const EVICTIONS_KEY: &str = "iris_dev_evictions";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Registry {
    pub schema_version: String,
    pub assignments: Vec<Assignment>,
    /// Projects whose ports another project took over while they were released
    /// or stale, until their next resolution tells them. A top-level key, because
    /// iris-devtester drops unknown fields of an assignment when it rewrites the
    /// file but keeps unknown top-level keys.
    #[serde(
        rename = "iris_dev_evictions",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub evictions: Vec<Eviction>,
    /// Top-level keys written by a newer tool, kept as they are.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A project's released or stale assignment that another project took the
/// ports of (see [`crate::core::registry::transition::record_evictions`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Eviction {
    pub project_path: String,
    #[serde(deserialize_with = "deserialize_port")]
    pub port: u16,
    #[serde(default, deserialize_with = "deserialize_optional_port")]
    pub web_port: Option<u16>,
    /// The Docker endpoint the ports were for; absent for the local engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// The project that took them.
    pub taken_by: String,
    pub at: Timestamp,
    /// The range that had no other port free; absent when `taken_by` asked for
    /// the ports by number (a pin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Assignment {
    /// Absolute path of the project root; the key of the assignment.
    pub project_path: String,
    /// Host port published for the IRIS superserver (container port 1972).
    #[serde(deserialize_with = "deserialize_port")]
    pub port: u16,
    pub assigned_at: Timestamp,
    pub assignment_type: AssignmentType,
    pub status: Status,
    /// Python's own field. iris-devtester's `cleanup_stale` deletes entries whose
    /// `container_name` is not a running `iris_*` container, so we leave it as we
    /// found it.
    #[serde(default)]
    pub container_name: Option<String>,
    /// Host port published for the management portal (container port 52773).
    /// Missing in entries written by Python; then it is the paired port.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_optional_port"
    )]
    pub web_port: Option<u16>,
    /// When the assignment stopped being active, for least-recently-used reuse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactive_since: Option<Timestamp>,
    /// The Docker endpoint the ports are for; absent for the local engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// Set once `iris-dev up` has started containers: the compose project they
    /// belong to. Only such assignments can go stale; one made by `port` alone is
    /// a reservation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compose_project: Option<String>,
    /// The compose service that runs IRIS, with `compose_project`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compose_service: Option<String>,
    /// When `up` last recorded the stack started, its containers created: a
    /// container listing asked for before then cannot tell the stack is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    /// With `isolate: all`, the host port of every other fixed port the stack
    /// publishes, by `service:container port` (`web:80`). Python drops it when it
    /// rewrites the file; the next `up` assigns them again.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "deserialize_port_map"
    )]
    pub stack_ports: BTreeMap<String, u16>,
    /// The host address `up` published the stack on, when not the default
    /// `127.0.0.1`; `status` and `env` build their addresses from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    /// Keys written by a newer tool, kept as they are.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssignmentType {
    /// Picked by iris-dev or iris-devtester from the range.
    Auto,
    /// Pinned by the user.
    Manual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Released,
    Stale,
}

impl fmt::Display for AssignmentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::Manual => "manual",
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Active => "active",
            Self::Released => "released",
            Self::Stale => "stale",
        })
    }
}

/// What is wrong with a registry file's contents.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ContentError {
    #[error("the file is empty")]
    Empty,
    #[error("it is not valid JSON: {0}")]
    Syntax(String),
    #[error("{0}")]
    Shape(String),
}

/// The paired web portal port: 52773 + (port - 1972), as IRIS's own defaults pair.
pub fn paired_web_port(port: u16) -> Option<u16> {
    u16::try_from(52_773 + i32::from(port) - 1972)
        .ok()
        .filter(|&web| web != 0)
}

impl Registry {
    pub fn empty() -> Self {
        Self {
            schema_version: SCHEMA_VERSION.to_owned(),
            assignments: Vec::new(),
            evictions: Vec::new(),
            extra: Map::new(),
        }
    }

    /// Parses and validates a registry file's bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, ContentError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ContentError::Empty);
        }
        let value: Value =
            serde_json::from_slice(bytes).map_err(|err| ContentError::Syntax(err.to_string()))?;
        let Value::Object(mut top) = value else {
            return Err(shape(format!(
                "expected an object with `schema_version` and `assignments`, found {}",
                kind(&value)
            )));
        };
        // `shift_remove`: the keys of other tools keep their order, so a
        // rewrite changes none of their bytes (`remove` would swap the last
        // key into the gap; found by the fuzz target `registry`).
        let schema_version = match top.shift_remove("schema_version") {
            Some(Value::String(version)) => version,
            Some(other) => {
                return Err(shape(format!(
                    "`schema_version` must be a string such as \"{SCHEMA_VERSION}\", found {}",
                    kind(&other)
                )));
            }
            None => return Err(shape("`schema_version` is missing".to_owned())),
        };
        if parse_version(&schema_version).is_none_or(|version| version < (1, 0)) {
            return Err(shape(format!(
                "`schema_version` \"{schema_version}\" is not one iris-dev knows (expected \"{SCHEMA_VERSION}\")"
            )));
        }
        let stacks = match top.shift_remove(STACKS_KEY) {
            Some(Value::Object(stacks)) => stacks,
            _ => Map::new(),
        };
        let assignments = match top.shift_remove("assignments") {
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| with_kept_fields(item, &stacks))
                .enumerate()
                .map(|(index, item)| parse_assignment(index, item))
                .collect::<Result<Vec<_>, _>>()?,
            Some(other) => {
                return Err(shape(format!(
                    "`assignments` must be a list, found {}",
                    kind(&other)
                )));
            }
            None => return Err(shape("`assignments` is missing".to_owned())),
        };
        let evictions = match top.shift_remove(EVICTIONS_KEY) {
            None => Vec::new(),
            Some(value) => serde_json::from_value(value)
                .map_err(|err| shape(format!("`{EVICTIONS_KEY}`: {err}")))?,
        };
        Ok(Self {
            schema_version,
            assignments,
            evictions,
            extra: top,
        })
    }

    /// Whether the file was written by a newer schema than this build knows, in
    /// which case it is read but never rewritten.
    pub fn is_newer_schema(&self) -> bool {
        parse_version(&self.schema_version).is_some_and(|version| version > (1, 0))
    }

    /// The file's bytes: two-space indented like Python's `json.dump(indent=2)`,
    /// with [`STACKS_KEY`] last.
    pub fn to_json(&self) -> Vec<u8> {
        let mut value = serde_json::to_value(self).expect("registry serialises to JSON");
        let stacks: Map<String, Value> = value["assignments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let entry = entry.as_object()?;
                let mut kept: Map<String, Value> = entry
                    .iter()
                    .filter(|(key, _)| IRIS_DEV_FIELDS.contains(&key.as_str()))
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect();
                if kept.is_empty() {
                    return None;
                }
                kept.insert("port".to_owned(), entry.get("port")?.clone());
                Some((
                    entry.get("project_path")?.as_str()?.to_owned(),
                    Value::Object(kept),
                ))
            })
            .collect();
        let top = value.as_object_mut().expect("the registry is an object");
        top.remove(STACKS_KEY);
        if !stacks.is_empty() {
            top.insert(STACKS_KEY.to_owned(), Value::Object(stacks));
        }
        let mut bytes = serde_json::to_vec_pretty(&value).expect("registry serialises to JSON");
        bytes.push(b'\n');
        bytes
    }

    /// The project's assignment. Python keeps one per project and reads the first.
    pub fn find(&self, project: &str) -> Option<&Assignment> {
        self.assignments
            .iter()
            .find(|assignment| assignment.project_path == project)
    }

    pub fn find_mut(&mut self, project: &str) -> Option<&mut Assignment> {
        self.assignments
            .iter_mut()
            .find(|assignment| assignment.project_path == project)
    }

    pub fn position(&self, project: &str) -> Option<usize> {
        self.assignments
            .iter()
            .position(|assignment| assignment.project_path == project)
    }

    /// Removes every assignment of `project`; returns the first one removed.
    pub fn remove(&mut self, project: &str) -> Option<Assignment> {
        let first = self
            .position(project)
            .map(|index| self.assignments[index].clone());
        self.assignments
            .retain(|assignment| assignment.project_path != project);
        first
    }
}

impl Assignment {
    /// The web portal port, paired when the entry does not say.
    pub fn effective_web_port(&self) -> Option<u16> {
        self.web_port.or_else(|| paired_web_port(self.port))
    }

    /// Every host port the assignment holds: the IRIS pair and its stack ports.
    pub fn ports(&self) -> impl Iterator<Item = u16> {
        std::iter::once(self.port)
            .chain(self.effective_web_port())
            .chain(self.stack_ports.values().copied())
    }

    /// Whether the entry has none of iris-dev's fields, as after iris-devtester
    /// rewrote the file (it keeps its own six only).
    pub fn lacks_iris_dev_fields(&self) -> bool {
        self.web_port.is_none()
            && self.compose_project.is_none()
            && self.compose_service.is_none()
            && self.stack_ports.is_empty()
    }

    pub fn is_active(&self) -> bool {
        self.status == Status::Active
    }

    /// When the assignment was last in use, for least-recently-used reuse.
    pub fn last_used(&self) -> &Timestamp {
        self.inactive_since.as_ref().unwrap_or(&self.assigned_at)
    }
}

/// `item` with the fields [`STACKS_KEY`] kept for its project put back, when it
/// has none of iris-dev's fields (iris-devtester rewrote it) and still holds the
/// port they were kept with.
fn with_kept_fields(mut item: Value, stacks: &Map<String, Value>) -> Value {
    let Some(entry) = item.as_object_mut() else {
        return item;
    };
    if IRIS_DEV_FIELDS
        .iter()
        .any(|field| entry.contains_key(*field))
    {
        return item;
    }
    let kept = entry
        .get("project_path")
        .and_then(Value::as_str)
        .and_then(|path| stacks.get(path))
        .and_then(Value::as_object)
        .filter(|kept| kept.get("port").is_some() && kept.get("port") == entry.get("port"));
    if let Some(kept) = kept {
        for field in IRIS_DEV_FIELDS {
            if let Some(value) = kept.get(field) {
                entry.insert(field.to_owned(), value.clone());
            }
        }
    }
    item
}

fn parse_assignment(index: usize, item: Value) -> Result<Assignment, ContentError> {
    let project = item
        .get("project_path")
        .and_then(Value::as_str)
        .map(|path| format!(" ({path})"))
        .unwrap_or_default();
    serde_json::from_value(item)
        .map_err(|err| shape(format!("assignments[{index}]{project}: {err}")))
}

fn parse_version(version: &str) -> Option<(u64, u64)> {
    let (major, minor) = version.split_once('.').unwrap_or((version, "0"));
    Some((major.parse().ok()?, minor.parse().ok()?))
}

fn shape(message: String) -> ContentError {
    ContentError::Shape(message)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn deserialize_port<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u16, D::Error> {
    let value = Value::deserialize(deserializer)?;
    let Some(number) = value.as_i64() else {
        return Err(serde::de::Error::custom(format_args!(
            "port {value} is not a whole number from 1 to 65535"
        )));
    };
    u16::try_from(number)
        .ok()
        .filter(|&port| port != 0)
        .ok_or_else(|| {
            serde::de::Error::custom(format_args!("port {number} is out of range 1-65535"))
        })
}

fn deserialize_optional_port<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u16>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(value) => deserialize_port(value)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

fn deserialize_port_map<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, u16>, D::Error> {
    match Option::<BTreeMap<String, Value>>::deserialize(deserializer)? {
        None => Ok(BTreeMap::new()),
        Some(map) => map
            .into_iter()
            .map(|(key, value)| {
                deserialize_port(value)
                    .map(|port| (key, port))
                    .map_err(serde::de::Error::custom)
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the fuzz target `registry`: each parse swapped the last
    /// top-level key into the place of one it took out, so other tools' keys
    /// moved on every rewrite.
    #[test]
    fn other_tools_top_level_keys_keep_their_order() {
        let text =
            br#"{"first": 1, "schema_version": "1.0", "second": 2, "assignments": [], "third": 3}"#;
        let once = Registry::parse(text).unwrap().to_json();
        let keys = |bytes: &[u8]| -> Vec<String> {
            serde_json::from_slice::<Value>(bytes)
                .unwrap()
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(
            keys(&once),
            ["schema_version", "assignments", "first", "second", "third"]
        );
        assert_eq!(Registry::parse(&once).unwrap().to_json(), once);
    }

    const PYTHON_FILE: &str = r#"{
  "schema_version": "1.0",
  "assignments": [
    {
      "project_path": "/home/dev/alpha",
      "port": 1972,
      "assigned_at": "2026-11-29T10:00:00.000001",
      "assignment_type": "auto",
      "status": "active",
      "container_name": null
    }
  ]
}"#;

    #[test]
    fn reads_a_file_written_by_python() {
        let registry = Registry::parse(PYTHON_FILE.as_bytes()).unwrap();
        let alpha = registry.find("/home/dev/alpha").unwrap();
        assert_eq!(alpha.port, 1972);
        assert_eq!(alpha.web_port, None);
        assert_eq!(alpha.effective_web_port(), Some(52_773));
        assert!(!registry.is_newer_schema());
    }

    #[test]
    fn keeps_unknown_keys_and_python_timestamps_through_a_rewrite() {
        let text = r#"{"schema_version": "1.0", "owner": "ci",
            "assignments": [{"project_path": "/p", "port": 2000,
            "assigned_at": "2026-11-29T10:00:00", "assignment_type": "manual",
            "status": "released", "container_name": "iris_p", "note": [1, 2]}]}"#;
        let registry = Registry::parse(text.as_bytes()).unwrap();
        let rewritten: Value = serde_json::from_slice(&registry.to_json()).unwrap();
        let original: Value = serde_json::from_str(text).unwrap();
        assert_eq!(rewritten, original);
    }

    #[test]
    fn evictions_are_a_top_level_key_read_and_written_back() {
        let text = r#"{"schema_version": "1.0", "assignments": [], "owner": "ci",
            "iris_dev_evictions": [{"project_path": "/shop", "port": 1973, "web_port": 52774,
            "taken_by": "/billing", "at": "2026-11-29T10:00:00+00:00", "range": "1972-1973"}]}"#;
        let registry = Registry::parse(text.as_bytes()).unwrap();
        assert_eq!(registry.evictions.len(), 1);
        let shop = &registry.evictions[0];
        assert_eq!((shop.port, shop.web_port), (1973, Some(52_774)));
        assert_eq!(
            (shop.taken_by.as_str(), shop.engine.as_deref()),
            ("/billing", None)
        );
        assert!(!registry.extra.contains_key("iris_dev_evictions"));
        let rewritten: Value = serde_json::from_slice(&registry.to_json()).unwrap();
        let original: Value = serde_json::from_str(text).unwrap();
        assert_eq!(rewritten, original);

        let empty = String::from_utf8(Registry::empty().to_json()).unwrap();
        assert!(!empty.contains("iris_dev_evictions"), "{empty}");
        let bad =
            r#"{"schema_version": "1.0", "assignments": [], "iris_dev_evictions": [{"port": 1}]}"#;
        let error = Registry::parse(bad.as_bytes()).unwrap_err().to_string();
        assert!(
            error.contains("`iris_dev_evictions`: missing field `project_path`"),
            "{error}"
        );
    }

    #[test]
    fn writes_python_field_order_with_null_container_name() {
        let mut registry = Registry::parse(PYTHON_FILE.as_bytes()).unwrap();
        registry.assignments[0].web_port = Some(52_773);
        let text = String::from_utf8(registry.to_json()).unwrap();
        let keys: Vec<_> = text
            .lines()
            .filter_map(|line| line.trim().strip_prefix('"')?.split_once('"'))
            .map(|(key, _)| key)
            .collect();
        assert_eq!(
            keys,
            [
                "schema_version",
                "assignments",
                "project_path",
                "port",
                "assigned_at",
                "assignment_type",
                "status",
                "container_name",
                "web_port",
                STACKS_KEY,
                "/home/dev/alpha",
                "web_port",
                "port"
            ]
        );
        assert!(text.contains("\"container_name\": null"));
    }

    /// What iris-devtester does on every write: each entry with its six fields.
    fn python_rewrite(bytes: &[u8]) -> Vec<u8> {
        let mut value: Value = serde_json::from_slice(bytes).unwrap();
        for entry in value["assignments"].as_array_mut().unwrap() {
            let entry = entry.as_object_mut().unwrap();
            entry.retain(|key, _| {
                [
                    "project_path",
                    "port",
                    "assigned_at",
                    "assignment_type",
                    "status",
                    "container_name",
                ]
                .contains(&key.as_str())
            });
        }
        serde_json::to_vec(&value).unwrap()
    }

    #[test]
    fn iris_devs_fields_survive_a_python_rewrite_while_the_port_is_the_same() {
        let mut registry = Registry::parse(PYTHON_FILE.as_bytes()).unwrap();
        let alpha = &mut registry.assignments[0];
        alpha.web_port = Some(52_800);
        alpha.engine = Some("ssh://far".into());
        alpha.compose_project = Some("alpha".into());
        alpha.compose_service = Some("iris".into());
        alpha.started_at = Some(Timestamp::parse("2026-11-29T10:00:00+00:00").unwrap());
        alpha.inactive_since = Some(Timestamp::parse("2026-11-29T11:00:00+00:00").unwrap());
        alpha.stack_ports = BTreeMap::from([("web:80".to_owned(), 21_000)]);
        alpha.bind = Some("0.0.0.0".into());
        let written = registry.to_json();

        // Every field of ours is kept: none is missing from IRIS_DEV_FIELDS.
        let entry: Value = serde_json::from_slice(&written).unwrap();
        let ours: Vec<&String> = entry["assignments"][0]
            .as_object()
            .unwrap()
            .keys()
            .filter(|key| !PYTHON_FILE.contains(&format!("\"{key}\"")))
            .collect();
        assert_eq!(ours, IRIS_DEV_FIELDS.iter().collect::<Vec<_>>());

        let rewritten = python_rewrite(&written);
        let restored = Registry::parse(&rewritten).unwrap();
        assert_eq!(restored, registry);
        assert_eq!(restored.to_json(), written, "byte for byte");

        // Python gave the project another port: the kept fields are not its.
        let mut moved: Value = serde_json::from_slice(&rewritten).unwrap();
        moved["assignments"][0]["port"] = 1975.into();
        let moved = Registry::parse(&serde_json::to_vec(&moved).unwrap()).unwrap();
        assert!(moved.assignments[0].lacks_iris_dev_fields());
        assert_eq!(moved.assignments[0].engine, None);
        assert!(
            !String::from_utf8(moved.to_json())
                .unwrap()
                .contains(STACKS_KEY)
        );
    }

    #[test]
    fn names_what_is_wrong() {
        let cases = [
            ("", "the file is empty"),
            ("  \n", "the file is empty"),
            ("{\"schema_version\": \"1.0\", \"assign", "not valid JSON"),
            (
                "[]",
                "expected an object with `schema_version` and `assignments`, found a list",
            ),
            ("{\"assignments\": []}", "`schema_version` is missing"),
            (
                "{\"schema_version\": 1, \"assignments\": []}",
                "must be a string",
            ),
            (
                "{\"schema_version\": \"0.3\", \"assignments\": []}",
                "\"0.3\" is not one iris-dev knows",
            ),
            ("{\"schema_version\": \"1.0\"}", "`assignments` is missing"),
            (
                "{\"schema_version\": \"1.0\", \"assignments\": {}}",
                "must be a list, found an object",
            ),
            (
                r#"{"schema_version": "1.0", "assignments": [{"project_path": "/p", "port": 70000,
                "assigned_at": "2026-11-29T10:00:00", "assignment_type": "auto", "status": "active"}]}"#,
                "assignments[0] (/p): port 70000 is out of range 1-65535",
            ),
            (
                r#"{"schema_version": "1.0", "assignments": [{"project_path": "/p", "port": 0,
                "assigned_at": "2026-11-29T10:00:00", "assignment_type": "auto", "status": "active"}]}"#,
                "port 0 is out of range 1-65535",
            ),
            (
                r#"{"schema_version": "1.0", "assignments": [{"project_path": "/p", "port": 1972,
                "web_port": -1, "assigned_at": "2026-11-29T10:00:00", "assignment_type": "auto",
                "status": "active"}]}"#,
                "port -1 is out of range 1-65535",
            ),
            (
                r#"{"schema_version": "1.0", "assignments": [{"project_path": "/p", "port": 1972,
                "assigned_at": "2026-11-29T10:00:00", "assignment_type": "auto", "status": "gone"}]}"#,
                "unknown variant `gone`",
            ),
            (
                r#"{"schema_version": "1.0", "assignments": [{"port": 1972}]}"#,
                "assignments[0]: missing field `project_path`",
            ),
        ];
        for (text, expected) in cases {
            let error = Registry::parse(text.as_bytes()).unwrap_err().to_string();
            assert!(
                error.contains(expected),
                "{text:?}: {error:?} lacks {expected:?}"
            );
        }
    }

    #[test]
    fn newer_schema_reads_but_is_flagged() {
        let registry =
            Registry::parse(br#"{"schema_version": "1.1", "assignments": [], "x": 1}"#).unwrap();
        assert!(registry.is_newer_schema());
    }

    #[test]
    fn web_port_pairing() {
        assert_eq!(paired_web_port(1972), Some(52_773));
        assert_eq!(paired_web_port(1981), Some(52_782));
        assert_eq!(paired_web_port(12_000), Some(62_801));
        assert_eq!(paired_web_port(14_734), Some(65_535));
        assert_eq!(paired_web_port(14_735), None);
        assert_eq!(paired_web_port(1), Some(50_802));
    }

    #[test]
    fn another_tools_long_float_survives_a_rewrite() {
        // Found by the registry fuzz target: without exact float parsing this
        // number read back one ulp off after a rewrite.
        let text = br#"{"schema_version": "1.0", "assignments": [], "other": {"n": 5203333333333333333333333333333333333333333333333333333333333775}}"#;
        let registry = Registry::parse(text).unwrap();
        let again = Registry::parse(&registry.to_json()).unwrap();
        assert_eq!(again, registry);
    }
}
