//! Calendar dates: parsed from front matter and data, counted in days for axes,
//! and the build's date and time (`SOURCE_DATE_EPOCH` or the clock). A leaf; no time zones.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::Deserialize;

/// A date as written in front matter: a TOML date, or a `YYYY-MM-DD` string
/// (optionally followed by a time, which is kept out of the output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year, e.g. 2024.
    pub year: i32,
    /// The month, 1–12.
    pub month: u8,
    /// The day of the month, 1–31.
    pub day: u8,
}

impl Date {
    /// Parses `2024-03-05` (or `2024-03-05T10:00:00+01:00`), checking that the day exists.
    ///
    /// ```
    /// use innsyn::dates::Date;
    /// assert!(Date::parse("2024-02-29").is_ok());
    /// assert!(Date::parse("2023-02-29").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Date, String> {
        let s = s.trim();
        let date = s.get(..10).unwrap_or(s);
        let rest = s.get(10..).unwrap_or("");
        let bad = || format!("`{s}` is not a date");
        let parts: Vec<&str> = date.split('-').collect();
        if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
            return Err(bad());
        }
        if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with('t') || rest.starts_with(' ')) {
            return Err(bad());
        }
        let year: i32 = parts[0].parse().map_err(|_| bad())?;
        let month: u8 = parts[1].parse().map_err(|_| bad())?;
        let day: u8 = parts[2].parse().map_err(|_| bad())?;
        Date::new(year, month, day)
    }

    /// The date `days` after 1970-01-01.
    pub fn from_day_number(days: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// A date, if that day exists.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, String> {
        if !(1..=12).contains(&month) {
            return Err(format!("month {month} does not exist"));
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][usize::from(month) - 1];
        if day == 0 || day > days {
            return Err(format!("{year}-{month:02} has no day {day}"));
        }
        Ok(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A date value before it is checked: TOML dates and strings both land here.
#[derive(Debug, Clone)]
pub struct RawDate(pub String);

impl<'de> Deserialize<'de> for RawDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = RawDate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date like 2024-03-05")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDate, E> {
                Ok(RawDate(v.to_string()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<RawDate, A::Error> {
                let dt = toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawDate(dt.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Days since 1970-01-01 (proleptic Gregorian), for placing dates on an axis.
pub fn day_number(d: Date) -> i64 {
    let (y, m, d) = (i64::from(d.year), i64::from(d.month), i64::from(d.day));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The build's date (UTC): `SOURCE_DATE_EPOCH` when set, so archives and tests
/// can pin it, otherwise the clock.
pub fn today() -> Date {
    Date::from_day_number(now().div_euclid(86_400))
}

/// The build's time in seconds since 1970-01-01T00:00:00Z: `SOURCE_DATE_EPOCH`
/// when set, otherwise the clock. [`today`] is its date.
pub fn now() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
    })
}
/// Where a time written in data lies on a time axis, in years: `2024-03-14` and
/// `14.03.2024` (dates), and SSB's period codes `2024M03` (month), `2024K1` (quarter,
/// also `2024Q1`) and `2024U12` (week). A period lies at its start. Plain years are
/// numbers and are not read here.
///
/// ```
/// use innsyn::dates::time_position;
/// assert_eq!(time_position("2024M07"), Some(2024.5));
/// assert_eq!(time_position("2024K3"), Some(2024.5));
/// assert_eq!(time_position("2024-01-01"), Some(2024.0));
/// assert_eq!(time_position("01.07.2023"), time_position("2023-07-01"));
/// assert_eq!(time_position("2024M13"), None);
/// assert_eq!(time_position("Meråker"), None);
/// ```
pub fn time_position(s: &str) -> Option<f64> {
    let s = s.trim();
    let year_fraction = |d: Date| {
        let start = day_number(Date { year: d.year, month: 1, day: 1 });
        let next = day_number(Date { year: d.year + 1, month: 1, day: 1 });
        f64::from(d.year) + (day_number(d) - start) as f64 / (next - start) as f64
    };
    let bytes = s.as_bytes();
    if s.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-' {
        return Date::parse(s).ok().map(year_fraction);
    }
    if s.len() == 10 && bytes[2] == b'.' && bytes[5] == b'.' && s.is_ascii() {
        let iso = format!("{}-{}-{}", &s[6..], &s[3..5], &s[..2]);
        return Date::parse(&iso).ok().map(year_fraction);
    }
    let year: i32 = s.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit()))?.parse().ok()?;
    let (per_year, period) = match s.get(4..5)? {
        "M" | "m" => (12, s.get(5..)?),
        "K" | "k" | "Q" | "q" => (4, s.get(5..)?),
        "U" | "u" | "W" | "w" => (53, s.get(5..)?),
        _ => return None,
    };
    if period.is_empty() || period.len() > 2 || !period.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = period.parse().ok()?;
    if n == 0 || n > per_year {
        return None;
    }
    // Weeks: 52 or 53 in a year; the 53rd lies at the year's end.
    let per_year = if per_year == 53 { 52.0 } else { f64::from(per_year) };
    Some(f64::from(year) + f64::from(n - 1) / per_year)
}
