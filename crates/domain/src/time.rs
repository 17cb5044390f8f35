//! Civil dates and local time at a fixed UTC offset, with no external crates.
//!
//! Instants are `i64` milliseconds since the Unix epoch (UTC), the project's
//! one time format. Local time is the instant shifted by a fixed offset: Russia
//! and Kazakhstan keep no daylight saving time, so one offset per calendar is
//! exact (Moscow UTC+3; all of Kazakhstan UTC+5 since 1 March 2024).
//!
//! Date arithmetic uses Howard Hinnant's `days_from_civil` / `civil_from_days`
//! algorithms on the proleptic Gregorian calendar.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

pub const MS_PER_SECOND: i64 = 1_000;
pub const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
pub const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
pub const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

/// Days since 1970-01-01 of a (proleptic Gregorian) civil date. The month is
/// 1–12 and the day 1–31; out-of-range values are not checked here (see
/// [`Date::from_ymd`]).
pub const fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = year as i64 - if month <= 2 { 1 } else { 0 };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a count of days since 1970-01-01.
pub const fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    ((y + if m <= 2 { 1 } else { 0 }) as i32, m as u32, d as u32)
}

pub const fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub const fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Day of the week, Monday first (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] =
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

    /// 0 for Monday … 6 for Sunday.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Three-letter lower-case English key (`mon` … `sun`), as used in data files.
    pub const fn key(self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self as usize]
    }

    pub fn from_key(key: &str) -> Option<Weekday> {
        Weekday::ALL.into_iter().find(|w| w.key() == key)
    }

    pub const fn is_weekend(self) -> bool {
        matches!(self, Weekday::Sat | Weekday::Sun)
    }
}

/// A civil date (no time, no zone), stored as days since 1970-01-01 so that
/// ordering and day arithmetic are integer operations. Written and parsed as
/// `YYYY-MM-DD`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

impl Date {
    /// A checked date; `None` for impossible dates such as 2026-02-29.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    pub const fn from_days(days: i64) -> Date {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub const fn days(self) -> i64 {
        self.0
    }

    pub const fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    pub const fn year(self) -> i32 {
        self.ymd().0
    }

    pub const fn month(self) -> u32 {
        self.ymd().1
    }

    pub const fn day(self) -> u32 {
        self.ymd().2
    }

    pub const fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday (index 3).
        Weekday::ALL[(self.0 + 3).rem_euclid(7) as usize]
    }

    pub const fn add_days(self, n: i64) -> Date {
        Date(self.0 + n)
    }

    /// Strict `YYYY-MM-DD` (four-digit year, two-digit month and day).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            s.get(r).filter(|p| p.bytes().all(|c| c.is_ascii_digit()))?.parse().ok()
        };
        Date::from_ymd(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("not a YYYY-MM-DD date: {s}")))
    }
}

/// A fixed offset from UTC in whole minutes, east positive (Moscow `+180`,
/// Almaty `+300`). Limited to ±18 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UtcOffset(i32);

impl UtcOffset {
    pub const UTC: UtcOffset = UtcOffset(0);
    /// Moscow time, UTC+3.
    pub const MOSCOW: UtcOffset = UtcOffset(180);
    /// Kazakhstan (Almaty, Astana and the whole country since 1 March 2024), UTC+5.
    pub const ALMATY: UtcOffset = UtcOffset(300);

    pub const fn from_minutes(minutes: i32) -> Option<UtcOffset> {
        if minutes.abs() <= 18 * 60 {
            Some(UtcOffset(minutes))
        } else {
            None
        }
    }

    pub const fn minutes(self) -> i32 {
        self.0
    }

    /// `+05:00`, `-03:30`, `+3` or `Z`.
    pub fn parse(s: &str) -> Option<UtcOffset> {
        if s == "Z" {
            return Some(UtcOffset::UTC);
        }
        let (sign, rest) = match s.as_bytes().first()? {
            b'+' => (1, &s[1..]),
            b'-' => (-1, &s[1..]),
            _ => return None,
        };
        let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
        let all_digits = |p: &str| !p.is_empty() && p.len() <= 2 && p.bytes().all(|c| c.is_ascii_digit());
        if !all_digits(h) || !all_digits(m) {
            return None;
        }
        let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
        if m >= 60 {
            return None;
        }
        UtcOffset::from_minutes(sign * (h * 60 + m))
    }

    fn ms(self) -> i64 {
        self.0 as i64 * MS_PER_MINUTE
    }

    /// The local date of an instant and the milliseconds since local midnight.
    pub fn to_local(self, at: i64) -> (Date, i64) {
        let local = at + self.ms();
        (Date(local.div_euclid(MS_PER_DAY)), local.rem_euclid(MS_PER_DAY))
    }

    pub fn local_date(self, at: i64) -> Date {
        self.to_local(at).0
    }

    /// The instant of local midnight at the start of `date`.
    pub fn start_of_day(self, date: Date) -> i64 {
        date.0 * MS_PER_DAY - self.ms()
    }

    /// The instant of a local wall-clock time (`hour` may be 24 for the end of the day).
    pub fn at(self, date: Date, hour: u32, minute: u32) -> i64 {
        self.start_of_day(date) + hour as i64 * MS_PER_HOUR + minute as i64 * MS_PER_MINUTE
    }
}

impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { '-' } else { '+' };
        write!(f, "{sign}{:02}:{:02}", self.0.abs() / 60, self.0.abs() % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn civil_round_trip_over_four_centuries() {
        let start = days_from_civil(1900, 1, 1);
        let end = days_from_civil(2300, 12, 31);
        let mut expected = (1900, 1, 1);
        for z in start..=end {
            let (y, m, dd) = civil_from_days(z);
            assert_eq!((y, m, dd), expected, "day {z}");
            assert_eq!(days_from_civil(y, m, dd), z);
            expected = if dd < days_in_month(y, m) {
                (y, m, dd + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }

    #[test]
    fn known_dates_and_weekdays() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(d("1970-01-01").weekday(), Weekday::Thu);
        assert_eq!(d("1969-12-31").weekday(), Weekday::Wed);
        assert_eq!(d("2026-01-01").weekday(), Weekday::Thu);
        assert_eq!(d("2025-11-01").weekday(), Weekday::Sat);
        assert_eq!(d("2026-03-21").weekday(), Weekday::Sat);
        assert_eq!(d("2024-02-29").weekday(), Weekday::Thu);
        assert_eq!(d("2026-05-08").add_days(10), d("2026-05-18"));
        assert_eq!(d("2025-12-22").add_days(10).to_string(), "2026-01-01");
    }

    #[test]
    fn date_parsing_is_strict() {
        assert_eq!(d("2026-12-16").ymd(), (2026, 12, 16));
        for bad in ["2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-01-01", "2026/01/01", "2026-01-0x", ""] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2100-02-29").is_none());
        assert!(Date::parse("2000-02-29").is_some());
    }

    #[test]
    fn local_time_at_fixed_offsets() {
        // 2026-01-01T00:00:00Z
        let at = days_from_civil(2026, 1, 1) * MS_PER_DAY;
        assert_eq!(UtcOffset::MOSCOW.to_local(at), (d("2026-01-01"), 3 * MS_PER_HOUR));
        assert_eq!(UtcOffset::ALMATY.to_local(at - MS_PER_HOUR), (d("2026-01-01"), 4 * MS_PER_HOUR));
        let west = UtcOffset::from_minutes(-150).unwrap();
        assert_eq!(west.to_local(at), (d("2025-12-31"), 21 * MS_PER_HOUR + 30 * MS_PER_MINUTE));
        assert_eq!(UtcOffset::ALMATY.start_of_day(d("2026-01-01")), at - 5 * MS_PER_HOUR);
        assert_eq!(UtcOffset::MOSCOW.at(d("2026-01-01"), 9, 30), at + 6 * MS_PER_HOUR + 30 * MS_PER_MINUTE);
        // Instants before the epoch.
        assert_eq!(UtcOffset::UTC.to_local(-1), (d("1969-12-31"), MS_PER_DAY - 1));
    }

    #[test]
    fn offsets_parse_and_print() {
        assert_eq!(UtcOffset::parse("+05:00"), Some(UtcOffset::ALMATY));
        assert_eq!(UtcOffset::parse("+3"), Some(UtcOffset::MOSCOW));
        assert_eq!(UtcOffset::parse("-03:30").unwrap().minutes(), -210);
        assert_eq!(UtcOffset::parse("Z"), Some(UtcOffset::UTC));
        for bad in ["05:00", "+19:00", "+05:60", "+", "+5:x", "+123"] {
            assert_eq!(UtcOffset::parse(bad), None, "{bad}");
        }
        assert_eq!(UtcOffset::from_minutes(-210).unwrap().to_string(), "-03:30");
        assert_eq!(UtcOffset::ALMATY.to_string(), "+05:00");
    }
}
