//! The paths inside a project's `.iris-dev/`: the one place that names them.
//! Reading and writing the files is [`crate::edges::state_dir`]'s job.

use std::path::{Path, PathBuf};

/// The directory's name inside a project.
pub const DIR: &str = ".iris-dev";
/// The generated override, passed to compose as the last `-f` file.
pub const OVERRIDE_FILE: &str = "compose.override.yaml";
/// What the override was rendered from, and for which compose.
pub const OVERRIDE_DATA: &str = "override.json";
/// The built-in template's copy, for a project without a compose file.
pub const TEMPLATE_FILE: &str = "compose.yaml";
/// What compose said last time.
pub const CACHE_FILE: &str = "cache.json";

/// `.iris-dev/` of the project at `project_root`.
pub fn dir(project_root: &Path) -> PathBuf {
    project_root.join(DIR)
}

/// Where the generated override goes: the last `-f` file.
pub fn override_file(project_root: &Path) -> PathBuf {
    dir(project_root).join(OVERRIDE_FILE)
}

/// Where the built-in template is copied for a project without a compose file.
pub fn template_file(project_root: &Path) -> PathBuf {
    dir(project_root).join(TEMPLATE_FILE)
}
