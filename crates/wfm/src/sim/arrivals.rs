//! What the simulator replays: expected contacts over stretches of time
//! (a forecast's `timestamp,calls` rows), optionally per skill.

use std::collections::BTreeMap;

use crate::forecast::time::parse_timestamp;
use crate::roster::Roster;
use crate::{Error, Result};

/// `calls` contacts expected, as a Poisson process of constant rate, over
/// `[start_s, end_s)` seconds from the start of the roster; they need `skill`
/// (any operator may take them when `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub start_s: f64,
    pub end_s: f64,
    pub calls: f64,
    pub skill: Option<String>,
}

/// The arrivals of a simulation run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Arrivals {
    pub segments: Vec<Segment>,
    /// Rows of the input that fell outside the roster's days (ignored).
    pub ignored_rows: usize,
}

impl Arrivals {
    /// `calls[day][interval]` contacts per roster interval.
    pub fn from_intervals(roster: &Roster, calls: &[Vec<f64>], skill: Option<&str>) -> Result<Arrivals> {
        let step = f64::from(roster.interval_min.max(1)) * 60.0;
        let per_day = roster.intervals_per_day();
        let mut segments = Vec::new();
        for (d, row) in calls.iter().enumerate() {
            if row.len() != per_day {
                return Err(Error::InvalidInput(format!(
                    "day {d}: {} intervals given, the roster has {per_day} a day",
                    row.len()
                )));
            }
            for (i, &c) in row.iter().enumerate() {
                let start_s = (d * per_day + i) as f64 * step;
                segments.push(Segment { start_s, end_s: start_s + step, calls: c, skill: skill.map(str::to_owned) });
            }
        }
        let a = Arrivals { segments, ignored_rows: 0 };
        a.validate(roster)?;
        Ok(a)
    }

    /// The same `calls` in every interval of every day of the roster.
    pub fn steady(roster: &Roster, calls: f64) -> Result<Arrivals> {
        Arrivals::from_intervals(roster, &vec![vec![calls; roster.intervals_per_day()]; roster.days as usize], None)
    }

    /// Reads `timestamp,calls[,skill]` CSV (the forecast's output; RFC 3339
    /// or `YYYY-MM-DD HH:MM`). The roster's `start_date` at 00:00 is time 0.
    /// Each row covers the time up to the next row of its skill, at most the
    /// shortest gap between that skill's rows (the forecast's interval), so a
    /// forecast of any interval length fits any roster. Rows outside the
    /// roster's days are counted in `ignored_rows`.
    pub fn parse_csv(text: &str, roster: &Roster) -> Result<Arrivals> {
        let (start, _) = parse_timestamp(&format!("{} 00:00", roster.start_date.trim())).map_err(|_| {
            Error::InvalidInput(format!("roster start_date {:?} is not a YYYY-MM-DD date", roster.start_date))
        })?;
        let horizon = i64::from(roster.days) * 86_400;
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (header_no, header) =
            lines.next().ok_or_else(|| Error::Insufficient("the arrivals file is empty".into()))?;
        let cols: Vec<String> = header.split(',').map(|c| c.trim().trim_matches('"').to_ascii_lowercase()).collect();
        let find = |names: &[&str]| cols.iter().position(|c| names.contains(&c.as_str()));
        let (Some(ts_col), Some(v_col)) = (find(&["timestamp"]), find(&["calls", "contacts"])) else {
            return Err(Error::Parse {
                line: header_no + 1,
                message: format!("expected a header with columns timestamp,calls[,skill]; got {header:?}"),
            });
        };
        let skill_col = find(&["skill", "queue"]);
        // Rows per skill, in file order: (line, offset seconds, calls).
        let mut rows: BTreeMap<Option<String>, Vec<(usize, i64, f64)>> = BTreeMap::new();
        for (i, line) in lines {
            let line_no = i + 1;
            let err = |message: String| Error::Parse { line: line_no, message };
            let fields: Vec<&str> = line.split(',').map(|f| f.trim().trim_matches('"')).collect();
            let ts_text = fields.get(ts_col).ok_or_else(|| err("missing timestamp field".into()))?;
            let v_text = fields.get(v_col).ok_or_else(|| err("missing calls field".into()))?;
            let (ts, _) = parse_timestamp(ts_text).map_err(err)?;
            let v: f64 = v_text.parse().map_err(|_| err(format!("calls {v_text:?} is not a number")))?;
            if !v.is_finite() || v < 0.0 {
                return Err(err(format!("calls must be a finite number ≥ 0, got {v_text}")));
            }
            let skill = skill_col.and_then(|c| fields.get(c)).filter(|s| !s.is_empty()).map(|s| s.to_string());
            let list = rows.entry(skill).or_default();
            if let Some(&(_, prev, _)) = list.last() {
                if ts - start <= prev {
                    return Err(err(format!("timestamp {ts_text:?} is not after the previous row of its skill")));
                }
            }
            list.push((line_no, ts - start, v));
        }
        if rows.is_empty() {
            return Err(Error::Insufficient("no data rows after the header".into()));
        }
        let default_step = i64::from(roster.interval_min.max(1)) * 60;
        let mut segments = Vec::new();
        let mut ignored_rows = 0;
        for (skill, list) in rows {
            let step = list.windows(2).map(|w| w[1].1 - w[0].1).min().unwrap_or(default_step);
            for (k, &(_, at, calls)) in list.iter().enumerate() {
                let next = list.get(k + 1).map_or(at + step, |r| r.1);
                let end = (at + step).min(next);
                if at < 0 || at >= horizon {
                    ignored_rows += 1;
                    continue;
                }
                // A row running past the roster's last day keeps its share.
                let kept = (end.min(horizon) - at) as f64 / (end - at) as f64;
                segments.push(Segment {
                    start_s: at as f64,
                    end_s: end.min(horizon) as f64,
                    calls: calls * kept,
                    skill: skill.clone(),
                });
            }
        }
        if segments.is_empty() {
            return Err(Error::Insufficient(format!(
                "no arrivals row falls on the roster's {} days from {}",
                roster.days, roster.start_date
            )));
        }
        segments.sort_by(|a, b| a.start_s.total_cmp(&b.start_s).then_with(|| a.skill.cmp(&b.skill)));
        Ok(Arrivals { segments, ignored_rows })
    }

    /// Checks every segment lies inside the roster's days with finite,
    /// non-negative calls.
    pub fn validate(&self, roster: &Roster) -> Result<()> {
        let horizon = f64::from(roster.days) * 86_400.0;
        for (i, s) in self.segments.iter().enumerate() {
            if !(s.start_s >= 0.0 && s.start_s < s.end_s && s.end_s <= horizon) {
                return Err(Error::InvalidInput(format!(
                    "arrivals segment {}: {}–{} s is not inside the roster's {} days",
                    i + 1,
                    s.start_s,
                    s.end_s,
                    roster.days
                )));
            }
            if !(s.calls.is_finite() && s.calls >= 0.0) {
                return Err(Error::InvalidInput(format!(
                    "arrivals segment {}: calls must be a finite number ≥ 0, got {}",
                    i + 1,
                    s.calls
                )));
            }
        }
        Ok(())
    }

    /// Skills the contacts need, sorted, without duplicates.
    pub fn skills(&self) -> Vec<String> {
        let mut v: Vec<String> = self.segments.iter().filter_map(|s| s.skill.clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Expected contacts per roster interval, `[day × intervals per day + interval]`.
    pub fn per_interval(&self, roster: &Roster) -> Vec<f64> {
        let step = f64::from(roster.interval_min.max(1)) * 60.0;
        let n = roster.days as usize * roster.intervals_per_day();
        let mut out = vec![0.0; n];
        for s in &self.segments {
            let rate = s.calls / (s.end_s - s.start_s);
            let mut t = s.start_s;
            while t < s.end_s {
                let idx = (t / step) as usize;
                let until = ((idx + 1) as f64 * step).min(s.end_s);
                if let Some(o) = out.get_mut(idx) {
                    *o += rate * (until - t);
                }
                t = until;
            }
        }
        out
    }
}
