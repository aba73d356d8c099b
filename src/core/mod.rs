//! The pure core: decisions and data, with no files, processes, environment,
//! sockets or clock. Everything here is unit-tested with plain values; what it
//! needs from the world comes in as arguments (a container listing, the
//! registry's text, `compose config`'s output, the time).
//!
//! The core imports only the core (`tests/it/layers.rs` checks it).

pub mod allocate;
pub mod compose;
pub mod connection;
pub mod doctor;
pub mod dotenv;
pub mod engine;
pub mod env_vars;
pub mod invocation;
pub mod iris_log;
pub mod jsonc;
pub mod owner;
pub mod port;
pub mod project;
pub mod registry;
pub mod selection;
pub mod shell;
pub mod stack;
pub mod stale;
pub mod state_paths;
pub mod status_report;
pub mod table;
pub mod timestamp;
pub mod vscode;
