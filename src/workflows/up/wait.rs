//! `up`'s last step: waiting until IRIS is ready.

use std::time::Duration;

use super::{Started, Up};
use crate::cli::error::Error;
use crate::core::shell;
use crate::workflows::ready::{self, Target as WaitTarget};

impl Up<'_> {
    /// Waits until IRIS is ready ([`ready::wait`]) behind a spinner; a failed
    /// start is an error with what the log said and what to run next.
    pub fn wait(&self, started: &Started, timeout: Duration) -> Result<(), Error> {
        let Started {
            assignment,
            service,
        } = started;
        let target = WaitTarget {
            compose_project: self.stack.compose_project(),
            service,
            bind: self.settings.bind,
            port: assignment.port,
        };
        let address = format!(
            "{}:{}",
            self.endpoint.client_host(self.settings.bind),
            assignment.port
        );
        let progress = self
            .context
            .printer
            .progress(&format!("waiting for IRIS on {address}"));
        let waited = ready::wait(self.engine, &target, timeout, &|state| {
            progress.update(state)
        });
        progress.finish();
        match waited {
            Ok(ready::Ready::NoHealthCheck) => {
                self.context.printer.note(format_args!(
                    "the `{service}` service has no health check (neither `healthcheck.test` nor the image's HEALTHCHECK); it counted as ready once it ran and {address} kept a connection open"
                ));
                Ok(())
            }
            Ok(ready::Ready::PortOnly) => {
                self.context.printer.note(format_args!(
                    "no engine client to run the health check with; IRIS counted as ready once {address} kept a connection open"
                ));
                Ok(())
            }
            Ok(ready::Ready::CheckPassed | ready::Ready::Healthy) => Ok(()),
            Err(ready::WaitError::Interrupted) => Err(Error::Interrupted {
                doing: format!("waiting for IRIS on {address}; it is still starting"),
                started: true,
            }),
            Err(source) => {
                // `iris-dev logs` finds the stack's files, name and service
                // itself, from anywhere: a compose command line would need all
                // of them.
                let root = self.project.root.display().to_string();
                // Which line pins the image, for a failure a newer one fixes.
                let image_line = match &source {
                    ready::WaitError::Failed(failure)
                        if failure
                            .known
                            .as_ref()
                            .is_some_and(|(known, _)| known.cause.wants_newer_image()) =>
                    {
                        Some(Box::new(self.base_line(|text| {
                            crate::core::iris_log::find_image_line(text, &failure.image)
                        })))
                    }
                    _ => None,
                };
                Err(Error::NotReady {
                    project: self.project.key().to_owned(),
                    logs: shell::join(["iris-dev", "-C", &root, "logs", "--tail", "50"]),
                    down: shell::join(["iris-dev", "-C", &root, "down"]),
                    image_line,
                    source: Box::new(source),
                })
            }
        }
    }
}
