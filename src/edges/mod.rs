//! The edges: the only code that touches the world (files and locks, processes,
//! the Docker engine, the host's ports and listeners, signals). Each edge does
//! what it is told and reports what it found; deciding what that means is the
//! core's job.
//!
//! An edge imports the core and other edges, never a workflow, a command or the
//! interface (`tests/it/layers.rs` checks it).

#[cfg(unix)]
pub mod bridge;
pub mod clock;
pub mod compose_detect;
pub mod discover;
pub mod docker;
pub mod interrupt;
pub mod platform;
pub mod probe;
pub mod process;
pub mod registry_file;
pub mod state_dir;
