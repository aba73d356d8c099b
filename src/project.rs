//! Which project the user is in: its root directory and compose project name.
//!
//! Discovery walks the filesystem upwards from the starting directory; naming is
//! pure and stable, so one path always gets the same compose project name.

use std::io;
use std::path::{Path, PathBuf};

use fs_err as fs;

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
    /// The compose file that marked the root, if any.
    pub compose_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("the project path `{}` is not valid UTF-8, which the registry cannot store", .0.display())]
    NotUtf8(PathBuf),
}

impl Project {
    /// The nearest directory from `start` upwards that holds a compose file, else
    /// `start` itself.
    pub fn discover(start: &Path) -> Result<Self, ProjectError> {
        let start = fs::canonicalize(start)?;
        if !start.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("`{}` is not a directory", start.display()),
            )
            .into());
        }
        for dir in start.ancestors() {
            if let Some(compose_file) = compose_file_in(dir) {
                return Self::new(dir.to_owned(), Some(compose_file));
            }
        }
        Self::new(start, None)
    }

    /// The project for a path given on the command line, which need not exist any
    /// more (`ports clear` of a deleted project).
    pub fn from_argument(path: &Path, cwd: &Path) -> Result<Self, ProjectError> {
        let absolute = cwd.join(path);
        let root = fs::canonicalize(&absolute).unwrap_or_else(|_| normalize(&absolute));
        Self::new(root, None)
    }

    fn new(root: PathBuf, compose_file: Option<PathBuf>) -> Result<Self, ProjectError> {
        if root.to_str().is_none() {
            return Err(ProjectError::NotUtf8(root));
        }
        Ok(Self { root, compose_file })
    }

    /// The registry key.
    pub fn key(&self) -> &str {
        self.root.to_str().expect("checked in Project::new")
    }

    /// A compose project name unique to this path and stable across runs.
    pub fn compose_name(&self) -> String {
        compose_project_name(self.key())
    }
}

fn compose_file_in(dir: &Path) -> Option<PathBuf> {
    COMPOSE_FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

/// Removes `.` and `..` without touching the filesystem.
fn normalize(path: &Path) -> PathBuf {
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
    fn normalizes_missing_paths() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
    }

    #[test]
    fn discovers_the_nearest_compose_file_upwards() {
        let temp = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(temp.path()).unwrap();
        let nested = root.join("src/deep");
        fs::create_dir_all(&nested).unwrap();
        assert_eq!(Project::discover(&nested).unwrap().root, nested);
        fs::write(root.join("docker-compose.yml"), "services: {}\n").unwrap();
        let project = Project::discover(&nested).unwrap();
        assert_eq!(project.root, root);
        assert_eq!(project.compose_file, Some(root.join("docker-compose.yml")));
    }
}
