//! Starting other programs: compose, `docker context inspect`, the `ssh` or
//! `docker system dial-stdio` behind a remote engine, `tunnel`'s `ssh -N`, and
//! `lsof` on macOS.
//!
//! [`Runner`] is the one edge that starts processes (through duct): every
//! command line iris-dev runs is an [`Invocation`], displayed the way a POSIX
//! shell would take it, so what an error or `--dry-run` shows can be pasted.
//! Callers that need a fake take `&dyn Runner`.

use std::io::{self, BufRead, BufReader};

use crate::core::invocation::Invocation;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Captured {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Starts processes.
pub trait Runner {
    /// Runs to completion with output captured.
    fn capture(&self, invocation: &Invocation) -> io::Result<Captured>;
    /// Runs with stdout and stderr merged and handed over line by line as they
    /// come; returns the exit code.
    fn stream(&self, invocation: &Invocation, on_line: &mut dyn FnMut(&str)) -> io::Result<i32>;
    /// Runs with iris-dev's own standard input, output and error, so the user's
    /// terminal (or pipe) talks to the process directly; returns the exit code.
    fn interactive(&self, invocation: &Invocation) -> io::Result<i32>;
}

/// The real runner.
pub struct DuctRunner;

impl DuctRunner {
    fn expression(invocation: &Invocation) -> io::Result<duct::Expression> {
        let (program, args) = invocation
            .argv
            .split_first()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty command line"))?;
        let mut expression = duct::cmd(program, args).dir(&invocation.dir).unchecked();
        for (name, value) in &invocation.env {
            expression = expression.env(name, value);
        }
        Ok(expression)
    }

    fn name_error(invocation: &Invocation, err: io::Error) -> io::Error {
        io::Error::new(
            err.kind(),
            format!(
                "failed to run `{}`: {err}",
                crate::core::shell::join(&invocation.argv)
            ),
        )
    }
}

impl DuctRunner {
    /// Starts `invocation` with `stream` as its standard input and output and
    /// its standard error captured, and returns at once: the bridge to a remote
    /// engine ([`crate::edges::bridge`]) hands each connection to a fresh
    /// `docker system dial-stdio` this way.
    #[cfg(unix)]
    pub fn attach(
        &self,
        invocation: &Invocation,
        stream: std::os::unix::net::UnixStream,
    ) -> io::Result<duct::Handle> {
        Self::expression(invocation)?
            .stdin_file(stream.try_clone()?)
            .stdout_file(stream)
            .stderr_capture()
            .start()
            .map_err(|err| Self::name_error(invocation, err))
    }

    /// Runs in the foreground with standard input, output and error passed
    /// through, as `tunnel` runs `ssh -N`; returns the exit code.
    pub fn foreground(&self, invocation: &Invocation) -> io::Result<i32> {
        let output = Self::expression(invocation)?
            .run()
            .map_err(|err| Self::name_error(invocation, err))?;
        Ok(output.status.code().unwrap_or(130))
    }
}

impl Runner for DuctRunner {
    fn capture(&self, invocation: &Invocation) -> io::Result<Captured> {
        let output = Self::expression(invocation)?
            .stdin_null()
            .stdout_capture()
            .stderr_capture()
            .run()
            .map_err(|err| Self::name_error(invocation, err))?;
        Ok(Captured {
            code: output.status.code().unwrap_or(1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }

    fn stream(&self, invocation: &Invocation, on_line: &mut dyn FnMut(&str)) -> io::Result<i32> {
        let reader = Self::expression(invocation)?
            .stdin_null()
            .stderr_to_stdout()
            .reader()
            .map_err(|err| Self::name_error(invocation, err))?;
        let mut lines = BufReader::new(&reader);
        let mut line = Vec::new();
        loop {
            line.clear();
            if lines.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            on_line(String::from_utf8_lossy(&line).trim_end_matches(['\n', '\r']));
        }
        let output = reader.try_wait()?.ok_or_else(|| {
            io::Error::other("the process closed its output but is still running")
        })?;
        Ok(output.status.code().unwrap_or(1))
    }

    fn interactive(&self, invocation: &Invocation) -> io::Result<i32> {
        let output = Self::expression(invocation)?
            .run()
            .map_err(|err| Self::name_error(invocation, err))?;
        Ok(output.status.code().unwrap_or(1))
    }
}

#[cfg(test)]
pub mod fake {
    //! A runner that records what it was asked and answers from a script.

    use std::cell::RefCell;

    use super::*;

    #[derive(Default)]
    pub struct FakeRunner {
        /// `(argv contains this word, answer)`, first match wins.
        pub answers: Vec<(&'static str, Captured)>,
        pub calls: RefCell<Vec<Invocation>>,
    }

    impl FakeRunner {
        pub fn answer(mut self, word: &'static str, code: i32, stdout: &str) -> Self {
            self.answers.push((
                word,
                Captured {
                    code,
                    stdout: stdout.to_owned(),
                    stderr: String::new(),
                },
            ));
            self
        }

        fn find(&self, invocation: &Invocation) -> io::Result<Captured> {
            self.calls.borrow_mut().push(invocation.clone());
            self.answers
                .iter()
                .find(|(word, _)| invocation.argv.iter().any(|arg| arg == word))
                .map(|(_, answer)| answer.clone())
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not found"))
        }
    }

    impl Runner for FakeRunner {
        fn capture(&self, invocation: &Invocation) -> io::Result<Captured> {
            self.find(invocation)
        }

        fn stream(
            &self,
            invocation: &Invocation,
            on_line: &mut dyn FnMut(&str),
        ) -> io::Result<i32> {
            let answer = self.find(invocation)?;
            answer.stdout.lines().for_each(on_line);
            Ok(answer.code)
        }

        fn interactive(&self, invocation: &Invocation) -> io::Result<i32> {
            Ok(self.find(invocation)?.code)
        }
    }
}
