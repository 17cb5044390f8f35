//! Minimal civil date/time arithmetic: proleptic Gregorian dates ↔ day
//! numbers (days since 1970-01-01), weekdays, and the two timestamp formats
//! the forecaster reads and writes. Timestamps are wall-clock seconds since
//! 1970-01-01T00:00 (a UTC label on local time, as in the bank data).

use std::fmt;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Checked constructor.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        domain::time::days_from_civil(self.year, self.month, self.day)
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let (year, month, day) = domain::time::civil_from_days(days);
        Date { year, month, day }
    }

    /// 0 = Monday … 6 = Sunday.
    pub fn weekday(self) -> usize {
        (self.days() + 3).rem_euclid(7) as usize
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

use domain::time::days_in_month;

pub const WEEKDAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// How timestamps were written, so the forecast is written the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeFormat {
    /// `2003-03-03T07:00:00Z` (the suffix — `Z` or `+HH:MM` — is kept as read).
    Rfc3339 { suffix: String },
    /// `2003-03-03 07:00`, with `:SS` when `seconds`.
    Plain { seconds: bool },
}

impl TimeFormat {
    pub fn format(&self, ts: i64) -> String {
        let date = Date::from_days(ts.div_euclid(86_400));
        let s = ts.rem_euclid(86_400);
        let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
        match self {
            TimeFormat::Rfc3339 { suffix } => format!("{date}T{h:02}:{m:02}:{sec:02}{suffix}"),
            TimeFormat::Plain { seconds: true } => format!("{date} {h:02}:{m:02}:{sec:02}"),
            TimeFormat::Plain { seconds: false } => format!("{date} {h:02}:{m:02}"),
        }
    }
}

/// Parses `YYYY-MM-DDTHH:MM[:SS][.fff](Z|±HH:MM)` or `YYYY-MM-DD HH:MM[:SS]`
/// into wall-clock seconds and the format it was written in. The offset is
/// kept as a label (wall-clock time is what a calendar of opening hours is
/// about), not applied.
pub fn parse_timestamp(text: &str) -> Result<(i64, TimeFormat), String> {
    let t = text.trim();
    let bad = || format!("bad timestamp {t:?}: expected RFC 3339 (2003-03-03T07:00:00Z) or YYYY-MM-DD HH:MM");
    if t.len() < 16 || !t.is_char_boundary(10) || !t.is_char_boundary(16) {
        return Err(bad());
    }
    let (date_part, rest) = t.split_at(10);
    let sep = rest.as_bytes()[0];
    let date = parse_date(date_part).ok_or_else(bad)?;
    let rest = &rest[1..];
    let num = |s: &str| -> Option<i64> {
        if s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let h = num(rest.get(0..2).ok_or_else(bad)?).ok_or_else(bad)?;
    if rest.as_bytes().get(2) != Some(&b':') {
        return Err(bad());
    }
    let m = num(rest.get(3..5).ok_or_else(bad)?).ok_or_else(bad)?;
    let mut tail = rest.get(5..).ok_or_else(bad)?;
    let mut sec = 0;
    let mut has_seconds = false;
    if let Some(stripped) = tail.strip_prefix(':') {
        sec = num(stripped.get(0..2).ok_or_else(bad)?).ok_or_else(bad)?;
        has_seconds = true;
        tail = &stripped[2..];
    }
    if h > 23 || m > 59 || sec > 60 {
        return Err(bad());
    }
    let format = match sep {
        b'T' | b't' => {
            if let Some(frac) = tail.strip_prefix('.') {
                let digits = frac.bytes().take_while(|b| b.is_ascii_digit()).count();
                tail = &frac[digits..];
            }
            let ok_suffix = tail == "Z"
                || tail == "z"
                || (tail.len() == 6
                    && (tail.starts_with('+') || tail.starts_with('-'))
                    && num(&tail[1..3]).is_some()
                    && &tail[3..4] == ":"
                    && num(&tail[4..6]).is_some());
            if !ok_suffix {
                return Err(bad());
            }
            TimeFormat::Rfc3339 { suffix: tail.to_uppercase() }
        }
        b' ' if tail.is_empty() => TimeFormat::Plain { seconds: has_seconds },
        _ => return Err(bad()),
    };
    Ok((date.days() * 86_400 + h * 3600 + m * 60 + sec, format))
}

/// Parses `YYYY-MM-DD` (a real calendar date).
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    Date::new(y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days_round_trip_and_weekdays() {
        assert_eq!(Date::new(1970, 1, 1).map(Date::days), Some(0));
        let d = Date::new(2003, 3, 3).expect("date");
        assert_eq!(d.weekday(), 0, "3 March 2003 was a Monday");
        assert_eq!(Date::new(2003, 7, 4).map(Date::weekday), Some(4), "4 July 2003 was a Friday");
        assert_eq!(Date::new(2000, 2, 29).map(Date::weekday), Some(1));
        for n in -800_000..800_000i64 {
            if n % 997 == 0 {
                assert_eq!(Date::from_days(n).days(), n);
            }
        }
        assert_eq!(
            Date::from_days(Date::new(2003, 12, 31).expect("date").days() + 1),
            Date { year: 2004, month: 1, day: 1 }
        );
        assert!(Date::new(2003, 2, 29).is_none());
        assert!(Date::new(2004, 2, 29).is_some());
    }

    #[test]
    fn timestamps_parse_and_format() {
        let (ts, f) = parse_timestamp("2003-03-03T07:05:00Z").expect("rfc3339");
        assert_eq!(f, TimeFormat::Rfc3339 { suffix: "Z".into() });
        assert_eq!(f.format(ts), "2003-03-03T07:05:00Z");
        let (ts2, f2) = parse_timestamp("2003-03-03 07:05").expect("plain");
        assert_eq!(ts, ts2);
        assert_eq!(f2.format(ts2 + 300), "2003-03-03 07:10");
        let (_, f3) = parse_timestamp("2003-03-03T07:05:00+03:00").expect("offset");
        assert_eq!(f3.format(ts), "2003-03-03T07:05:00+03:00");
        for bad in
            ["", "2003-03-03", "2003-13-01 07:00", "2003-02-30 07:00", "2003-03-03 25:00", "2003-03-03T07:00", "x"]
        {
            assert!(parse_timestamp(bad).is_err(), "{bad:?} accepted");
        }
    }
}
