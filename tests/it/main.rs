//! The one integration-test binary: every test drives the real `iris-dev` binary
//! through [`support::TestEnv`].

mod commands;
mod completion;
mod concurrency;
mod docker;
mod everyday;
mod evictions;
mod failfast;
mod fake_compose;
mod faults;
mod generated;
mod grace;
mod hints;
mod interop;
mod iris;
mod isolation;
mod layers;
mod names;
mod owners;
mod packaging;
mod podman;
mod readme;
mod registry_file;
mod remote;
mod stack_ports;
mod support;
mod switch;
mod tools;
