//! What IRIS's own log says when it cannot start: one table of the lines real
//! IRIS containers print (each with where it was seen), what each means and how
//! to fix it, and the reading of a container's last log lines against it.
//!
//! Pure: it gets log lines and compose file text from its callers
//! ([`crate::workflows::ready`] reads the log through the engine, `up` the compose files)
//! and reads nothing itself. Issue 19.

/// What a known line means, as the error and its hints say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The community licence built into the image has expired.
    LicenceExpired,
    /// The durable %SYS directory (`ISC_DATA_DIRECTORY`) is not writable by
    /// irisowner (uid 51773).
    DurableNotWritable,
    /// An old image's `iris-main` cannot find `messages.log`.
    NoMessagesLog,
    /// IRIS aborted its startup; the lines before say why.
    StartupAborted,
}

/// One row of [`KNOWN`].
#[derive(Debug)]
pub struct Known {
    /// Matched as a substring, case-sensitively, of a log line.
    pub pattern: &'static str,
    pub cause: Cause,
    /// Where this line was seen printed by a real IRIS container.
    pub sources: &'static [&'static str],
}

const LICENCE_SOURCES: &[&str] = &[
    "https://github.com/intersystems-community/iris-embedded-python-template/issues/3",
    "https://github.com/intersystems/Samples-FHIRStarter/issues/6",
    "https://github.com/intersystems-community/integratedml-demo-template/issues/16",
    "https://github.com/intersystems-community/integratedml-demo-template/issues/25",
];

/// The lines IRIS prints when it cannot start, most telling first: the first
/// row any line of the log matches names the cause. Substrings, not whole
/// lines: `docker logs` of a `RUN` step or of iris-main prefixes them with
/// times, and the licence line runs on into `Starting IRIS`.
pub const KNOWN: &[Known] = &[
    Known {
        pattern: "Community License expired",
        cause: Cause::LicenceExpired,
        sources: LICENCE_SOURCES,
    },
    Known {
        pattern: "Invalid Community Edition license",
        cause: Cause::LicenceExpired,
        sources: LICENCE_SOURCES,
    },
    Known {
        pattern: "Insufficient write permissions to ISC_DATA_DIRECTORY",
        cause: Cause::DurableNotWritable,
        sources: &["https://community.intersystems.com/htmltomarkdown/476776"],
    },
    Known {
        pattern: "could not open $ISC_PACKAGE_INSTALLDIR/mgr/messages.log",
        cause: Cause::NoMessagesLog,
        sources: &["https://github.com/intersystems-community/irisdemo-demo-htap/issues/24"],
    },
    Known {
        pattern: "An error was detected during InterSystems IRIS startup",
        cause: Cause::StartupAborted,
        sources: LICENCE_SOURCES,
    },
    Known {
        pattern: "** Startup aborted **",
        cause: Cause::StartupAborted,
        sources: LICENCE_SOURCES,
    },
    Known {
        pattern: "[FATAL] Error starting InterSystems IRIS",
        cause: Cause::StartupAborted,
        sources: &["https://community.intersystems.com/htmltomarkdown/476776"],
    },
];

impl Cause {
    /// What it means, for the error's first line.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::LicenceExpired => "the community licence built into its image has expired",
            Self::DurableNotWritable => {
                "its durable %SYS directory (`ISC_DATA_DIRECTORY`) is not writable by irisowner (uid 51773)"
            }
            Self::NoMessagesLog => {
                "its image's iris-main cannot open `messages.log`, a fault of older images"
            }
            Self::StartupAborted => "IRIS aborted its startup",
        }
    }

    /// Whether a newer image is the fix.
    pub fn wants_newer_image(self) -> bool {
        matches!(self, Self::LicenceExpired | Self::NoMessagesLog)
    }

    /// How to fix it, beyond naming the image line.
    pub fn fix(self) -> &'static str {
        match self {
            Self::LicenceExpired => {
                "community images carry a licence that expires: use a newer tag of the image (the intersystemsdc and containers.intersystems.com community images publish one about every year), `docker pull` it, and run `iris-dev up` again"
            }
            Self::DurableNotWritable => {
                "make the volume writable for 51773 before IRIS starts (a one-shot service with `user: root` running `chown -R 51773:51773` on it, as the built-in template does), or point `ISC_DATA_DIRECTORY` at a directory irisowner owns"
            }
            Self::NoMessagesLog => {
                "use a newer tag of the image, `docker pull` it, and run `iris-dev up` again"
            }
            Self::StartupAborted => "the lines before it in the log say why",
        }
    }
}

/// The first row of [`KNOWN`] that a line matches, and that line.
pub fn diagnose(lines: &[String]) -> Option<(&'static Known, &str)> {
    KNOWN.iter().find_map(|known| {
        lines
            .iter()
            .find(|line| line.contains(known.pattern))
            .map(|line| (known, line.trim()))
    })
}

/// The last `count` non-empty lines, for a failure no row explains.
pub fn last_lines(lines: &[String], count: usize) -> Vec<String> {
    let mut lines: Vec<&String> = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .collect();
    // A restart loop prints the same lines every run: one run of them says it
    // all, however many runs the log held when it was read.
    while let Some(period) = (1..=lines.len() / 2).find(|&period| {
        let n = lines.len();
        lines[n - period..] == lines[n - 2 * period..n - period]
    }) {
        lines.truncate(lines.len() - period);
    }
    lines[lines.len().saturating_sub(count)..]
        .iter()
        .map(|line| line.trim_end().to_owned())
        .collect()
}

/// The line of a compose file that names `image` (`image: repo:tag`, quoted or
/// not, also as a variable's default `${IRIS_IMAGE:-repo:tag}`), 1-based.
pub fn find_image_line(text: &str, image: &str) -> Option<(usize, String)> {
    if image.is_empty() {
        return None;
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with('#'))
        .find(|(_, line)| {
            line.trim_start()
                .strip_prefix("image:")
                .is_some_and(|value| value.contains(image))
        })
        .map(|(index, line)| (index + 1, line.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    /// The log of intersystems-community/iris-embedded-python-template#3.
    const EXPIRED: &str = "This copy of InterSystems IRIS has been licensed for use exclusively by:
Community License expired.
Copyright (c) 1986-2020 by InterSystems Corporation
Any other use is a violation of your license agreement

Error: Invalid Community Edition license, may have exceeded core limit. - Shutting down the system : $zu(56,2)= 0Starting IRIS

An error was detected during InterSystems IRIS startup.
** Startup aborted **";

    #[test]
    fn an_expired_licence_is_named_by_its_most_telling_line() {
        let log = lines(EXPIRED);
        let (known, line) = diagnose(&log).unwrap();
        assert_eq!(known.cause, Cause::LicenceExpired);
        assert_eq!(line, "Community License expired.");
        // Without that line (a log cut short), the next one still says it.
        let log = lines(&EXPIRED.replace("Community License expired.", ""));
        let (known, line) = diagnose(&log).unwrap();
        assert_eq!(known.cause, Cause::LicenceExpired);
        assert!(line.starts_with("Error: Invalid Community Edition license"));
    }

    #[test]
    fn timestamped_lines_match_too() {
        // As `docker build` showed it in intersystems/Samples-FHIRStarter#6.
        let log = lines("#6 0.888 Community License expired.\n#6 11.31 ** Startup aborted **");
        assert_eq!(diagnose(&log).unwrap().0.cause, Cause::LicenceExpired);
        let log = lines("10.2 ** Startup aborted **");
        assert_eq!(diagnose(&log).unwrap().0.cause, Cause::StartupAborted);
    }

    #[test]
    fn each_failure_of_the_table() {
        for (text, cause) in [
            (
                "[FATAL] No log file specified, could not open $ISC_PACKAGE_INSTALLDIR/mgr/messages.log for reading.  Cannot log.",
                Cause::NoMessagesLog,
            ),
            (
                "[ERROR] Possible causes:\n[ERROR]  - Incorrect user/group ownership of IRIS binaries\n[ERROR]  - Insufficient write permissions to ISC_DATA_DIRECTORY\n[FATAL] Error starting InterSystems IRIS",
                Cause::DurableNotWritable,
            ),
            (
                "[FATAL] Error starting InterSystems IRIS",
                Cause::StartupAborted,
            ),
        ] {
            assert_eq!(diagnose(&lines(text)).unwrap().0.cause, cause, "{text}");
        }
        assert!(diagnose(&lines("standin: listening on 1972 and 52773\n")).is_none());
    }

    #[test]
    fn every_row_has_a_source_and_a_fix() {
        for known in KNOWN {
            assert!(!known.sources.is_empty(), "{}", known.pattern);
            assert!(!known.cause.fix().is_empty());
            assert!(diagnose(&[known.pattern.to_owned()]).is_some());
        }
    }

    #[test]
    fn last_lines_skip_blank_ones() {
        let log = lines("a\n\nb\nc\n  \n");
        assert_eq!(last_lines(&log, 2), ["b", "c"]);
        assert_eq!(last_lines(&log, 10), ["a", "b", "c"]);
        assert!(last_lines(&[], 3).is_empty());
    }

    #[test]
    fn the_image_line_is_found_in_any_spelling() {
        let text = "services:\n  # image: intersystemsdc/iris-community:old\n  iris:\n    image: \"intersystemsdc/iris-community:2023.1\"\n";
        assert_eq!(
            find_image_line(text, "intersystemsdc/iris-community:2023.1"),
            Some((
                4,
                "    image: \"intersystemsdc/iris-community:2023.1\"".to_owned()
            ))
        );
        let text = "services:\n  iris:\n    image: ${IRIS_IMAGE:-iris:1}\n";
        assert_eq!(find_image_line(text, "iris:1").unwrap().0, 3);
        assert_eq!(find_image_line(text, "other:2"), None);
        assert_eq!(find_image_line(text, ""), None);
    }

    #[test]
    fn a_restart_loop_shows_one_run_of_its_lines() {
        let run = ["starting the instance", "went wrong"];
        let lines: Vec<String> = run
            .iter()
            .cycle()
            .take(6)
            .map(|line| (*line).to_owned())
            .collect();
        assert_eq!(last_lines(&lines, 10), run);
        let once: Vec<String> = ["a", "b", "b", "c"]
            .iter()
            .map(|line| (*line).to_owned())
            .collect();
        assert_eq!(
            last_lines(&once, 10),
            ["a", "b", "b", "c"],
            "only a repeated tail folds"
        );
    }
}
