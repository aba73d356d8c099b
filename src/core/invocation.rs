//! One process to start, as data: its words, directory and the variables set on
//! top of the inherited environment. [`crate::edges::process::Runner`] starts
//! it; the core only builds it, so what an error or `--dry-run` shows is the
//! very command that runs.

use std::fmt;
use std::path::PathBuf;

use crate::core::shell;

/// One process to start.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    pub argv: Vec<String>,
    pub dir: PathBuf,
    /// Set on top of the inherited environment.
    pub env: Vec<(String, String)>,
}

impl fmt::Display for Invocation {
    /// The command line as a POSIX shell would take it, variables first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = self
            .env
            .iter()
            .map(|(name, value)| format!("{name}={}", shell::quote(value)))
            .chain(self.argv.iter().map(|word| shell::quote(word)));
        f.write_str(&words.collect::<Vec<_>>().join(" "))
    }
}
