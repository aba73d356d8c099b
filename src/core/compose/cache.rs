//! What compose said last time, kept in `.iris-dev/cache.json`
//! (written by [`crate::edges::state_dir::StateDir`]), so that a warm
//! `iris-dev up` starts one compose process (`up -d`) instead of three.
//!
//! Finding the compose command and running `compose config` each cost a Python
//! start with docker-compose 1.x (about 0.35 s each). Both answers are kept under a
//! key of everything that could change them; a key that differs means asking
//! compose again. Pure: callers read files, stat binaries and write the cache.

use serde::{Deserialize, Serialize};

use crate::core::compose::{Compose, Version};
use crate::core::project::fnv1a;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cache {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compose: Option<Entry<CachedCompose>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Entry<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry<T> {
    pub key: String,
    pub value: T,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedCompose {
    pub command: Vec<String>,
    pub version: Option<String>,
}

impl Cache {
    /// A cache that cannot be read is an empty one: it is only ever a shortcut.
    pub fn parse(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the cache serialises")
    }

    pub fn compose(&self, key: &str) -> Option<Compose> {
        let entry = self.compose.as_ref().filter(|entry| entry.key == key)?;
        Some(Compose {
            command: entry.value.command.clone(),
            version: entry.value.version.as_deref().and_then(Version::parse),
            docker_host: None,
        })
    }

    pub fn set_compose(&mut self, key: String, compose: &Compose) {
        self.compose = Some(Entry {
            key,
            value: CachedCompose {
                command: compose.command.clone(),
                version: compose.version.map(|version| version.to_string()),
            },
        });
    }

    pub fn config(&self, key: &str) -> Option<&str> {
        let entry = self.config.as_ref().filter(|entry| entry.key == key)?;
        Some(&entry.value)
    }

    pub fn set_config(&mut self, key: String, yaml: String) {
        self.config = Some(Entry { key, value: yaml });
    }
}

/// Builds a cache key from labelled parts.
#[derive(Default)]
pub struct Key(Vec<u8>);

impl Key {
    pub fn part(mut self, label: &str, value: impl AsRef<[u8]>) -> Self {
        for piece in [label.as_bytes(), value.as_ref()] {
            self.0
                .extend_from_slice(&(piece.len() as u64).to_le_bytes());
            self.0.extend_from_slice(piece);
        }
        self
    }

    pub fn finish(self) -> String {
        format!("{:016x}", fnv1a(&self.0))
    }
}

/// The names of the variables a compose file interpolates (`$NAME`, `${NAME...}`),
/// whose values are part of the config key.
pub fn referenced_variables(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        if let Some(escaped) = rest.strip_prefix('$') {
            rest = escaped;
            continue;
        }
        let body = rest.strip_prefix('{').unwrap_or(rest);
        let end = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        if end > 0 && !names.iter().any(|name| name == &body[..end]) {
            names.push(body[..end].to_owned());
        }
    }
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_change_with_any_part() {
        let key = |value: &str| Key::default().part("file", value).part("env", "x").finish();
        // Fixed forever: a key that changed between runs would throw the cache away.
        assert_eq!(key("a"), "b41b2dd58d933f40");
        assert_ne!(key("a"), key("b"));
        let split = Key::default().part("ab", "c").finish();
        assert_ne!(
            split,
            Key::default().part("a", "bc").finish(),
            "parts do not run together"
        );
    }

    #[test]
    fn finds_interpolated_variables() {
        let text = "image: ${IMAGE:-iris}\nports: [\"${IRIS_PORT:-1972}:1972\", \"$WEB:52773\"]\ncommand: echo $$HOME $\n";
        assert_eq!(referenced_variables(text), ["IMAGE", "IRIS_PORT", "WEB"]);
    }

    #[test]
    fn round_trips_and_checks_keys() {
        let mut cache = Cache::default();
        let compose = Compose {
            command: vec!["docker-compose".into()],
            version: Some(Version(1, 29, 2)),
            docker_host: None,
        };
        cache.set_compose("k1".into(), &compose);
        cache.set_config("k2".into(), "services: {}\n".into());
        let cache = Cache::parse(&cache.to_json());
        assert_eq!(cache.compose("k1"), Some(compose));
        assert_eq!(cache.compose("other"), None);
        assert_eq!(cache.config("k2"), Some("services: {}\n"));
        assert_eq!(Cache::parse("{ torn"), Cache::default());
    }
}
