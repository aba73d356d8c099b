//! Which compose files, profiles and project name compose would use, decided
//! from the flags and variables [`crate::cli::settings`] read and a `.env`'s
//! contents, in compose's own order: a flag wins over the environment, which
//! wins over `.env`.
//!
//! Pure: the `.env` comes in as parsed pairs.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::core::env_vars;

/// How to find and run compose.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ComposeSettings {
    /// `IRIS_DEV_COMPOSE`, split on whitespace later.
    pub command: Option<String>,
    /// `PATH`, which decides which `docker` and `docker-compose` run.
    pub path: OsString,
    /// `COMPOSE_PROJECT_NAME`, which wins over the file's `name`.
    pub project_name: Option<String>,
    /// `-f`, absolute; wins over `COMPOSE_FILE`.
    pub file_args: Vec<PathBuf>,
    /// `--profile`; wins over `COMPOSE_PROFILES`.
    pub profile_args: Vec<String>,
    /// `--env-file`, absolute: read instead of the project's `.env`.
    pub env_file: Option<PathBuf>,
    /// `COMPOSE_FILE` from the environment, as written.
    pub file_variable: Option<String>,
    /// `COMPOSE_PATH_SEPARATOR` from the environment.
    pub path_separator: Option<String>,
    /// `COMPOSE_PROFILES` from the environment.
    pub profiles_variable: Option<String>,
}

/// Which files, profiles and name compose would use, from the flags, the
/// environment and the `.env` file, in compose's order: a flag wins over the
/// environment, which wins over `.env`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selection {
    /// The base files, absolute; empty when nothing chose them (compose looks for
    /// `compose.yaml` and the like).
    pub files: Vec<PathBuf>,
    /// Whether `-f` or `COMPOSE_FILE` chose the files: then compose does not add
    /// the project's `compose.override.yaml` by itself.
    pub explicit_files: bool,
    pub profiles: Vec<String>,
    /// `COMPOSE_PROJECT_NAME` from the environment or `.env`, and which of them
    /// set it. The line iris-dev keeps in `.env` itself is not the user's: see
    /// [`crate::core::dotenv::MANAGED_MARKER`].
    pub project_name: Option<(String, NameOrigin)>,
}

/// Where a compose project name the user chose was set, for errors that must
/// say which line to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameOrigin {
    /// `COMPOSE_PROJECT_NAME` in iris-dev's environment (a shell that ran
    /// `export`, or an older iris-dev's `eval "$(iris-dev env)"`).
    Environment,
    /// `COMPOSE_PROJECT_NAME` in this `.env` file (or `--env-file`).
    DotEnv(PathBuf),
    /// The compose file's top-level `name:`.
    File(PathBuf),
}

impl std::fmt::Display for NameOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let variable = env_vars::COMPOSE_PROJECT_NAME;
        match self {
            Self::Environment => write!(f, "`{variable}` in the environment"),
            Self::DotEnv(file) => write!(f, "`{variable}` in `{}`", file.display()),
            Self::File(file) => write!(f, "`name:` in `{}`", file.display()),
        }
    }
}

impl ComposeSettings {
    /// The selection for a `.env` with these variables (`dotenv`), whose relative
    /// `COMPOSE_FILE` entries start from `dotenv_dir`; `directory` is where
    /// iris-dev runs, which the environment's relative entries start from.
    pub fn selection(
        &self,
        dotenv: &[(String, String)],
        dotenv_dir: &Path,
        directory: &Path,
    ) -> Selection {
        let from_dotenv = |name: &str| {
            crate::core::dotenv::get(dotenv, name)
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let separator = self
            .path_separator
            .clone()
            .or_else(|| from_dotenv(env_vars::COMPOSE_PATH_SEPARATOR))
            .unwrap_or_else(|| if cfg!(windows) { ";" } else { ":" }.to_owned());
        let split_files = |value: &str, base: &Path| -> Vec<PathBuf> {
            value
                .split(separator.as_str())
                .map(str::trim)
                .filter(|file| !file.is_empty())
                .map(|file| base.join(file))
                .collect()
        };
        let files = if !self.file_args.is_empty() {
            self.file_args.clone()
        } else if let Some(value) = &self.file_variable {
            split_files(value, directory)
        } else if let Some(value) = from_dotenv(env_vars::COMPOSE_FILE) {
            split_files(&value, dotenv_dir)
        } else {
            Vec::new()
        };
        let profiles = if self.profile_args.is_empty() {
            self.profiles_variable
                .clone()
                .or_else(|| from_dotenv(env_vars::COMPOSE_PROFILES))
                .map(|value| {
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|profile| !profile.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        } else {
            self.profile_args.clone()
        };
        Selection {
            explicit_files: !files.is_empty(),
            files,
            profiles,
            project_name: self
                .project_name
                .clone()
                .map(|name| (name, NameOrigin::Environment))
                .or_else(|| {
                    let file = self
                        .env_file
                        .clone()
                        .unwrap_or_else(|| dotenv_dir.join(".env"));
                    from_dotenv(env_vars::COMPOSE_PROJECT_NAME)
                        .map(|name| (name, NameOrigin::DotEnv(file)))
                }),
        }
    }
}
