//! The workflows several commands share: the [`context`] every command gets,
//! the port assignment behind `port`, `env` and `up` ([`assign`]), `up`'s
//! plan, preflight, attempts and wait ([`up`]), naming a port's owners
//! ([`who`]), the stack as `up` left it ([`project_stack`]), and waiting until
//! IRIS is ready ([`ready`]).
//!
//! A workflow joins the core to the edges. It never imports a command.

pub mod assign;
pub mod context;
pub mod project_stack;
pub mod ready;
pub mod up;
pub mod who;
