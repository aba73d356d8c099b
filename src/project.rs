//! Which project the user is in: its root directory, the compose files that
//! chose it, and the default compose project names.
//!
//! Discovery follows compose: `-f`, then `COMPOSE_FILE` (the environment's, then
//! `.env`'s), make the first file's directory the project; else the nearest
//! directory upwards with a compose file. Naming is pure.

use std::io;
use std::path::{Path, PathBuf};

use fs_err as fs;

use crate::dotenv;
use crate::settings::{ComposeSettings, Selection};

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
    /// The project compose would run from `start`: the directory of the first
    /// file `-f` or `COMPOSE_FILE` names (in the environment, or in the `.env` of
    /// `start` or a directory above it, or `--env-file`), else the nearest
    /// directory upwards that holds a compose file, else `start` itself.
    pub fn discover(start: &Path, compose: &ComposeSettings) -> Result<Self, ProjectError> {
        let start = fs::canonicalize(start)?;
        if !start.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("`{}` is not a directory", start.display()),
            )
            .into());
        }
        let env_file = match &compose.env_file {
            Some(file) => Some(dotenv::parse(&fs::read_to_string(file)?)),
            None => None,
        };
        let dotenv_of = |dir: &Path| match &env_file {
            Some(pairs) => (pairs.clone(), start.clone()),
            None => (read_dotenv(dir), dir.to_owned()),
        };
        for dir in start.ancestors() {
            let (pairs, pairs_dir) = dotenv_of(dir);
            let selection = compose.selection(&pairs, &pairs_dir, &start);
            if !selection.files.is_empty() {
                let files = selection
                    .files
                    .iter()
                    .map(fs::canonicalize)
                    .collect::<Result<Vec<_>, _>>()?;
                let root = files[0].parent().unwrap_or(Path::new("/")).to_owned();
                // With `-f` or the environment's `COMPOSE_FILE`, compose reads the
                // `.env` of the project's directory; else the one that named the files.
                let chosen_by_dotenv = compose.selection(&[], &start, &start).files.is_empty();
                let selection = if chosen_by_dotenv {
                    selection
                } else {
                    let (pairs, pairs_dir) = dotenv_of(&root);
                    compose.selection(&pairs, &pairs_dir, &start)
                };
                let selection = Selection {
                    files: files.clone(),
                    explicit_files: true,
                    ..selection
                };
                return Self::new(root, files, selection, compose.env_file.clone());
            }
            if let Some(compose_file) = compose_file_in(dir) {
                return Self::new(
                    dir.to_owned(),
                    vec![compose_file],
                    selection,
                    compose.env_file.clone(),
                );
            }
        }
        let (pairs, pairs_dir) = dotenv_of(&start);
        let selection = compose.selection(&pairs, &pairs_dir, &start);
        Self::new(start, Vec::new(), selection, compose.env_file.clone())
    }

    /// The project for a path given on the command line, which need not exist any
    /// more (`ports clear` of a deleted project).
    pub fn from_argument(path: &Path, cwd: &Path) -> Result<Self, ProjectError> {
        let absolute = cwd.join(path);
        let root = fs::canonicalize(&absolute).unwrap_or_else(|_| normalize(&absolute));
        Self::new(root, Vec::new(), Selection::default(), None)
    }

    fn new(
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

/// The variables of `dir/.env`; none when it cannot be read.
fn read_dotenv(dir: &Path) -> Vec<(String, String)> {
    fs::read_to_string(dir.join(".env"))
        .map(|text| dotenv::parse(&text))
        .unwrap_or_default()
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

    #[test]
    fn discovers_the_nearest_compose_file_upwards() {
        let temp = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(temp.path()).unwrap();
        let nested = root.join("src/deep");
        fs::create_dir_all(&nested).unwrap();
        let plain = ComposeSettings::default();
        assert_eq!(Project::discover(&nested, &plain).unwrap().root, nested);
        fs::write(root.join("docker-compose.yml"), "services: {}\n").unwrap();
        let project = Project::discover(&nested, &plain).unwrap();
        assert_eq!(project.root, root);
        assert_eq!(project.compose_files, [root.join("docker-compose.yml")]);
        assert!(!project.selection.explicit_files);

        // `.env`'s `COMPOSE_FILE` makes the first file's directory the project.
        fs::create_dir_all(root.join("ops")).unwrap();
        fs::write(root.join("ops/dev.yaml"), "services: {}\n").unwrap();
        fs::write(root.join(".env"), "COMPOSE_FILE=ops/dev.yaml\n").unwrap();
        let project = Project::discover(&nested, &plain).unwrap();
        assert_eq!(project.root, root.join("ops"));
        assert_eq!(project.compose_files, [root.join("ops/dev.yaml")]);
        assert!(project.selection.explicit_files);

        // `-f` wins, and a missing file names its path.
        let flag = ComposeSettings {
            file_args: vec![root.join("docker-compose.yml")],
            ..ComposeSettings::default()
        };
        assert_eq!(Project::discover(&nested, &flag).unwrap().root, root);
        let missing = ComposeSettings {
            file_args: vec![root.join("nope.yaml")],
            ..ComposeSettings::default()
        };
        let error = Project::discover(&nested, &missing)
            .unwrap_err()
            .to_string();
        assert!(error.contains("nope.yaml"), "{error}");
    }
}
