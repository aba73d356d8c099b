//! A TCP port number as the user gives it: 1 to 65535, parsed once.
//!
//! Clap's `--port`, `IRIS_DEV_PORT`, `IRIS_DEV_WEB_PORT` and both ends of
//! `IRIS_DEV_PORT_RANGE` all go through [`Port::from_str`], so they accept and
//! refuse the same text with the same words. The registry and the allocator work
//! on plain `u16`s, which Python writes; [`Port::get`] crosses over.

use std::fmt;
use std::num::NonZeroU16;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port(NonZeroU16);

impl Port {
    pub const fn new(port: u16) -> Option<Self> {
        match NonZeroU16::new(port) {
            Some(port) => Some(Self(port)),
            None => None,
        }
    }

    pub const fn get(self) -> u16 {
        self.0.get()
    }
}

impl FromStr for Port {
    type Err = String;

    /// Surrounding whitespace is ignored; the error quotes the text as given.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.trim()
            .parse::<u16>()
            .ok()
            .and_then(Self::new)
            .ok_or_else(|| format!("`{}` is not a port from 1 to 65535", text.trim()))
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_one_to_65535_only() {
        assert_eq!("1".parse::<Port>().map(Port::get), Ok(1));
        assert_eq!(" 65535 ".parse::<Port>().map(Port::get), Ok(65_535));
        for bad in ["0", "65536", "-1", "", "http", "19 72"] {
            assert_eq!(
                bad.parse::<Port>(),
                Err(format!("`{}` is not a port from 1 to 65535", bad.trim())),
                "{bad:?}"
            );
        }
    }
}
