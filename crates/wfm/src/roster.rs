//! The roster: the published shape of a schedule — who works which shift on
//! which day, with breaks, lunches and other off-line activities, and who is on
//! leave. It is the one contract between the scheduler (which writes it), the
//! simulator and the coverage report (which read it), the planner's room (which
//! stores and publishes it) and `switchboard wfm schedule|simulate` (which
//! print and read it as JSON).
//!
//! Times are minutes from the start of the roster day (00:00 local), so a
//! shift from 08:00 to 17:00 is `start_min: 480, end_min: 1020`. A night
//! shift may end after 1440 (it spills into the next day's first intervals).
//! Activities lie inside their shift.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A whole schedule over `days` consecutive days cut into intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Roster {
    /// Interval length in minutes; divides 1440.
    pub interval_min: u32,
    /// First day, `YYYY-MM-DD`.
    pub start_date: String,
    /// Number of days covered.
    pub days: u32,
    pub operators: Vec<RosterOperator>,
}

/// One operator's part of the roster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterOperator {
    /// Stable identifier (the user's login in the centre, or a generated id).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Skill names the operator can take (empty: any).
    #[serde(default)]
    pub skills: Vec<String>,
    pub shifts: Vec<RosterShift>,
    /// Day indexes (0-based) the operator is on annual leave.
    #[serde(default)]
    pub leave_days: Vec<u32>,
}

/// One shift on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterShift {
    /// Day index, 0-based from `start_date`.
    pub day: u32,
    pub start_min: u32,
    pub end_min: u32,
    /// Off-line periods inside the shift.
    #[serde(default)]
    pub activities: Vec<Activity>,
}

/// An off-line period inside a shift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub kind: ActivityKind,
    pub start_min: u32,
    pub end_min: u32,
}

/// Why the operator is off line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Break,
    Lunch,
    Training,
    Meeting,
}

impl Roster {
    /// Intervals in one day.
    pub fn intervals_per_day(&self) -> usize {
        (1440 / self.interval_min.max(1)) as usize
    }

    /// Checks the shape: interval divides the day, shifts are on days inside
    /// the roster, shifts and activities are well ordered and activities lie
    /// inside their shift. The message names the operator and the shift.
    pub fn validate(&self) -> Result<()> {
        if self.interval_min == 0 || 1440 % self.interval_min != 0 {
            return Err(Error::InvalidInput(format!("interval_min {} does not divide a day", self.interval_min)));
        }
        for op in &self.operators {
            for (i, s) in op.shifts.iter().enumerate() {
                let at = || format!("operator {} shift {}", op.id, i + 1);
                if s.day >= self.days {
                    return Err(Error::InvalidInput(format!("{}: day {} outside the roster", at(), s.day)));
                }
                if s.start_min >= s.end_min || s.start_min >= 1440 || s.end_min > 2880 {
                    return Err(Error::InvalidInput(format!("{}: bad times {}–{}", at(), s.start_min, s.end_min)));
                }
                for a in &s.activities {
                    if a.start_min >= a.end_min || a.start_min < s.start_min || a.end_min > s.end_min {
                        return Err(Error::InvalidInput(format!(
                            "{}: activity {}–{} outside the shift",
                            at(),
                            a.start_min,
                            a.end_min
                        )));
                    }
                }
            }
            if let Some(d) = op.leave_days.iter().find(|d| **d >= self.days) {
                return Err(Error::InvalidInput(format!("operator {}: leave day {d} outside the roster", op.id)));
            }
        }
        Ok(())
    }

    /// Operators on line per interval, `[day][interval]`: the share of each
    /// interval an operator is inside a shift and not in an activity, summed
    /// over operators. A shift past midnight counts on the next day (and is
    /// dropped after the last day).
    pub fn coverage(&self) -> Vec<Vec<f64>> {
        self.coverage_of(self.operators.iter().flat_map(|op| op.shifts.iter()).flat_map(RosterShift::on_line))
    }

    /// Coverage, as in [`Roster::coverage`], of on-line periods given in
    /// minutes from the start of the roster (day × 1440 + minute).
    pub fn coverage_of(&self, periods: impl IntoIterator<Item = (u32, u32)>) -> Vec<Vec<f64>> {
        let per_day = self.intervals_per_day();
        let step = self.interval_min.max(1);
        let mut cov = vec![vec![0.0; per_day]; self.days as usize];
        for (a, b) in periods {
            let mut t = a;
            while t < b {
                let slot_end = (t / step + 1) * step;
                let until = slot_end.min(b);
                let abs = (t / step) as usize;
                let (day, slot) = (abs / per_day, abs % per_day);
                if let Some(row) = cov.get_mut(day) {
                    row[slot] += f64::from(until - t) / f64::from(step);
                }
                t = until;
            }
        }
        cov
    }
}

impl RosterShift {
    /// The shift's on-line periods with its activities cut out, in order, in
    /// minutes from the start of the roster (day × 1440 + minute).
    pub fn on_line(&self) -> Vec<(u32, u32)> {
        let base = self.day * 1440;
        let mut cuts: Vec<(u32, u32)> = self.activities.iter().map(|a| (a.start_min, a.end_min)).collect();
        cuts.sort_unstable();
        let mut pieces = Vec::with_capacity(cuts.len() + 1);
        let mut from = self.start_min;
        for (a, b) in cuts {
            if a > from {
                pieces.push((base + from, base + a));
            }
            from = from.max(b);
        }
        if self.end_min > from {
            pieces.push((base + from, base + self.end_min));
        }
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster(shifts: Vec<RosterShift>) -> Roster {
        Roster {
            interval_min: 30,
            start_date: "2026-11-30".into(),
            days: 2,
            operators: vec![RosterOperator {
                id: "op1".into(),
                name: String::new(),
                skills: vec![],
                shifts,
                leave_days: vec![],
            }],
        }
    }

    #[test]
    fn coverage_subtracts_breaks_and_counts_partial_intervals() {
        let r = roster(vec![RosterShift {
            day: 0,
            start_min: 8 * 60 + 15,
            end_min: 10 * 60,
            activities: vec![Activity { kind: ActivityKind::Break, start_min: 9 * 60, end_min: 9 * 60 + 15 }],
        }]);
        r.validate().unwrap();
        let c = r.coverage();
        assert_eq!(c[0][16], 0.5); // 08:00–08:30, from 08:15
        assert_eq!(c[0][17], 1.0);
        assert_eq!(c[0][18], 0.5); // 09:00–09:30 minus a 15-minute break
        assert_eq!(c[0][19], 1.0);
        assert_eq!(c[0][20], 0.0);
        assert_eq!(c[0].iter().sum::<f64>(), 3.0); // 1 h 45 min on line minus 15 min = 1.5 h = 3 half-hours
    }

    #[test]
    fn night_shift_spills_into_next_day_and_off_the_end() {
        let r = roster(vec![
            RosterShift { day: 0, start_min: 22 * 60, end_min: 26 * 60, activities: vec![] },
            RosterShift { day: 1, start_min: 23 * 60, end_min: 25 * 60, activities: vec![] },
        ]);
        r.validate().unwrap();
        let c = r.coverage();
        assert_eq!(c[0][44..].iter().sum::<f64>(), 4.0);
        assert_eq!(c[1][..4].iter().sum::<f64>(), 4.0);
        assert_eq!(c[1][46..].iter().sum::<f64>(), 2.0);
    }

    #[test]
    fn validation_names_the_bad_shift() {
        let r = roster(vec![RosterShift {
            day: 0,
            start_min: 600,
            end_min: 700,
            activities: vec![Activity { kind: ActivityKind::Lunch, start_min: 690, end_min: 720 }],
        }]);
        let e = r.validate().unwrap_err().to_string();
        assert!(e.contains("op1 shift 1"), "{e}");
        let r = roster(vec![RosterShift { day: 5, start_min: 600, end_min: 700, activities: vec![] }]);
        assert!(r.validate().is_err());
    }

    #[test]
    fn json_shape_is_stable() {
        let r = roster(vec![RosterShift {
            day: 1,
            start_min: 480,
            end_min: 1020,
            activities: vec![Activity { kind: ActivityKind::Lunch, start_min: 720, end_min: 765 }],
        }]);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["operators"][0]["shifts"][0]["activities"][0]["kind"], "lunch");
        let back: Roster = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }
}
