//! The planner's tool inputs, shared by the CLI (`switchboard wfm
//! reforecast|shrinkage`) and the planner's room: reading `timestamp,calls`
//! and `date,shrinkage` tables (every bad line reported, nothing half-read),
//! and lining a day's actuals up with its forecast for
//! [`super::planning::reforecast_intraday`]. Pure: text in, values out.

use std::collections::HashSet;

use super::planning;
use super::time::{parse_date, parse_timestamp, Date, TimeFormat};
use crate::{Error, Result};

/// Rows of a `timestamp,calls` table, in time order, and how their
/// timestamps were written.
#[derive(Debug, Clone, PartialEq)]
pub struct Volumes {
    pub rows: Vec<(i64, f64)>,
    pub format: TimeFormat,
}

/// Collects line errors; [`Lines::finish`] turns them into one
/// [`Error::Lines`] (or nothing).
#[derive(Default)]
struct Lines(Vec<(usize, String)>);

impl Lines {
    fn push(&mut self, line: usize, message: String) {
        self.0.push((line, message));
    }

    fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Lines(self.0))
        }
    }
}

/// A CSV table: the header's line number, its lower-case column names, and
/// the data lines as (1-based line number, cells).
type Table = (usize, Vec<String>, Vec<(usize, Vec<String>)>);

/// Header and numbered data lines (1-based) of CSV text, blank lines skipped.
fn table(text: &str) -> Result<Table> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (h, header) = lines.next().ok_or_else(|| Error::Insufficient("the file is empty".into()))?;
    let cells = |l: &str| l.split(',').map(|c| c.trim().trim_matches('"').to_string()).collect::<Vec<_>>();
    let header = cells(header).into_iter().map(|c| c.to_ascii_lowercase()).collect();
    Ok((h + 1, header, lines.map(|(i, l)| (i + 1, cells(l))).collect()))
}

/// Reads a `timestamp,calls` CSV (`contacts` is accepted for `calls`;
/// timestamps RFC 3339 or `YYYY-MM-DD HH:MM`, one way throughout, strictly
/// increasing; calls finite and ≥ 0). Every bad line is reported
/// ([`Error::Lines`]); no rows is [`Error::Insufficient`].
pub fn parse_volumes(text: &str) -> Result<Volumes> {
    let (header_line, header, rows) = table(text)?;
    let col = |names: &[&str]| header.iter().position(|c| names.contains(&c.as_str()));
    let (Some(tc), Some(vc)) = (col(&["timestamp"]), col(&["calls", "contacts"])) else {
        return Err(Error::Parse {
            line: header_line,
            message: format!("expected a header timestamp,calls; got {:?}", header.join(",")),
        });
    };
    let mut errors = Lines::default();
    let mut out: Vec<(i64, f64)> = Vec::with_capacity(rows.len());
    let mut format: Option<TimeFormat> = None;
    for (line, cells) in rows {
        let ts = match cells.get(tc).map(String::as_str) {
            None | Some("") => Err("missing timestamp".to_string()),
            Some(t) => parse_timestamp(t),
        };
        let calls = match cells.get(vc).map(String::as_str) {
            None | Some("") => Err("missing calls".to_string()),
            Some(v) => match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
                _ => Err(format!("calls {v:?} is not a number ≥ 0")),
            },
        };
        match (ts, calls) {
            (Ok((ts, f)), Ok(calls)) => {
                if let Some(&(prev, _)) = out.last() {
                    if ts <= prev {
                        errors.push(line, format!("timestamp {} is not after the row above", f.format(ts)));
                        continue;
                    }
                }
                match &format {
                    Some(g) if *g != f => errors
                        .push(line, format!("timestamp {} is written differently from the rows above", f.format(ts))),
                    _ => {
                        format.get_or_insert(f);
                        out.push((ts, calls));
                    }
                }
            }
            (Err(e), _) | (_, Err(e)) => errors.push(line, e),
        }
    }
    errors.finish()?;
    let format = format.ok_or_else(|| Error::Insufficient("no data rows after the header".into()))?;
    Ok(Volumes { rows: out, format })
}

/// Reads a `date,shrinkage` CSV: dates `YYYY-MM-DD` (each once), shrinkage a
/// share in [0, 1] (`0.08` = 8 % of scheduled staff absent unplanned). Every
/// bad line is reported ([`Error::Lines`]); rows come back in date order.
pub fn parse_shrinkage(text: &str) -> Result<Vec<(Date, f64)>> {
    let (header_line, header, rows) = table(text)?;
    let col = |name: &str| header.iter().position(|c| c == name);
    let (Some(dc), Some(sc)) = (col("date"), col("shrinkage")) else {
        return Err(Error::Parse {
            line: header_line,
            message: format!("expected a header date,shrinkage; got {:?}", header.join(",")),
        });
    };
    let mut errors = Lines::default();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, cells) in rows {
        let date = match cells.get(dc).map(String::as_str) {
            None | Some("") => Err("missing date".to_string()),
            Some(d) => parse_date(d).ok_or_else(|| format!("date {d:?} is not a YYYY-MM-DD date")),
        };
        let share = match cells.get(sc).map(String::as_str) {
            None | Some("") => Err("missing shrinkage".to_string()),
            Some(v) => match v.parse::<f64>() {
                Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
                Ok(x) if x.is_finite() && x > 1.0 && x <= 100.0 => {
                    Err(format!("shrinkage {v} is outside 0..1 (a share: write {:.2} for {v} %)", x / 100.0))
                }
                _ => Err(format!("shrinkage {v:?} is not a share between 0 and 1")),
            },
        };
        match (date, share) {
            (Ok(d), Ok(s)) => {
                if seen.insert(d) {
                    out.push((d, s));
                } else {
                    errors.push(line, format!("date {d} appears twice"));
                }
            }
            (Err(e), _) | (_, Err(e)) => errors.push(line, e),
        }
    }
    errors.finish()?;
    if out.is_empty() {
        return Err(Error::Insufficient("no data rows after the header".into()));
    }
    out.sort_by_key(|(d, _)| *d);
    Ok(out)
}

/// `days` consecutive dates from `from`.
pub fn dates_from(from: Date, days: usize) -> Vec<Date> {
    (0..days as i64).map(|k| Date::from_days(from.days() + k)).collect()
}

/// One interval of a reforecast day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntradayRow {
    /// Wall-clock seconds of the interval start.
    pub ts: i64,
    pub forecast: f64,
    /// The actual volume, for the intervals elapsed.
    pub actual: Option<f64>,
    /// The actual for elapsed intervals, the scaled forecast for the rest.
    pub reforecast: f64,
}

/// A day reforecast from its actuals so far.
#[derive(Debug, Clone, PartialEq)]
pub struct IntradayReforecast {
    pub date: Date,
    /// Every forecast interval of the day.
    pub rows: Vec<IntradayRow>,
    /// Intervals with actuals (the first `elapsed` rows).
    pub elapsed: usize,
    /// The level factor applied to the rest of the day.
    pub ratio: f64,
}

impl IntradayReforecast {
    /// The rows still to come.
    pub fn remaining(&self) -> &[IntradayRow] {
        &self.rows[self.elapsed..]
    }

    /// (forecast, actual) volume over the elapsed intervals.
    pub fn so_far(&self) -> (f64, f64) {
        let elapsed = &self.rows[..self.elapsed];
        (elapsed.iter().map(|r| r.forecast).sum(), elapsed.iter().filter_map(|r| r.actual).sum())
    }
}

/// Reforecasts the day of `actual` (the morning so far: one row per
/// interval from the day's first forecast interval on, with no gaps) from
/// `forecast` (that day's intervals; other days' rows are ignored, so a
/// multi-day forecast file can be given as is). Refused: no actuals,
/// actuals over more than one day, a forecast without that day, an actual
/// interval that is not the forecast's interval at its place.
pub fn reforecast_day(forecast: &[(i64, f64)], actual: &[(i64, f64)]) -> Result<IntradayReforecast> {
    let fmt = TimeFormat::Plain { seconds: false };
    let (&(first, _), &(last, _)) = match (actual.first(), actual.last()) {
        (Some(a), Some(b)) => (a, b),
        _ => return Err(Error::Insufficient("no actuals: give at least the first interval of the day".into())),
    };
    let day = first.div_euclid(86_400);
    let date = Date::from_days(day);
    if last.div_euclid(86_400) != day {
        return Err(Error::InvalidInput(format!(
            "the actuals run from {date} to {}: give one day",
            Date::from_days(last.div_euclid(86_400))
        )));
    }
    let today: Vec<(i64, f64)> = forecast.iter().copied().filter(|(ts, _)| ts.div_euclid(86_400) == day).collect();
    if today.is_empty() {
        return Err(Error::InvalidInput(format!("the forecast has no intervals on {date}, the day of the actuals")));
    }
    if actual.len() > today.len() {
        return Err(Error::InvalidInput(format!(
            "{} actual intervals but the forecast has {} on {date}",
            actual.len(),
            today.len()
        )));
    }
    for (k, (a, f)) in actual.iter().zip(&today).enumerate() {
        if a.0 != f.0 {
            return Err(Error::InvalidInput(format!(
                "mismatched intervals: actual row {} is {}, the forecast's interval there is {}",
                k + 1,
                fmt.format(a.0),
                fmt.format(f.0)
            )));
        }
    }
    let values: Vec<f64> = today.iter().map(|r| r.1).collect();
    let actuals: Vec<f64> = actual.iter().map(|r| r.1).collect();
    let (day_values, ratio) = planning::reforecast_intraday(&values, &actuals);
    let rows = today
        .iter()
        .zip(&day_values)
        .enumerate()
        .map(|(k, (&(ts, f), &r))| IntradayRow { ts, forecast: f, actual: actuals.get(k).copied(), reforecast: r })
        .collect();
    Ok(IntradayReforecast { date, rows, elapsed: actual.len(), ratio })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volumes_report_every_bad_line() {
        let v = parse_volumes("timestamp,calls\n2026-11-23 09:00,10\n\n2026-11-23 09:15,12.5\n").expect("parses");
        assert_eq!(v.rows.len(), 2);
        assert_eq!(v.rows[1].1, 12.5);
        let e = parse_volumes("timestamp,calls\n2026-11-23 09:00,x\n2026-11-23 25:00,1\n2026-11-23 09:30,-1\n")
            .expect_err("three bad lines");
        let Error::Lines(lines) = &e else { panic!("{e:?}") };
        assert_eq!(lines.iter().map(|l| l.0).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert!(e.to_string().starts_with("line 2: calls \"x\""), "{e}");
        let e = parse_volumes("when,calls\n").expect_err("header");
        assert_eq!(
            e,
            Error::Parse { line: 1, message: "expected a header timestamp,calls; got \"when,calls\"".into() }
        );
        assert!(matches!(parse_volumes("timestamp,calls\n"), Err(Error::Insufficient(_))));
        let e = parse_volumes("timestamp,calls\n2026-11-23 09:15,1\n2026-11-23 09:00,1\n").expect_err("order");
        assert!(e.to_string().contains("line 3: timestamp 2026-11-23 09:00 is not after"), "{e}");
    }

    #[test]
    fn shrinkage_rows_are_shares_once_per_date() {
        let h = parse_shrinkage("date,shrinkage\n2026-11-03,0.1\n2026-11-02,0.05\n").expect("parses");
        assert_eq!(
            h,
            vec![(Date { year: 2026, month: 11, day: 2 }, 0.05), (Date { year: 2026, month: 11, day: 3 }, 0.1)]
        );
        let e = parse_shrinkage("date,shrinkage\n2026-11-02,12\n2026-11-31,0.1\n2026-11-03,0.1\n2026-11-03,0.2\n")
            .expect_err("bad lines");
        let Error::Lines(lines) = &e else { panic!("{e:?}") };
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].1.contains("write 0.12 for 12 %"), "{lines:?}");
        assert_eq!(lines[1].0, 3);
        assert_eq!(lines[2], (5, "date 2026-11-03 appears twice".to_string()));
    }

    #[test]
    fn a_day_is_reforecast_from_its_morning() {
        let t = |h: i64, m: i64| Date { year: 2026, month: 11, day: 23 }.days() * 86_400 + h * 3600 + m * 60;
        // Yesterday's rows are ignored; four 100-call intervals today.
        let forecast =
            [(t(9, 0) - 86_400, 5.0), (t(9, 0), 100.0), (t(10, 0), 100.0), (t(11, 0), 100.0), (t(12, 0), 100.0)];
        // 150 so far on 100 forecast: r = 1.5, weight 100/200 → 1.25.
        let r = reforecast_day(&forecast, &[(t(9, 0), 150.0)]).expect("reforecast");
        assert_eq!(r.elapsed, 1);
        assert!((r.ratio - 1.25).abs() < 1e-12);
        assert_eq!(r.rows.len(), 4);
        assert_eq!(r.rows[0].reforecast, 150.0);
        assert_eq!(r.remaining().iter().map(|x| x.reforecast).collect::<Vec<_>>(), vec![125.0; 3]);
        assert_eq!(r.so_far(), (100.0, 150.0));
        let e = reforecast_day(&forecast, &[(t(9, 0), 1.0), (t(10, 30), 1.0)]).expect_err("gap");
        assert!(
            e.to_string()
                .contains("actual row 2 is 2026-11-23 10:30, the forecast's interval there is 2026-11-23 10:00"),
            "{e}"
        );
        assert!(matches!(reforecast_day(&forecast, &[]), Err(Error::Insufficient(_))));
        let e = reforecast_day(&forecast, &[(t(9, 0) + 2 * 86_400, 1.0)]).expect_err("other day");
        assert!(e.to_string().contains("no intervals on 2026-11-25"), "{e}");
    }
}
