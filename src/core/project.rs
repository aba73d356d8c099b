//! A project: its root directory, the compose files that chose it, and the
//! compose project names that follow from its path.
//!
//! Pure. Finding the project on disk (`Project::discover`) is
//! [`crate::edges::discover`]'s.

use crate::core::selection::Selection;
use std::io;
use std::path::{Path, PathBuf};

/// Compose file names, in the order `docker compose` prefers them.
pub const COMPOSE_FILE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// Canonical absolute path; the registry's key for the project.
    pub root: PathBuf,
    /// The compose files, in `-f` order: chosen by `-f` or `COMPOSE_FILE`, else
    /// the one that marked the root; empty when there is none (the template).
    pub compose_files: Vec<PathBuf>,
    /// Profiles, the name from the environment or `.env`, and whether the files
    /// were chosen explicitly.
    pub selection: Selection,
    /// `--env-file`, which compose must be told about too.
    pub env_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("the project path `{}` is not valid UTF-8, which the registry cannot store", .0.display())]
    NotUtf8(PathBuf),
}

impl Project {
    pub(crate) fn new(
        root: PathBuf,
        compose_files: Vec<PathBuf>,
        selection: Selection,
        env_file: Option<PathBuf>,
    ) -> Result<Self, ProjectError> {
        if root.to_str().is_none() {
            return Err(ProjectError::NotUtf8(root));
        }
        Ok(Self {
            root,
            compose_files,
            selection,
            env_file,
        })
    }

    /// The registry key.
    pub fn key(&self) -> &str {
        self.root.to_str().expect("checked in Project::new")
    }

    /// A compose project name unique to this path and stable across runs.
    pub fn compose_name(&self) -> String {
        compose_project_name(self.key())
    }

    /// The name compose itself gives the project: its directory's, normalized.
    pub fn directory_name(&self) -> String {
        let base = self
            .key()
            .rsplit(['/', '\\'])
            .find(|part| !part.is_empty())
            .unwrap_or("");
        normalize_project_name(base)
    }
}

/// Compose v2's `NormalizeProjectName` (compose-go `loader.NormalizeProjectName`):
/// lowercase, only `a-z`, `0-9`, `-` and `_` kept, leading `-` and `_` dropped.
/// Empty when nothing is left, which compose refuses.
pub fn normalize_project_name(name: &str) -> String {
    let kept: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_')
        .collect();
    kept.trim_start_matches(['-', '_']).to_owned()
}

/// Removes `.` and `..` without touching the filesystem.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

/// `<directory name>-<hash of the path>`, in the characters compose allows
/// (lowercase letters, digits, `-` and `_`, starting with a letter or digit).
pub fn compose_project_name(path: &str) -> String {
    let base = path
        .rsplit(['/', '\\'])
        .find(|part| !part.is_empty())
        .unwrap_or("");
    let mut name: String = base
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let trimmed = name.trim_start_matches(['-', '_']).len();
    name.drain(..name.len() - trimmed);
    name.truncate(40);
    if name.is_empty() {
        name.push_str("iris");
    }
    format!("{name}-{:08x}", fnv1a(path.as_bytes()) as u32)
}

/// FNV-1a: small, and unlike std's hasher its output is fixed forever.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_names_are_stable_valid_and_distinct() {
        assert_eq!(compose_project_name("/home/dev/My App"), "myapp-04697e5f");
        assert_ne!(
            compose_project_name("/a/shop"),
            compose_project_name("/b/shop")
        );
        assert_eq!(compose_project_name("/"), "iris-860189fe");
        assert!(compose_project_name("/x/__Ünï-code").starts_with("n-code-"));
    }

    #[test]
    fn directory_names_as_compose_normalizes_them() {
        assert_eq!(normalize_project_name("My App.v2"), "myappv2");
        assert_eq!(normalize_project_name("__-x_y-"), "x_y-");
        assert_eq!(normalize_project_name("Ünï"), "n");
        assert_eq!(normalize_project_name("\u{212A}elvin"), "kelvin");
        assert_eq!(normalize_project_name("..."), "");
    }

    #[test]
    fn normalizes_missing_paths() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
    }
}
