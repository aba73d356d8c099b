//! Finding things on disk: the project the user is in, and the compose files
//! of its stack.
//!
//! Discovery follows compose: `-f`, then `COMPOSE_FILE` (the environment's, then
//! `.env`'s), make the first file's directory the project; else the nearest
//! directory upwards with a compose file. What the files mean is the core's
//! ([`crate::core::project`], [`crate::core::stack`]).

use std::io;
use std::path::{Path, PathBuf};

use fs_err as fs;

use crate::core::dotenv;
use crate::core::project::{COMPOSE_FILE_NAMES, Project, ProjectError, normalize};
use crate::core::selection::{ComposeSettings, Selection};
use crate::core::stack::{LOCAL_OVERRIDE_NAMES, Seen, Sources, Stack, StackError};

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
}

/// The variables of `dir/.env`; none when it cannot be read.
fn read_dotenv(dir: &Path) -> Vec<(String, String)> {
    fs::read_to_string(dir.join(".env"))
        .map(|text| dotenv::parse(&text))
        .unwrap_or_default()
}

fn compose_file_in(dir: &Path) -> Option<PathBuf> {
    COMPOSE_FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

impl Stack {
    /// Reads the project's compose files (for `name` and `x-iris-dev`) and the
    /// root's `.env`, finds its own override file, and names the stack with
    /// `registry`'s help (see [`choose_name`]).
    pub fn load(project: &Project, seen: &Seen<'_>) -> Result<Self, StackError> {
        let texts = project
            .compose_files
            .iter()
            .map(fs_err::read_to_string)
            .collect::<Result<Vec<_>, _>>()?;
        // Compose adds the project's own override only to the files it finds
        // itself, not to `-f` or `COMPOSE_FILE`.
        let local_override = (!project.selection.explicit_files)
            .then(|| {
                LOCAL_OVERRIDE_NAMES
                    .iter()
                    .map(|name| project.root.join(name))
                    .find(|path| path.is_file())
            })
            .flatten();
        let dotenv = fs_err::read_to_string(project.root.join(".env")).ok();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let sources = Sources {
            base_texts: &texts,
            local_override,
            dotenv: dotenv.as_deref(),
        };
        Self::resolve(project, sources, seen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
