//! Business calendars: when work is done, so that SLA targets can be counted
//! in working time.
//!
//! A [`BusinessCalendar`] has working hours per weekday (several ranges per
//! day, e.g. 09:00–13:00 and 14:00–18:00), a fixed UTC offset, public holidays
//! (non-working dates), transferred working days (a Saturday that is a working
//! day by Government decree) and optional per-date hours. Country holidays come
//! from a [`HolidaySet`]: editable data files embedded from
//! `crates/domain/data/` ([`HolidaySet::ru`], [`HolidaySet::kz`]) or an
//! administrator's corrected copy ([`HolidaySet::parse`]).
//!
//! Every computation steps over whole day segments, never minute by minute.

use crate::datafile::{self, DataError, Table};
use crate::time::{Date, UtcOffset, Weekday, MS_PER_MINUTE};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The Russian holiday preset as shipped (see its header for sources).
pub const RU_HOLIDAYS: &str = include_str!("../data/holidays_ru.toml");
/// The Kazakh holiday preset as shipped (see its header for sources).
pub const KZ_HOLIDAYS: &str = include_str!("../data/holidays_kz.toml");

/// How many consecutive days without any working time a search tolerates
/// before concluding the calendar never works again (ten years).
const MAX_IDLE_DAYS: u32 = 3_660;

const MINUTES_PER_DAY: u16 = 24 * 60;

/// A working period within one local day, in minutes since local midnight;
/// `end` may be 1440 (midnight at the end of the day). Written `09:00-13:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TimeRange {
    start: u16,
    end: u16,
}

impl TimeRange {
    /// `None` unless `start < end <= 1440`.
    pub const fn new(start_minute: u16, end_minute: u16) -> Option<TimeRange> {
        if start_minute < end_minute && end_minute <= MINUTES_PER_DAY {
            Some(TimeRange { start: start_minute, end: end_minute })
        } else {
            None
        }
    }

    /// From wall-clock hours and minutes, e.g. `hm(9, 0, 18, 0)`.
    pub const fn hm(start_h: u16, start_m: u16, end_h: u16, end_m: u16) -> Option<TimeRange> {
        if start_m >= 60 || end_m >= 60 {
            return None;
        }
        TimeRange::new(start_h * 60 + start_m, end_h * 60 + end_m)
    }

    /// The whole day, 00:00–24:00.
    pub const ALL_DAY: TimeRange = TimeRange { start: 0, end: MINUTES_PER_DAY };

    pub const fn start_minute(self) -> u16 {
        self.start
    }

    pub const fn end_minute(self) -> u16 {
        self.end
    }

    /// `HH:MM-HH:MM`; the end may be `24:00`.
    pub fn parse(s: &str) -> Option<TimeRange> {
        let (a, b) = s.split_once('-')?;
        let minute = |p: &str| -> Option<u16> {
            let (h, m) = p.trim().split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h <= 24 && m < 60).then_some(h * 60 + m)
        };
        TimeRange::new(minute(a)?, minute(b)?)
    }

    fn bounds(self, day_start: i64) -> (i64, i64) {
        (day_start + self.start as i64 * MS_PER_MINUTE, day_start + self.end as i64 * MS_PER_MINUTE)
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}-{:02}:{:02}", self.start / 60, self.start % 60, self.end / 60, self.end % 60)
    }
}

/// Why a calendar edit was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarError {
    /// Ranges of one day overlap or are not in ascending order.
    OverlappingRanges,
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalendarError::OverlappingRanges => write!(f, "working ranges must be ascending and must not overlap"),
        }
    }
}

impl std::error::Error for CalendarError {}

fn check_ranges(ranges: &[TimeRange]) -> Result<(), CalendarError> {
    if ranges.windows(2).all(|w| w[0].end <= w[1].start) {
        Ok(())
    } else {
        Err(CalendarError::OverlappingRanges)
    }
}

/// A country's public holidays and transferred working days for a span of
/// years, as read from a data file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidaySet {
    /// ISO 3166 code, e.g. `RU`, `KZ`.
    pub country: String,
    pub name: String,
    /// The legal basis, as written in the data file.
    pub source: String,
    /// Years the data claims to cover; outside them only weekends are known.
    pub first_year: i32,
    pub last_year: i32,
    /// Non-working dates (public holidays and days off moved onto weekdays).
    pub holidays: BTreeSet<Date>,
    /// Weekend dates that are working days (transferred by decree).
    pub working_days: BTreeSet<Date>,
}

impl HolidaySet {
    /// The shipped Russian preset.
    pub fn ru() -> HolidaySet {
        HolidaySet::parse(RU_HOLIDAYS).expect("shipped RU holiday data parses")
    }

    /// The shipped Kazakh preset.
    pub fn kz() -> HolidaySet {
        HolidaySet::parse(KZ_HOLIDAYS).expect("shipped KZ holiday data parses")
    }

    /// A shipped preset by country code (`RU`, `KZ`, case-insensitive).
    pub fn preset(country: &str) -> Option<HolidaySet> {
        match country.to_ascii_uppercase().as_str() {
            "RU" => Some(HolidaySet::ru()),
            "KZ" => Some(HolidaySet::kz()),
            _ => None,
        }
    }

    /// Reads a holiday file (the format of `data/holidays_*.toml`): keys
    /// `country`, `name`, `source`, `first_year`, `last_year`, and arrays
    /// `holidays` and `working_days` of `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<HolidaySet, DataError> {
        let tables = datafile::parse(text)?;
        if let Some(t) = tables.get(1) {
            return Err(DataError::new(t.line, "holiday files have no tables"));
        }
        let root = &tables[0];
        root.only_keys(&["country", "name", "source", "first_year", "last_year", "holidays", "working_days"])?;
        let year = |key: &str| -> Result<i32, DataError> {
            let y = root.int(key)?;
            i32::try_from(y).ok().filter(|y| (1900..=9999).contains(y)).ok_or_else(|| {
                DataError::new(root.get(key).map_or(0, |e| e.line), format!("`{key}` is not a plausible year"))
            })
        };
        let set = HolidaySet {
            country: root.str("country")?.to_string(),
            name: root.opt_str("name")?.unwrap_or_default().to_string(),
            source: root.str("source")?.to_string(),
            first_year: year("first_year")?,
            last_year: year("last_year")?,
            holidays: date_list(root, "holidays")?,
            working_days: date_list(root, "working_days")?,
        };
        if let Some(d) = set.holidays.intersection(&set.working_days).next() {
            return Err(DataError::new(0, format!("{d} is listed both as a holiday and as a working day")));
        }
        Ok(set)
    }

    pub fn is_holiday(&self, date: Date) -> bool {
        self.holidays.contains(&date)
    }

    pub fn is_transferred_working_day(&self, date: Date) -> bool {
        self.working_days.contains(&date)
    }

    /// Whether the data covers the year of `date`.
    pub fn covers(&self, date: Date) -> bool {
        (self.first_year..=self.last_year).contains(&date.year())
    }

    /// A working day of the standard five-day week (Monday–Friday) under this
    /// country's holidays and transfers; used for legal terms in working days.
    pub fn is_working_day(&self, date: Date) -> bool {
        if self.holidays.contains(&date) {
            false
        } else {
            self.working_days.contains(&date) || !date.weekday().is_weekend()
        }
    }
}

fn date_list(table: &Table, key: &str) -> Result<BTreeSet<Date>, DataError> {
    let mut out = BTreeSet::new();
    for (item, line) in table.str_array(key)? {
        let bad = || DataError::new(line, format!("`{item}` in `{key}` is not YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD"));
        let (from, to) = match item.split_once("..") {
            Some((a, b)) => (Date::parse(a).ok_or_else(bad)?, Date::parse(b).ok_or_else(bad)?),
            None => {
                let d = Date::parse(item).ok_or_else(bad)?;
                (d, d)
            }
        };
        if to < from || to.days() - from.days() > 366 {
            return Err(bad());
        }
        out.extend((from.days()..=to.days()).map(Date::from_days));
    }
    Ok(out)
}

/// Working hours in one place: weekly hours at a fixed UTC offset, minus
/// holidays, plus transferred working days and per-date exceptions.
///
/// The rule for a date, first match wins: per-date hours
/// ([`set_date_hours`](Self::set_date_hours)); holiday → closed; transferred
/// working day → [`transferred_day_hours`](Self::transferred_day_hours);
/// otherwise the weekday's hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessCalendar {
    pub name: String,
    pub offset: UtcOffset,
    week: [Vec<TimeRange>; 7],
    transferred_day_hours: Vec<TimeRange>,
    holidays: BTreeSet<Date>,
    working_days: BTreeSet<Date>,
    date_hours: BTreeMap<Date, Vec<TimeRange>>,
}

impl BusinessCalendar {
    /// A calendar with no working time at all; add hours with [`set_hours`](Self::set_hours).
    pub fn closed(name: impl Into<String>, offset: UtcOffset) -> BusinessCalendar {
        BusinessCalendar {
            name: name.into(),
            offset,
            week: Default::default(),
            transferred_day_hours: Vec::new(),
            holidays: BTreeSet::new(),
            working_days: BTreeSet::new(),
            date_hours: BTreeMap::new(),
        }
    }

    /// Monday to Friday with the same `ranges` each day; transferred working
    /// days use the same ranges.
    pub fn five_day_week(
        name: impl Into<String>,
        offset: UtcOffset,
        ranges: &[TimeRange],
    ) -> Result<BusinessCalendar, CalendarError> {
        let mut cal = BusinessCalendar::closed(name, offset);
        for day in &Weekday::ALL[..5] {
            cal.set_hours(*day, ranges.to_vec())?;
        }
        cal.set_transferred_day_hours(ranges.to_vec())?;
        Ok(cal)
    }

    /// Open 24 hours a day, seven days a week (holidays may still be added).
    pub fn always_open(name: impl Into<String>, offset: UtcOffset) -> BusinessCalendar {
        let mut cal = BusinessCalendar::closed(name, offset);
        cal.week = std::array::from_fn(|_| vec![TimeRange::ALL_DAY]);
        cal.transferred_day_hours = vec![TimeRange::ALL_DAY];
        cal
    }

    /// Reads a calendar description:
    ///
    /// ```toml
    /// name = "Moscow office"
    /// utc_offset = "+03:00"
    /// holidays_preset = "RU"          # optional: shipped RU or KZ holidays
    /// mon = ["09:00-13:00", "14:00-18:00"]   # mon … sun; a missing day is closed
    /// transferred_day = ["09:00-18:00"]      # optional; default: Monday's hours
    /// holidays = ["2026-06-15"]              # optional extra non-working dates
    /// working_days = ["2026-06-20"]          # optional extra working dates
    /// ```
    ///
    /// `holidays` may also be given as a full [`HolidaySet`] afterwards with
    /// [`apply_holidays`](Self::apply_holidays), e.g. an administrator's copy.
    pub fn parse(text: &str) -> Result<BusinessCalendar, DataError> {
        let tables = datafile::parse(text)?;
        if let Some(t) = tables.get(1) {
            return Err(DataError::new(t.line, "calendar files have no tables"));
        }
        let root = &tables[0];
        let mut known = vec!["name", "utc_offset", "holidays_preset", "transferred_day", "holidays", "working_days"];
        known.extend(Weekday::ALL.iter().map(|w| w.key()));
        root.only_keys(&known)?;
        let line_of = |key: &str| root.get(key).map_or(0, |e| e.line);
        let offset = UtcOffset::parse(root.str("utc_offset")?)
            .ok_or_else(|| DataError::new(line_of("utc_offset"), "`utc_offset` must look like +05:00"))?;
        let mut cal = BusinessCalendar::closed(root.str("name")?, offset);
        let ranges = |key: &str| -> Result<Option<Vec<TimeRange>>, DataError> {
            if root.get(key).is_none() {
                return Ok(None);
            }
            let list = root.str_array(key)?;
            let ranges = list
                .iter()
                .map(|(s, line)| {
                    TimeRange::parse(s).ok_or_else(|| DataError::new(*line, format!("bad time range `{s}`")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            check_ranges(&ranges).map_err(|e| DataError::new(line_of(key), e.to_string()))?;
            Ok(Some(ranges))
        };
        for day in Weekday::ALL {
            cal.week[day.index()] = ranges(day.key())?.unwrap_or_default();
        }
        cal.transferred_day_hours = match ranges("transferred_day")? {
            Some(r) => r,
            None => cal.week[Weekday::Mon.index()].clone(),
        };
        if let Some(code) = root.opt_str("holidays_preset")? {
            let set = HolidaySet::preset(code)
                .ok_or_else(|| DataError::new(line_of("holidays_preset"), format!("no holiday preset `{code}`")))?;
            cal.apply_holidays(&set);
        }
        for d in date_list(root, "holidays")? {
            cal.add_holiday(d);
        }
        for d in date_list(root, "working_days")? {
            cal.add_working_day(d);
        }
        Ok(cal)
    }

    /// Replaces the working ranges of a weekday (empty = closed that day).
    pub fn set_hours(&mut self, day: Weekday, ranges: Vec<TimeRange>) -> Result<(), CalendarError> {
        check_ranges(&ranges)?;
        self.week[day.index()] = ranges;
        Ok(())
    }

    pub fn hours(&self, day: Weekday) -> &[TimeRange] {
        &self.week[day.index()]
    }

    /// The hours worked on a transferred working day (e.g. a Saturday made a
    /// working day by decree).
    pub fn set_transferred_day_hours(&mut self, ranges: Vec<TimeRange>) -> Result<(), CalendarError> {
        check_ranges(&ranges)?;
        self.transferred_day_hours = ranges;
        Ok(())
    }

    pub fn transferred_day_hours(&self) -> &[TimeRange] {
        &self.transferred_day_hours
    }

    /// Special hours for one date (e.g. a shortened pre-holiday day); empty
    /// closes the date. Overrides holidays and transfers.
    pub fn set_date_hours(&mut self, date: Date, ranges: Vec<TimeRange>) -> Result<(), CalendarError> {
        check_ranges(&ranges)?;
        self.date_hours.insert(date, ranges);
        Ok(())
    }

    pub fn clear_date_hours(&mut self, date: Date) {
        self.date_hours.remove(&date);
    }

    /// Marks a date as non-working (and no longer a transferred working day).
    pub fn add_holiday(&mut self, date: Date) {
        self.working_days.remove(&date);
        self.holidays.insert(date);
    }

    pub fn remove_holiday(&mut self, date: Date) {
        self.holidays.remove(&date);
    }

    /// Marks a date as a transferred working day (and no longer a holiday).
    pub fn add_working_day(&mut self, date: Date) {
        self.holidays.remove(&date);
        self.working_days.insert(date);
    }

    pub fn remove_working_day(&mut self, date: Date) {
        self.working_days.remove(&date);
    }

    /// Adds a country's holidays and transferred working days.
    pub fn apply_holidays(&mut self, set: &HolidaySet) {
        for d in &set.holidays {
            self.add_holiday(*d);
        }
        for d in &set.working_days {
            self.add_working_day(*d);
        }
    }

    pub fn holidays(&self) -> &BTreeSet<Date> {
        &self.holidays
    }

    pub fn working_days(&self) -> &BTreeSet<Date> {
        &self.working_days
    }

    /// The working ranges of a local date after holidays and exceptions.
    pub fn hours_on(&self, date: Date) -> &[TimeRange] {
        if let Some(h) = self.date_hours.get(&date) {
            h
        } else if self.holidays.contains(&date) {
            &[]
        } else if self.working_days.contains(&date) {
            &self.transferred_day_hours
        } else {
            &self.week[date.weekday().index()]
        }
    }

    /// Whether the date has any working time.
    pub fn is_working_day(&self, date: Date) -> bool {
        !self.hours_on(date).is_empty()
    }

    /// Whether the instant falls inside working hours (start inclusive, end exclusive).
    pub fn is_working(&self, at: i64) -> bool {
        let (date, _) = self.offset.to_local(at);
        let day_start = self.offset.start_of_day(date);
        self.hours_on(date).iter().any(|r| {
            let (s, e) = r.bounds(day_start);
            s <= at && at < e
        })
    }

    /// Calls `f(start, end)` for each working segment at or after `at`, in
    /// order, day by day, until `f` returns `Some`. `None` when no working time
    /// occurs for [`MAX_IDLE_DAYS`] days in a row.
    fn scan_forward<T>(&self, at: i64, mut f: impl FnMut(i64, i64) -> Option<T>) -> Option<T> {
        let mut date = self.offset.local_date(at);
        let mut idle = 0;
        loop {
            let day_start = self.offset.start_of_day(date);
            let mut worked = false;
            for r in self.hours_on(date) {
                let (s, e) = r.bounds(day_start);
                let s = s.max(at);
                if s < e {
                    worked = true;
                    if let Some(found) = f(s, e) {
                        return Some(found);
                    }
                }
            }
            idle = if worked { 0 } else { idle + 1 };
            if idle > MAX_IDLE_DAYS {
                return None;
            }
            date = date.add_days(1);
        }
    }

    /// `at` itself if it is working time, else the start of the next working
    /// period; `None` if the calendar never works again.
    pub fn next_working(&self, at: i64) -> Option<i64> {
        self.scan_forward(at, |s, _| Some(s))
    }

    /// The instant at which `duration` ms of working time have passed since
    /// `at`. A non-positive duration gives `at`. When the duration runs out
    /// exactly at the end of a working period, the answer is that end (not the
    /// start of the next period). `None` if the calendar never works enough.
    pub fn add_working(&self, at: i64, duration: i64) -> Option<i64> {
        if duration <= 0 {
            return Some(at);
        }
        let mut left = duration;
        self.scan_forward(at, |s, e| {
            if left <= e - s {
                Some(s + left)
            } else {
                left -= e - s;
                None
            }
        })
    }

    /// Working time in ms between two instants (0 if `to <= from`).
    pub fn working_between(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = 0;
        let mut date = self.offset.local_date(from);
        let last = self.offset.local_date(to);
        while date <= last {
            let day_start = self.offset.start_of_day(date);
            for r in self.hours_on(date) {
                let (s, e) = r.bounds(day_start);
                let (s, e) = (s.max(from), e.min(to));
                if s < e {
                    total += e - s;
                }
            }
            date = date.add_days(1);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{MS_PER_DAY, MS_PER_HOUR};

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn r(s: &str) -> TimeRange {
        TimeRange::parse(s).unwrap()
    }

    /// Moscow office: Mon–Fri 09:00–13:00 and 14:00–18:00 (8 hours), RU holidays.
    fn moscow() -> BusinessCalendar {
        let mut cal =
            BusinessCalendar::five_day_week("Moscow", UtcOffset::MOSCOW, &[r("09:00-13:00"), r("14:00-18:00")])
                .unwrap();
        cal.apply_holidays(&HolidaySet::ru());
        cal
    }

    fn msk(date: &str, h: u32, m: u32) -> i64 {
        UtcOffset::MOSCOW.at(d(date), h, m)
    }

    #[test]
    fn time_ranges_parse_and_validate() {
        assert_eq!(r("09:00-13:30"), TimeRange::hm(9, 0, 13, 30).unwrap());
        assert_eq!(r("00:00-24:00"), TimeRange::ALL_DAY);
        assert_eq!(r("14:05-18:00").to_string(), "14:05-18:00");
        for bad in ["13:00-09:00", "09:00-09:00", "9:00-13:00", "09:00-24:01", "25:00-26:00", "09:00", "09:60-10:00"] {
            assert_eq!(TimeRange::parse(bad), None, "{bad}");
        }
        let mut cal = BusinessCalendar::closed("x", UtcOffset::UTC);
        assert_eq!(
            cal.set_hours(Weekday::Mon, vec![r("09:00-13:00"), r("12:00-18:00")]),
            Err(CalendarError::OverlappingRanges)
        );
        assert_eq!(
            cal.set_hours(Weekday::Mon, vec![r("14:00-18:00"), r("09:00-13:00")]),
            Err(CalendarError::OverlappingRanges)
        );
        assert!(cal.set_hours(Weekday::Mon, vec![r("09:00-13:00"), r("13:00-18:00")]).is_ok());
    }

    #[test]
    fn shipped_ru_holidays_contain_known_dates() {
        let ru = HolidaySet::ru();
        assert_eq!(ru.country, "RU");
        assert!(ru.source.contains("art. 112"));
        for day in 1..=8 {
            assert!(ru.is_holiday(Date::from_ymd(2026, 1, day).unwrap()), "2026-01-0{day}");
        }
        for holiday in ["2026-01-09", "2026-02-23", "2026-03-09", "2026-05-09", "2026-05-11", "2026-06-12"] {
            assert!(ru.is_holiday(d(holiday)), "{holiday}");
        }
        for holiday in ["2025-05-02", "2025-11-03", "2025-11-04", "2025-12-31", "2026-11-04", "2026-12-31"] {
            assert!(!ru.is_working_day(d(holiday)), "{holiday}");
        }
        // Saturday 1 November 2025 was a working day by decree.
        assert!(ru.is_transferred_working_day(d("2025-11-01")));
        assert!(ru.is_working_day(d("2025-11-01")));
        // Ordinary days.
        assert!(ru.is_working_day(d("2026-01-12")));
        assert!(!ru.is_working_day(d("2026-01-10")));
        assert!(ru.covers(d("2027-06-14")) && !ru.covers(d("2028-01-01")));
        // 2025 and 2026 each have 247 working days on the five-day week.
        for year in [2025, 2026] {
            let first = Date::from_ymd(year, 1, 1).unwrap().days();
            let last = Date::from_ymd(year, 12, 31).unwrap().days();
            let working = (first..=last).filter(|&n| ru.is_working_day(Date::from_days(n))).count();
            assert_eq!(working, 247, "{year}");
        }
    }

    #[test]
    fn shipped_kz_holidays_contain_known_dates() {
        let kz = HolidaySet::kz();
        assert_eq!(kz.country, "KZ");
        assert!(kz.source.contains("267-II"));
        for holiday in
            ["2026-03-21", "2026-03-22", "2026-03-23", "2026-12-16", "2026-01-07", "2026-07-06", "2025-06-06"]
        {
            assert!(kz.is_holiday(d(holiday)), "{holiday}");
        }
        // Nauryz 2026 falls partly on a weekend: the days off move to 24 and 25 March.
        assert!(!kz.is_working_day(d("2026-03-24")) && !kz.is_working_day(d("2026-03-25")));
        assert!(kz.is_working_day(d("2026-03-26")));
        // Independence Day is one day since 2022: 17 December is a working day.
        assert!(kz.is_working_day(d("2026-12-17")));
        // Republic Day (25 October) is a holiday again.
        assert!(kz.is_holiday(d("2027-10-25")));
        assert_eq!(HolidaySet::preset("kz"), Some(kz));
        assert_eq!(HolidaySet::preset("UZ"), None);
    }

    #[test]
    fn shipped_data_is_consistent() {
        // Sanity checks on the hand-written data: a transferred working day is
        // always a weekend date, and no date lies outside the declared years.
        for set in [HolidaySet::ru(), HolidaySet::kz()] {
            for d in &set.working_days {
                assert!(d.weekday().is_weekend(), "{} {d}", set.country);
            }
            for d in &set.holidays {
                assert!(set.covers(*d), "{} {d} outside the declared years", set.country);
            }
        }
    }

    #[test]
    fn administrator_edited_holidays_are_parsed_and_used() {
        // An administrator's copy: an extra regional holiday, one removed day,
        // and a working Saturday.
        let edited = r#"
            # Tatarstan office: Sabantuy-style regional day off, edited by admin
            country = "RU"
            name = "Russian Federation (Kazan office)"
            source = "Labour Code art. 112; regional law (admin copy)"
            first_year = 2026
            last_year = 2026
            holidays = [
              "2026-01-01..2026-01-08",
              "2026-06-12",
              "2026-06-26", # regional holiday
            ]
            working_days = ["2026-06-27"]
        "#;
        let set = HolidaySet::parse(edited).unwrap();
        assert_eq!(set.holidays.len(), 10);
        let mut cal = BusinessCalendar::five_day_week("Kazan", UtcOffset::MOSCOW, &[r("09:00-18:00")]).unwrap();
        cal.apply_holidays(&set);
        let at = |date: &str, h| UtcOffset::MOSCOW.at(d(date), h, 0);
        assert!(!cal.is_working(at("2026-06-26", 10)), "regional holiday (Friday)");
        assert!(cal.is_working(at("2026-06-27", 10)), "working Saturday");
        // 9 May 2026 is not in the edited copy, but it is a Saturday anyway;
        // 11 May (the shipped day off) is therefore a working Monday here.
        assert!(cal.is_working(at("2026-05-11", 10)));
        // Friday 17:00 + 2 working hours lands on the working Saturday, not on Monday.
        assert_eq!(cal.add_working(at("2026-06-25", 17), 2 * MS_PER_HOUR), Some(at("2026-06-27", 10)));
    }

    #[test]
    fn malformed_holiday_data_is_refused_with_a_line() {
        let base = "country = \"RU\"\nsource = \"x\"\nfirst_year = 2026\nlast_year = 2026\n";
        let cases = [
            ("holidays = [\"2026-02-30\"]", 5),
            ("holidays = [\"2026-01-08..2026-01-01\"]", 5),
            ("holiday = [\"2026-01-01\"]", 5),
            ("holidays = [1]", 5),
        ];
        for (extra, line) in cases {
            let err = HolidaySet::parse(&format!("{base}{extra}")).unwrap_err();
            assert_eq!(err.line, line, "{extra}: {err}");
        }
        let both = format!("{base}holidays = [\"2026-06-27\"]\nworking_days = [\"2026-06-27\"]");
        assert!(HolidaySet::parse(&both).unwrap_err().message.contains("both"));
        assert!(HolidaySet::parse("country = \"RU\"").unwrap_err().message.contains("source"));
    }

    #[test]
    fn is_working_respects_hours_lunch_weekends_and_holidays() {
        let cal = moscow();
        assert!(cal.is_working(msk("2026-02-02", 9, 0)), "start is inclusive");
        assert!(!cal.is_working(msk("2026-02-02", 13, 0)), "lunch");
        assert!(!cal.is_working(msk("2026-02-02", 18, 0)), "end is exclusive");
        assert!(!cal.is_working(msk("2026-02-07", 10, 0)), "Saturday");
        assert!(!cal.is_working(msk("2026-02-23", 10, 0)), "holiday");
        assert!(!cal.is_working(msk("2026-01-05", 10, 0)), "New Year holidays");
        assert!(cal.is_working(msk("2025-11-01", 10, 0)), "transferred working Saturday");
        assert!(!cal.is_working(msk("2025-11-03", 10, 0)), "its day off");
        // 08:30 Almaty is 06:30 Moscow: the offset is applied.
        let almaty_830 = UtcOffset::ALMATY.at(d("2026-02-02"), 8, 30);
        assert!(!cal.is_working(almaty_830));
        assert!(cal.is_working(UtcOffset::ALMATY.at(d("2026-02-02"), 11, 30)));
    }

    #[test]
    fn next_working_skips_lunch_nights_and_holiday_runs() {
        let cal = moscow();
        let t = msk("2026-02-02", 10, 15);
        assert_eq!(cal.next_working(t), Some(t));
        assert_eq!(cal.next_working(msk("2026-02-02", 13, 10)), Some(msk("2026-02-02", 14, 0)));
        assert_eq!(cal.next_working(msk("2026-02-06", 18, 0)), Some(msk("2026-02-09", 9, 0)));
        assert_eq!(cal.next_working(msk("2025-12-30", 19, 0)), Some(msk("2026-01-12", 9, 0)));
        assert_eq!(BusinessCalendar::closed("never", UtcOffset::UTC).next_working(0), None);
    }

    #[test]
    fn add_working_over_lunch_weekends_and_holidays() {
        let cal = moscow();
        let h = MS_PER_HOUR;
        // 12:00 + 2h: one hour before lunch, one after.
        assert_eq!(cal.add_working(msk("2026-02-02", 12, 0), 2 * h), Some(msk("2026-02-02", 15, 0)));
        // Exactly to the end of the day stays on that day.
        assert_eq!(cal.add_working(msk("2026-02-02", 9, 0), 8 * h), Some(msk("2026-02-02", 18, 0)));
        // Friday 17:00 + 8h → 1h on Friday, 7h on Monday (4h + lunch + 3h) → Monday 17:00.
        assert_eq!(cal.add_working(msk("2026-02-06", 17, 0), 8 * h), Some(msk("2026-02-09", 17, 0)));
        // Friday 20 Feb 2026 17:00 + 2h: Sat, Sun and Monday 23 Feb (holiday) skipped.
        assert_eq!(cal.add_working(msk("2026-02-20", 17, 0), 2 * h), Some(msk("2026-02-24", 10, 0)));
        // Starting outside hours counts from the next opening.
        assert_eq!(cal.add_working(msk("2025-12-31", 3, 0), h), Some(msk("2026-01-12", 10, 0)));
        // Non-positive durations leave the instant alone.
        assert_eq!(cal.add_working(msk("2026-02-07", 3, 0), 0), Some(msk("2026-02-07", 3, 0)));
        // Ten working days from Monday 2 Feb 2026 09:00: Friday 13 Feb 18:00.
        assert_eq!(cal.add_working(msk("2026-02-02", 9, 0), 80 * h), Some(msk("2026-02-13", 18, 0)));
        assert_eq!(BusinessCalendar::closed("never", UtcOffset::UTC).add_working(0, h), None);
    }

    #[test]
    fn add_working_steps_by_days_even_for_years_of_work() {
        let cal = moscow();
        let start = msk("2025-01-01", 0, 0);
        // 247 working days × 8 hours is exactly the working time of 2025.
        let year = 247 * 8 * MS_PER_HOUR;
        let started = std::time::Instant::now();
        let end = cal.add_working(start, year).unwrap();
        assert_eq!(end, msk("2025-12-30", 18, 0));
        // Twenty years of working time: the day-stepping loop stays fast.
        assert!(cal.add_working(start, 20 * year).is_some());
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
    }

    #[test]
    fn working_between_counts_only_working_time() {
        let cal = moscow();
        let h = MS_PER_HOUR;
        assert_eq!(cal.working_between(msk("2026-02-02", 12, 0), msk("2026-02-02", 15, 0)), 2 * h);
        assert_eq!(cal.working_between(msk("2026-02-06", 17, 0), msk("2026-02-09", 10, 0)), 2 * h);
        assert_eq!(cal.working_between(msk("2026-02-20", 8, 0), msk("2026-02-24", 20, 0)), 16 * h);
        assert_eq!(cal.working_between(msk("2026-02-09", 10, 0), msk("2026-02-06", 17, 0)), 0);
        assert_eq!(cal.working_between(msk("2026-01-01", 0, 0), msk("2026-01-11", 0, 0)), 0);
    }

    #[test]
    fn add_working_and_working_between_are_inverse() {
        let cal = moscow();
        let kz = {
            let mut c =
                BusinessCalendar::five_day_week("Almaty", UtcOffset::ALMATY, &[r("08:30-12:30"), r("13:30-17:30")])
                    .unwrap();
            c.set_hours(Weekday::Sat, vec![r("10:00-14:00")]).unwrap();
            c.apply_holidays(&HolidaySet::kz());
            c
        };
        // Deterministic pseudo-random starts and durations over 2025–2027.
        let mut seed: u64 = 0x5eed;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            seed >> 33
        };
        let base = msk("2025-01-01", 0, 0);
        for _ in 0..500 {
            let at = base + (next() % (1_000 * MS_PER_DAY as u64)) as i64;
            let dur = (next() % (300 * MS_PER_HOUR as u64)) as i64 + 1;
            for c in [&cal, &kz] {
                let due = c.add_working(at, dur).unwrap();
                assert_eq!(c.working_between(at, due), dur, "{} at {at} + {dur}", c.name);
                // The due instant is the earliest one: just before it, less work was done.
                assert!(c.working_between(at, due - 1) < dur);
            }
        }
    }

    #[test]
    fn always_open_calendar_counts_wall_time_across_midnight() {
        let cal = BusinessCalendar::always_open("24/7", UtcOffset::ALMATY);
        let at = UtcOffset::ALMATY.at(d("2026-03-21"), 22, 0);
        assert_eq!(cal.add_working(at, 5 * MS_PER_HOUR), Some(at + 5 * MS_PER_HOUR));
        assert_eq!(cal.working_between(at, at + 3 * MS_PER_DAY), 3 * MS_PER_DAY);
    }

    #[test]
    fn per_date_hours_override_weekly_hours_and_holidays() {
        let mut cal = moscow();
        // A shortened pre-holiday Friday and a duty shift on a holiday.
        cal.set_date_hours(d("2026-05-08"), vec![r("09:00-13:00"), r("14:00-17:00")]).unwrap();
        cal.set_date_hours(d("2026-05-11"), vec![r("10:00-12:00")]).unwrap();
        assert!(!cal.is_working(msk("2026-05-08", 17, 30)));
        assert_eq!(cal.add_working(msk("2026-05-08", 16, 0), 2 * MS_PER_HOUR), Some(msk("2026-05-11", 11, 0)));
        cal.clear_date_hours(d("2026-05-11"));
        assert_eq!(cal.add_working(msk("2026-05-08", 16, 0), 2 * MS_PER_HOUR), Some(msk("2026-05-12", 10, 0)));
    }

    #[test]
    fn calendar_file_is_parsed_with_preset_and_extras() {
        let text = r#"
            name = "Almaty contact centre"
            utc_offset = "+05:00"
            holidays_preset = "KZ"
            mon = ["08:00-20:00"]
            tue = ["08:00-20:00"]
            wed = ["08:00-20:00"]
            thu = ["08:00-20:00"]
            fri = ["08:00-20:00"]
            sat = ["10:00-16:00"]
            holidays = ["2026-04-10"]
            working_days = ["2026-03-22"]
        "#;
        let cal = BusinessCalendar::parse(text).unwrap();
        let at = |date: &str, h| UtcOffset::ALMATY.at(d(date), h, 0);
        assert_eq!(cal.offset, UtcOffset::ALMATY);
        assert!(cal.is_working(at("2026-03-28", 11)), "Saturday hours");
        assert!(!cal.is_working(at("2026-03-29", 11)), "Sunday closed");
        assert!(!cal.is_working(at("2026-03-23", 11)), "Nauryz from the preset");
        assert!(!cal.is_working(at("2026-04-10", 11)), "extra holiday");
        assert!(cal.is_working(at("2026-03-22", 9)), "extra working Sunday with Monday's hours");
        assert_eq!(cal.transferred_day_hours(), &[r("08:00-20:00")]);
        let bad =
            BusinessCalendar::parse("name = \"x\"\nutc_offset = \"+05:00\"\nmon = [\"09:00-13:00\", \"12:00-14:00\"]");
        assert_eq!(bad.unwrap_err().line, 3);
        let bad = BusinessCalendar::parse("name = \"x\"\nutc_offset = \"+05:00\"\nholidays_preset = \"XX\"");
        assert_eq!(bad.unwrap_err().line, 3);
        let bad = BusinessCalendar::parse("name = \"x\"\nutc_offset = \"+05:00\"\nmonday = [\"09:00-13:00\"]");
        assert!(bad.unwrap_err().message.contains("monday"));
    }
}
