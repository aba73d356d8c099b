//! The port registry shared with iris-devtester: its contents ([`model`]) and the
//! locked, atomic file that holds them ([`store`]), and every change of an
//! assignment's state ([`transition`]).

pub mod model;
pub mod store;
pub mod transition;

pub use model::{
    Assignment, AssignmentType, ContentError, Eviction, Registry, SCHEMA_VERSION, Status,
    paired_web_port,
};
pub use store::{Store, StoreError};
