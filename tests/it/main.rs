//! The one integration-test binary: every test drives the real `iris-dev` binary
//! through [`support::TestEnv`].

mod commands;
mod concurrency;
mod generated;
mod interop;
mod registry_file;
mod support;
