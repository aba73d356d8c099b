//! Everything iris-dev says: data to standard output, messages to standard error.
//!
//! No other module prints. Data (a port, JSON, env lines) is never coloured and
//! never suppressed by `--quiet`; messages are for people and follow `--quiet`,
//! `--verbose` and `--color`.

use std::fmt::Display;
use std::io::{self, Write};
use std::path::Path;

use console::Style;

use crate::cli::error::{Error, Report};

#[derive(Clone)]
pub struct Printer {
    quiet: bool,
    verbose: bool,
    color: bool,
    /// Whether standard error is a terminal, where a spinner can redraw.
    interactive: bool,
}

/// A wait shown to people: a spinner on a terminal, plain lines elsewhere.
pub struct Progress<'a> {
    printer: &'a Printer,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress<'_> {
    pub fn update(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.set_message(message.to_owned()),
            None => self.printer.info(format_args!("  {message}")),
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Printer {
    pub fn new(quiet: bool, verbose: bool, color: bool, interactive: bool) -> Self {
        Self {
            quiet,
            verbose,
            color,
            interactive,
        }
    }

    /// Starts showing a wait: `title` stays, [`Progress::update`] says where it is.
    pub fn progress(&self, title: &str) -> Progress<'_> {
        let bar = (self.interactive && !self.quiet).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            let style =
                indicatif::ProgressStyle::with_template("{spinner} {prefix} {msg} ({elapsed})")
                    .expect("the template is valid");
            bar.set_style(style);
            bar.set_prefix(title.to_owned());
            bar.enable_steady_tick(std::time::Duration::from_millis(100));
            bar
        });
        if bar.is_none() {
            self.info(title);
        }
        Progress { printer: self, bar }
    }

    /// A line of compose's own output, passed through to standard error.
    pub fn passthrough(&self, line: &str) {
        if !self.quiet {
            self.stderr(line);
        }
    }

    /// Writes data to standard output. A closed pipe (`iris-dev ports list | head`)
    /// is not an error.
    pub fn data(&self, text: impl Display) -> Result<(), Error> {
        let mut stdout = io::stdout().lock();
        match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
            Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(err.into()),
            _ => Ok(()),
        }
    }

    /// A line about what happened, such as `cleared /home/dev/shop (port 1972)`.
    pub fn status(&self, verb: &str, message: impl Display) {
        if !self.quiet {
            let verb = self.style(Style::new().green().bold()).apply_to(verb);
            self.stderr(format_args!("{verb} {message}"));
        }
    }

    /// A plain sentence for people, such as why a list is empty.
    pub fn info(&self, message: impl Display) {
        if !self.quiet {
            self.stderr(message);
        }
    }

    pub fn warn(&self, message: impl Display) {
        if !self.quiet {
            let label = self
                .style(Style::new().yellow().bold())
                .apply_to("warning:");
            self.stderr(format_args!("{label} {message}"));
        }
    }

    /// Shown with `--verbose` only.
    pub fn note(&self, message: impl Display) {
        if self.verbose {
            let label = self.style(Style::new().cyan()).apply_to("note:");
            self.stderr(format_args!("{label} {message}"));
        }
    }

    /// Said once when a wait for the registry lock becomes noticeable.
    pub fn waiting_for_lock(&self, path: &Path) {
        if !self.quiet {
            self.stderr(format_args!("waiting for lock on {}", path.display()));
        }
    }

    /// Errors are printed even with `--quiet`.
    pub fn error(&self, error: &Error) {
        let Report {
            message,
            causes,
            details,
            hints,
        } = error.report();
        let mut text = format!(
            "{} {message}",
            self.style(Style::new().red().bold()).apply_to("error:")
        );
        for cause in causes {
            text.push_str(&format!("\n  caused by: {cause}"));
        }
        for detail in details {
            text.push_str(&format!("\n{detail}"));
        }
        for hint in hints {
            let label = self.style(Style::new().cyan().bold()).apply_to("hint:");
            text.push_str(&format!("\n{label} {hint}"));
        }
        self.stderr(text);
    }

    fn style(&self, style: Style) -> Style {
        style.force_styling(self.color)
    }

    fn stderr(&self, text: impl Display) {
        let _ = writeln!(io::stderr().lock(), "{text}");
    }
}
