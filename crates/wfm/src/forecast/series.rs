//! Interval history: CSV parsing, interval length and operating calendar
//! inferred from the data, missing intervals, and the day × slot matrix the
//! models work on.

use std::collections::{BTreeMap, HashMap};

use super::table::Table;
use super::time::{parse_timestamp, Date, TimeFormat, WEEKDAY_NAMES};
use crate::{Error, Result};

/// When the centre is open, as found in the history.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// Interval length, seconds.
    pub step_s: i64,
    /// Time of day (seconds after midnight) of slot 0, the earliest opening.
    pub first_slot_s: i64,
    /// Slots from the earliest opening to the latest last interval.
    pub slots: usize,
    /// Per weekday (0 = Monday), the open slot range `start..end`, or `None`
    /// when closed.
    pub open: [Option<(usize, usize)>; 7],
}

impl Calendar {
    pub fn is_open_day(&self, weekday: usize) -> bool {
        self.open[weekday].is_some()
    }

    pub fn open_weekdays(&self) -> usize {
        self.open.iter().filter(|o| o.is_some()).count()
    }

    pub fn open_weekday_names(&self) -> Vec<&'static str> {
        (0..7).filter(|&w| self.is_open_day(w)).map(|w| WEEKDAY_NAMES[w]).collect()
    }

    /// Timestamp of `slot` on `date`.
    pub fn timestamp(&self, date: Date, slot: usize) -> i64 {
        date.days() * 86_400 + self.first_slot_s + slot as i64 * self.step_s
    }

    /// The next `n` operating days after `after` (future holidays are not
    /// known, so every open weekday counts).
    pub fn next_days(&self, after: Date, n: usize) -> Vec<Date> {
        let mut out = Vec::with_capacity(n);
        let mut d = after.days();
        if self.open_weekdays() == 0 {
            return out;
        }
        while out.len() < n {
            d += 1;
            let date = Date::from_days(d);
            if self.is_open_day(date.weekday()) {
                out.push(date);
            }
        }
        out
    }
}

/// One operating day of history: values per global slot (`NaN` outside the
/// day's open hours; missing intervals are filled, see [`Series::missing`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    pub date: Date,
    pub weekday: usize,
    pub values: Vec<f64>,
}

impl Day {
    pub fn total(&self) -> f64 {
        self.values.iter().filter(|v| !v.is_nan()).sum()
    }
}

/// A parsed history.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Rows as read: (timestamp, value), in time order.
    pub values: Vec<(i64, f64)>,
    pub calendar: Calendar,
    /// Operating days with data, in order. Open weekdays without any data
    /// (holidays, closures) are not operating days and are absent.
    pub days: Vec<Day>,
    /// Open weekdays inside the history's span that had no data at all.
    pub closed_days: Vec<Date>,
    /// Intervals inside open hours of an operating day with no row; they are
    /// filled by linear interpolation within the day for modelling.
    pub missing: Vec<i64>,
    /// Rows outside the inferred calendar (ignored by the models).
    pub outside_calendar: usize,
    pub format: TimeFormat,
    /// Handling time (seconds) per day × slot, parallel to `days`, when the
    /// history had a handling-time column (`NaN` where unknown).
    pub aht: Option<Vec<Vec<f64>>>,
}

/// One cell of an input table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A spreadsheet date-time: days since 1899-12-30 (the Excel serial).
    DateTime(f64),
}

impl Cell {
    /// Empty, or text that is only white space.
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as a finite number; `None` when empty. `what` names the
    /// column in the error.
    pub fn number(&self, what: &str) -> std::result::Result<Option<f64>, String> {
        let v = match self {
            Cell::Empty => return Ok(None),
            Cell::Text(t) if t.trim().is_empty() => return Ok(None),
            Cell::Text(t) => t.trim().parse::<f64>().map_err(|_| format!("{what} {t:?} is not a number"))?,
            Cell::Number(v) => *v,
            Cell::DateTime(_) => return Err(format!("{what} is a date, not a number")),
        };
        if v.is_finite() {
            Ok(Some(v))
        } else {
            Err(format!("{what} must be a finite number"))
        }
    }
}

/// Converts an Excel serial date-time to wall-clock seconds, rounded to the
/// second (spreadsheets store times as fractions of a day).
fn excel_serial_to_timestamp(serial: f64) -> std::result::Result<(i64, TimeFormat), String> {
    // 1899-12-30 is day −25569 relative to 1970-01-01.
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return Err(format!("date-time cell {serial} is out of range"));
    }
    let ts = ((serial - 25_569.0) * 86_400.0).round() as i64;
    Ok((ts, TimeFormat::Plain { seconds: false }))
}

impl Series {
    /// Parses `timestamp,calls[,aht_s]` CSV text (header required; blank
    /// lines ignored) and infers the calendar.
    pub fn parse_csv(text: &str) -> Result<Series> {
        Self::of_table(&Table::from_csv(text)?)
    }

    /// Reads a history file's bytes, CSV or a workbook ([`Table::read`]).
    pub fn read(bytes: &[u8]) -> Result<Series> {
        Self::of_table(&Table::read(bytes)?)
    }

    /// [`Series::from_table`] of a [`Table`].
    pub fn of_table(t: &Table) -> Result<Series> {
        Self::from_table(t.header_line, &t.header, &t.rows)
    }

    /// Builds a series from a table (a CSV file or a spreadsheet sheet): a
    /// header with `timestamp` and `calls` (or `contacts`) columns and an
    /// optional handling-time column (`aht_s`, `aht` or `handling_time_s`,
    /// seconds), then `(line number, cells)` rows in time order.
    pub fn from_table(header_line: usize, header: &[String], rows: &[(usize, Vec<Cell>)]) -> Result<Series> {
        let cols: Vec<String> = header.iter().map(|c| c.trim().to_ascii_lowercase()).collect();
        let find = |names: &[&str]| cols.iter().position(|c| names.contains(&c.as_str()));
        let (ts_col, v_col) = match (find(&["timestamp"]), find(&["calls", "contacts"])) {
            (Some(t), Some(v)) => (t, v),
            _ => {
                return Err(Error::Parse {
                    line: header_line,
                    message: format!(
                        "expected a header with columns timestamp,calls[,aht_s]; got {:?}",
                        header.join(",")
                    ),
                })
            }
        };
        let aht_col = find(&["aht_s", "aht", "handling_time_s"]);
        let mut values: Vec<(i64, f64)> = Vec::with_capacity(rows.len());
        let mut aht: Vec<f64> = Vec::new();
        let mut format: Option<TimeFormat> = None;
        for (line_no, cells) in rows {
            if cells.iter().all(Cell::is_empty) {
                continue;
            }
            let err = |message: String| Error::Parse { line: *line_no, message };
            let (ts, f) = match cells.get(ts_col) {
                Some(Cell::Text(t)) => parse_timestamp(t).map_err(err)?,
                Some(Cell::DateTime(serial)) => excel_serial_to_timestamp(*serial).map_err(err)?,
                Some(Cell::Number(_)) | Some(Cell::Empty) | None => return Err(err("missing timestamp field".into())),
            };
            let v = cells.get(v_col).ok_or_else(|| err("missing calls field".into()))?.number("calls").map_err(err)?;
            let v = v.ok_or_else(|| err("missing calls field".into()))?;
            if v < 0.0 {
                return Err(err(format!("calls must be a finite number ≥ 0, got {v}")));
            }
            if let Some(c) = aht_col {
                let a = cells.get(c).map_or(Ok(None), |cell| cell.number("aht_s")).map_err(err)?;
                if a.is_some_and(|a| a < 0.0) {
                    return Err(err("aht_s must be a finite number ≥ 0".into()));
                }
                aht.push(a.unwrap_or(f64::NAN));
            }
            if let Some(&(prev, _)) = values.last() {
                if ts <= prev {
                    return Err(err(format!("timestamp {:?} is not after the previous row", f.format(ts))));
                }
            }
            match &format {
                None => format = Some(f),
                Some(prev) if *prev != f => {
                    return Err(err(format!("timestamp {:?} is written differently from the rows above", f.format(ts))))
                }
                Some(_) => {}
            }
            values.push((ts, v));
        }
        let format = format.ok_or_else(|| Error::Insufficient("no data rows after the header".into()))?;
        let mut series = Self::from_values(values, format)?;
        if aht_col.is_some() {
            series.set_aht(&aht);
        }
        Ok(series)
    }

    /// Attaches handling times, one per row of [`Series::values`] (`NaN` when
    /// unknown), as a day × slot matrix parallel to [`Series::days`].
    fn set_aht(&mut self, aht: &[f64]) {
        let cal = &self.calendar;
        let index: HashMap<i64, usize> = self.days.iter().enumerate().map(|(i, d)| (d.date.days(), i)).collect();
        let mut m = vec![vec![f64::NAN; cal.slots]; self.days.len()];
        for (&(ts, _), &a) in self.values.iter().zip(aht) {
            let off = ts.rem_euclid(86_400) - cal.first_slot_s;
            if off < 0 || off % cal.step_s != 0 {
                continue;
            }
            if let (Some(&i), Ok(slot)) = (index.get(&ts.div_euclid(86_400)), usize::try_from(off / cal.step_s)) {
                if slot < cal.slots {
                    m[i][slot] = a;
                }
            }
        }
        self.aht = Some(m);
    }

    /// Builds the calendar and the day matrix from time-ordered rows.
    pub fn from_values(values: Vec<(i64, f64)>, format: TimeFormat) -> Result<Series> {
        if values.len() < 2 {
            return Err(Error::Insufficient("at least two rows are needed to find the interval length".into()));
        }
        // Interval length: the most common gap between consecutive rows of a day.
        let mut gaps: HashMap<i64, usize> = HashMap::new();
        for w in values.windows(2) {
            if w[0].0.div_euclid(86_400) == w[1].0.div_euclid(86_400) {
                *gaps.entry(w[1].0 - w[0].0).or_default() += 1;
            }
        }
        let step_s = gaps
            .iter()
            .max_by_key(|(g, n)| (**n, std::cmp::Reverse(**g)))
            .map(|(g, _)| *g)
            .ok_or_else(|| Error::Insufficient("no two rows fall on the same day".into()))?;
        // Rows per day.
        let mut by_day: BTreeMap<i64, Vec<(i64, f64)>> = BTreeMap::new();
        for &(ts, v) in &values {
            by_day.entry(ts.div_euclid(86_400)).or_default().push((ts.rem_euclid(86_400), v));
        }
        let first_day = *by_day.keys().next().unwrap_or(&0);
        let last_day = *by_day.keys().next_back().unwrap_or(&0);
        // Open weekdays: those with data on at least half of their occurrences.
        let mut seen = [0usize; 7];
        let mut possible = [0usize; 7];
        for d in first_day..=last_day {
            let wd = Date::from_days(d).weekday();
            possible[wd] += 1;
            if by_day.contains_key(&d) {
                seen[wd] += 1;
            }
        }
        // Open hours per weekday: the most common first and last time.
        let mut open_times: [Option<(i64, i64)>; 7] = [None; 7];
        for wd in 0..7 {
            if possible[wd] == 0 || seen[wd] * 2 < possible[wd] {
                continue;
            }
            let mut firsts: HashMap<i64, usize> = HashMap::new();
            let mut lasts: HashMap<i64, usize> = HashMap::new();
            for (d, rows) in &by_day {
                if Date::from_days(*d).weekday() == wd {
                    *firsts.entry(rows[0].0).or_default() += 1;
                    *lasts.entry(rows[rows.len() - 1].0).or_default() += 1;
                }
            }
            let mode =
                |m: &HashMap<i64, usize>| m.iter().max_by_key(|(t, n)| (**n, std::cmp::Reverse(**t))).map(|x| *x.0);
            if let (Some(a), Some(b)) = (mode(&firsts), mode(&lasts)) {
                if b >= a {
                    open_times[wd] = Some((a, b));
                }
            }
        }
        let first_slot_s = open_times
            .iter()
            .flatten()
            .map(|x| x.0)
            .min()
            .ok_or_else(|| Error::Insufficient("no weekday has data on at least half of its occurrences".into()))?;
        let last_s = open_times.iter().flatten().map(|x| x.1).max().unwrap_or(first_slot_s);
        let slots = ((last_s - first_slot_s) / step_s + 1) as usize;
        let mut open = [None; 7];
        for wd in 0..7 {
            if let Some((a, b)) = open_times[wd] {
                open[wd] = Some((((a - first_slot_s) / step_s) as usize, ((b - first_slot_s) / step_s + 1) as usize));
            }
        }
        let calendar = Calendar { step_s, first_slot_s, slots, open };
        let mut days = Vec::new();
        let mut closed_days = Vec::new();
        let mut missing = Vec::new();
        let mut outside = 0usize;
        for d in first_day..=last_day {
            let date = Date::from_days(d);
            let wd = date.weekday();
            let rows = by_day.get(&d);
            let Some((start, end)) = open[wd] else {
                outside += rows.map_or(0, |r| r.len());
                continue;
            };
            let Some(rows) = rows else {
                closed_days.push(date);
                continue;
            };
            let mut vals = vec![f64::NAN; slots];
            let mut present = vec![false; slots];
            for &(tod, v) in rows {
                let off = tod - first_slot_s;
                let slot = off.div_euclid(step_s);
                if off < 0 || off % step_s != 0 || slot < start as i64 || slot >= end as i64 {
                    outside += 1;
                    continue;
                }
                vals[slot as usize] = v;
                present[slot as usize] = true;
            }
            for (s, _) in present.iter().enumerate().take(end).skip(start).filter(|(_, p)| !**p) {
                missing.push(calendar.timestamp(date, s));
            }
            if !present[start..end].iter().any(|p| *p) {
                closed_days.push(date);
                continue;
            }
            interpolate(&mut vals[start..end], &present[start..end]);
            days.push(Day { date, weekday: wd, values: vals });
        }
        Ok(Series { values, calendar, days, closed_days, missing, outside_calendar: outside, format, aht: None })
    }

    /// Writes `(timestamp, value)` rows as `timestamp,calls` CSV in the
    /// history's timestamp format.
    pub fn to_csv(&self, rows: &[(i64, f64)]) -> String {
        let mut out = String::with_capacity(rows.len() * 32 + 16);
        out.push_str("timestamp,calls\n");
        for &(ts, v) in rows {
            out.push_str(&self.format.format(ts));
            out.push(',');
            out.push_str(&format!("{:.2}\n", v));
        }
        out
    }
}

/// Fills gaps (where `present` is false) by linear interpolation between the
/// nearest present neighbours, or by the nearest one at the edges.
fn interpolate(vals: &mut [f64], present: &[bool]) {
    let idx: Vec<usize> = (0..vals.len()).filter(|&i| present[i]).collect();
    if idx.is_empty() {
        return;
    }
    for i in 0..vals.len() {
        if present[i] {
            continue;
        }
        let after = idx.partition_point(|&j| j < i);
        vals[i] = match (after.checked_sub(1).map(|k| idx[k]), idx.get(after)) {
            (Some(a), Some(&b)) => vals[a] + (vals[b] - vals[a]) * (i - a) as f64 / (b - a) as f64,
            (Some(a), None) => vals[a],
            (None, Some(&b)) => vals[b],
            (None, None) => 0.0,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(days: &[&str], open: &str, close: &str) -> String {
        let mut s = String::from("timestamp,calls\n");
        let (oh, ch): (i64, i64) = (open.parse().unwrap_or(8), close.parse().unwrap_or(17));
        for d in days {
            for h in oh..=ch {
                for m in [0, 30] {
                    if h == ch && m == 30 {
                        continue;
                    }
                    s.push_str(&format!("{d} {h:02}:{m:02},{}\n", h * 2));
                }
            }
        }
        s
    }

    #[test]
    fn infers_interval_calendar_and_missing() {
        // Mon 3 Mar .. Fri 14 Mar 2003, Friday 7 Mar absent (holiday).
        let days = [
            "2003-03-03",
            "2003-03-04",
            "2003-03-05",
            "2003-03-06",
            "2003-03-10",
            "2003-03-11",
            "2003-03-12",
            "2003-03-13",
            "2003-03-14",
        ];
        let mut text = csv(&days, "8", "17");
        text = text.replace("2003-03-11 09:30,18\n", "");
        let s = Series::parse_csv(&text).expect("parses");
        assert_eq!(s.calendar.step_s, 1800);
        assert_eq!(s.calendar.first_slot_s, 8 * 3600);
        assert_eq!(s.calendar.slots, 19);
        assert_eq!(s.calendar.open_weekday_names(), vec!["Mon", "Tue", "Wed", "Thu", "Fri"]);
        assert_eq!(s.days.len(), 9);
        assert_eq!(s.closed_days, vec![Date { year: 2003, month: 3, day: 7 }]);
        assert_eq!(s.missing.len(), 1);
        assert_eq!(s.format.format(s.missing[0]), "2003-03-11 09:30");
        // Interpolated between 09:00 (18) and 10:00 (20).
        let tue = &s.days[5];
        assert_eq!(tue.date, Date { year: 2003, month: 3, day: 11 });
        assert!((tue.values[3] - 19.0).abs() < 1e-12);
        let next = s.calendar.next_days(Date { year: 2003, month: 3, day: 14 }, 3);
        assert_eq!(next.iter().map(|d| d.to_string()).collect::<Vec<_>>(), ["2003-03-17", "2003-03-18", "2003-03-19"]);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let e = Series::parse_csv("timestamp,calls\n2003-03-03 08:00,1\n2003-03-03 08:30,x\n").expect_err("bad");
        assert_eq!(e, Error::Parse { line: 3, message: "calls \"x\" is not a number".into() });
        let e = Series::parse_csv("timestamp,calls\n2003-03-03 08:00,1\n2003-03-03 07:30,2\n").expect_err("order");
        assert!(matches!(e, Error::Parse { line: 3, .. }), "{e:?}");
        let e = Series::parse_csv("timestamp,calls\n\n2003-03-03 08:00,1\nnot a time,2\n").expect_err("time");
        assert!(matches!(e, Error::Parse { line: 4, .. }), "{e:?}");
        let e = Series::parse_csv("when,calls\n").expect_err("header");
        assert!(matches!(e, Error::Parse { line: 1, .. }), "{e:?}");
        assert!(Series::parse_csv("timestamp,calls\n2003-03-03 08:00,-1\n").is_err());
        assert!(Series::parse_csv("").is_err());
    }
}
