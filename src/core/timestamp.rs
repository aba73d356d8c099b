//! ISO 8601 timestamps as the registry stores them.
//!
//! The registry is shared with Python, whose `datetime.fromisoformat` (3.9+) reads
//! `2026-11-29T23:08:15.123456+00:00` but not a `Z` suffix, and whose own entries
//! are naive local times such as `2026-11-29T23:08:15.123456`. This module formats
//! the first and parses both; it never reads the clock, callers hand it the time.

use std::cmp::Ordering;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time, kept with the exact text it was read from so that a rewrite of
/// the registry does not change entries it did not touch.
#[derive(Debug, Clone)]
pub struct Timestamp {
    text: String,
    /// Microseconds since the Unix epoch; naive times are taken as UTC.
    micros: i64,
}

/// Where the time comes from: the system clock at the edge
/// ([`crate::edges::clock::SystemClock`]), a fixed time in tests.
pub trait Clock {
    fn now(&self) -> Timestamp;
}

impl Timestamp {
    /// Converts a clock reading, in UTC with an explicit `+00:00` offset.
    pub fn from_system_time(time: SystemTime) -> Self {
        let micros = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_micros()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_micros()).unwrap_or(i64::MAX),
        };
        Self::from_micros(micros)
    }

    fn from_micros(micros: i64) -> Self {
        let (date, seconds_of_day) = split_days(micros.div_euclid(1_000_000));
        let fraction = micros.rem_euclid(1_000_000);
        let text = format!(
            "{}T{:02}:{:02}:{:02}.{fraction:06}+00:00",
            date,
            seconds_of_day / 3600,
            seconds_of_day / 60 % 60,
            seconds_of_day % 60,
        );
        Self { text, micros }
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]][Z|±HH:MM]`.
    pub fn parse(text: &str) -> Option<Self> {
        let micros = parse_micros(text)?;
        Some(Self {
            text: text.to_owned(),
            micros,
        })
    }

    /// A compact UTC form for file names, such as `20261129T230815Z`.
    pub fn file_suffix(&self) -> String {
        let (date, seconds_of_day) = split_days(self.micros.div_euclid(1_000_000));
        format!(
            "{}{:02}{:02}T{:02}{:02}{:02}Z",
            date.year,
            date.month,
            date.day,
            seconds_of_day / 3600,
            seconds_of_day / 60 % 60,
            seconds_of_day % 60
        )
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn micros(&self) -> i64 {
        self.micros
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.micros == other.micros
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.micros.cmp(&other.micros)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format_args!(
                "`{text}` is not an ISO 8601 timestamp such as `2026-01-31T12:00:00.000000+00:00`"
            ))
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Date {
    year: i64,
    month: u32,
    day: u32,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Splits seconds since the epoch into a civil date and the seconds into that day.
fn split_days(seconds: i64) -> (Date, i64) {
    let days = seconds.div_euclid(86_400);
    (civil_from_days(days), seconds.rem_euclid(86_400))
}

// Howard Hinnant's `civil_from_days` and `days_from_civil`, for the proleptic
// Gregorian calendar: http://howardhinnant.github.io/date_algorithms.html
fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Date { year, month, day }
}

fn days_from_civil(date: Date) -> i64 {
    let year = date.year - i64::from(date.month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(date.month);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(date.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn parse_micros(text: &str) -> Option<i64> {
    let mut cursor = Cursor(text.as_bytes());
    let year = cursor.digits(4)?;
    cursor.expect(b'-')?;
    let month = cursor.digits(2)?;
    cursor.expect(b'-')?;
    let day = cursor.digits(2)?;
    if !cursor.eat(b'T') && !cursor.eat(b' ') {
        return None;
    }
    let hour = cursor.digits(2)?;
    cursor.expect(b':')?;
    let minute = cursor.digits(2)?;
    let mut second = 0;
    let mut micros = 0;
    if cursor.eat(b':') {
        second = cursor.digits(2)?;
        if cursor.eat(b'.') {
            let fraction = cursor.take_digits();
            if fraction.is_empty() || fraction.len() > 6 {
                return None;
            }
            let value: i64 = std::str::from_utf8(fraction).ok()?.parse().ok()?;
            micros = value * 10_i64.pow(6 - fraction.len() as u32);
        }
    }
    let offset_seconds = if cursor.0.is_empty() || cursor.eat(b'Z') {
        0
    } else {
        let sign = if cursor.eat(b'+') {
            1
        } else if cursor.eat(b'-') {
            -1
        } else {
            return None;
        };
        let hours = cursor.digits(2)?;
        cursor.expect(b':')?;
        let minutes = cursor.digits(2)?;
        sign * (hours * 3600 + minutes * 60)
    };
    if !cursor.0.is_empty() {
        return None;
    }
    let date = Date {
        year,
        month: u32::try_from(month).ok()?,
        day: u32::try_from(day).ok()?,
    };
    let days_in_month = match date.month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => return None,
    };
    if date.day == 0 || date.day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let seconds = days_from_civil(date) * 86_400 + hour * 3600 + minute * 60 + second;
    Some((seconds - offset_seconds) * 1_000_000 + micros)
}

struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn eat(&mut self, byte: u8) -> bool {
        match self.0.split_first() {
            Some((&first, rest)) if first == byte => {
                self.0 = rest;
                true
            }
            _ => false,
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    fn digits(&mut self, count: usize) -> Option<i64> {
        let digits = self.0.get(..count)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.0 = &self.0[count..];
        std::str::from_utf8(digits).ok()?.parse().ok()
    }

    fn take_digits(&mut self) -> &[u8] {
        let end = self
            .0
            .iter()
            .position(|byte| !byte.is_ascii_digit())
            .unwrap_or(self.0.len());
        let (digits, rest) = self.0.split_at(end);
        self.0 = rest;
        digits
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn formats_utc_with_offset_and_six_fraction_digits() {
        let time = UNIX_EPOCH + Duration::from_micros(1_796_166_495_123_456);
        let stamp = Timestamp::from_system_time(time);
        assert_eq!(stamp.as_str(), "2026-12-01T23:08:15.123456+00:00");
        assert_eq!(stamp.file_suffix(), "20261201T230815Z");
    }

    #[test]
    fn reads_python_naive_and_offset_forms() {
        let naive = Timestamp::parse("2026-11-29T23:08:15.123456").unwrap();
        let offset = Timestamp::parse("2026-11-30T00:08:15.123456+01:00").unwrap();
        let zulu = Timestamp::parse("2026-11-29T23:08:15.123456Z").unwrap();
        assert_eq!(naive, offset);
        assert_eq!(naive, zulu);
        assert_eq!(naive.as_str(), "2026-11-29T23:08:15.123456");
        let short = Timestamp::parse("2026-11-29 23:08").unwrap();
        assert_eq!(short.micros() + 15_123_456, naive.micros());
    }

    #[test]
    fn rejects_what_python_would_reject() {
        for text in [
            "",
            "yesterday",
            "2026-13-01T00:00:00",
            "2026-02-29T00:00:00",
            "2026-01-01",
            "2026-01-01T24:00:00",
            "2026-01-01T00:00:00.1234567",
            "2026-01-01T00:00:00+0100",
            "2026-01-01T00:00:00 trailing",
        ] {
            assert!(Timestamp::parse(text).is_none(), "{text:?} parsed");
        }
    }

    proptest! {
        #[test]
        fn formatting_round_trips(micros in -62_135_596_800_000_000_i64..253_402_300_799_000_000) {
            let stamp = Timestamp::from_micros(micros);
            let parsed = Timestamp::parse(stamp.as_str()).unwrap();
            prop_assert_eq!(parsed.micros(), micros);
        }
    }
}
