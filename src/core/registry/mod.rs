//! The port registry shared with iris-devtester: its contents ([`model`]) and
//! every change of an assignment's state ([`transition`]). The locked, atomic
//! file that holds them is [`crate::edges::registry_file`].

pub mod model;
pub mod transition;

pub use model::{
    Assignment, AssignmentType, ContentError, Eviction, Registry, SCHEMA_VERSION, Status,
    paired_web_port,
};
