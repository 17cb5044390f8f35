//! The shift scheduler: operators, shift templates and work rules in, a
//! [`Roster`] with breaks and a coverage report out.
//!
//! # Algorithm (greedy construction, local search, greedy breaks)
//! 1. **Days.** For each operator and calendar week, the shift length and
//!    number of working days that give the most paid hours within the
//!    contract (prorated for a partial week) and the legal cap; then the
//!    best set of working days among all 2⁷ patterns that avoid leave days,
//!    keep days-in-a-row within the limit (counting the previous week's
//!    tail) and contain a run of days off long enough for the weekly rest.
//!    Patterns are scored by the day's remaining need (agent-intervals not
//!    yet covered), minus a penalty for each wished day off that is worked.
//!    Operators are taken one after another and each choice lowers the need.
//! 2. **Shift starts.** Day by day, each working operator gets the start (of
//!    any template with the chosen length) that most reduces the squared
//!    under/over-coverage per interval, counting the shift at its expected
//!    on-line share (length minus breaks); starts outside the operator's
//!    preferred window pay a penalty. A start is only allowed when the rest
//!    before and after, the weekly rest of every calendar week it touches and
//!    the leave days all still hold (so the roster is valid at every step).
//!    Then local search: each shift in turn is lifted and put back at its best
//!    start, until a pass changes nothing (at most 4 passes).
//! 3. **Breaks.** Lunch first, then the other breaks, each at the start inside
//!    its window (minutes after shift start) where taking the operator off line
//!    hurts least (largest surplus), not overlapping other breaks; coverage is
//!    updated after each placement.
//!
//! Every rule is re-checked by [`rules::check`] on the result; a violation is
//! a bug and comes back as an error rather than a bad roster. Skills are
//! carried into the roster but the requirement is one pool (one skill group
//! per run).

pub mod rules;
pub mod vacation;

use serde::{Deserialize, Serialize};

use crate::erlang::{self, Load, Target};
use crate::roster::{Activity, ActivityKind, Roster, RosterOperator, RosterShift};
use crate::{Error, Result};
pub use rules::{BreakRule, Jurisdiction, RulesSpec, WorkRules};

/// A window of start times, minutes from 00:00.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub earliest_min: u32,
    pub latest_min: u32,
}

/// One operator to schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorSpec {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub skills: Vec<String>,
    /// Contract paid hours per week (lunch excluded).
    pub weekly_hours: f64,
    /// Soft: preferred shift start.
    #[serde(default)]
    pub preferred_start: Option<Window>,
    /// Soft: days (0-based) the operator would like off.
    #[serde(default)]
    pub days_off_wished: Vec<u32>,
    /// Hard: days (0-based) on annual leave.
    #[serde(default)]
    pub leave_days: Vec<u32>,
}

/// A family of shifts: any start in the window (every `start_step_min`,
/// default the interval) with any of the lengths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftTemplate {
    pub name: String,
    pub earliest_start_min: u32,
    pub latest_start_min: u32,
    /// Gross lengths in minutes (lunch included).
    pub lengths_min: Vec<u32>,
    #[serde(default)]
    pub start_step_min: Option<u32>,
}

/// Service-level target used to turn calls into a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SlTarget {
    pub service_level: f64,
    pub answer_time_s: f64,
    #[serde(default)]
    pub max_occupancy: Option<f64>,
}

/// The scheduler's input (also the JSON of `switchboard wfm schedule`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleInput {
    pub interval_min: u32,
    #[serde(default)]
    pub start_date: String,
    pub days: u32,
    /// Agents on line per `[day][interval]`; or give `calls` + `aht_s` + `target`.
    #[serde(default)]
    pub requirement: Option<Vec<Vec<f64>>>,
    #[serde(default)]
    pub calls: Option<Vec<Vec<f64>>>,
    #[serde(default)]
    pub aht_s: Option<f64>,
    #[serde(default)]
    pub target: Option<SlTarget>,
    pub operators: Vec<OperatorSpec>,
    pub templates: Vec<ShiftTemplate>,
    #[serde(default)]
    pub rules: RulesSpec,
    /// Weight of a start outside the preferred window, in squared
    /// agent-intervals (default 2).
    #[serde(default)]
    pub preference_weight: Option<f64>,
    /// Weight of working a wished day off, in units of an average day's
    /// need (default 0.5: a wish wins over a day up to half as busy again).
    #[serde(default)]
    pub day_off_weight: Option<f64>,
}

/// How well the roster covers the requirement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageReport {
    pub required: Vec<Vec<f64>>,
    /// Operators on line, net of breaks (the roster's own coverage).
    pub covered: Vec<Vec<f64>>,
    /// `Σ |covered − required|` in agent-intervals.
    pub total_abs_diff: f64,
    /// `Σ max(required − covered, 0)`.
    pub under: f64,
    /// `Σ max(covered − required, 0)`.
    pub over: f64,
    /// Erlang C service level per interval with the covered agents (when calls were given).
    pub service_level: Option<Vec<Vec<f64>>>,
    /// Service level over the whole roster, weighted by calls.
    pub service_level_total: Option<f64>,
    /// Working days that could not get a shift under the rules.
    pub notes: Vec<String>,
}

/// A roster and its coverage report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleResult {
    pub roster: Roster,
    pub rules: WorkRules,
    pub report: CoverageReport,
}

/// Builds a roster (see the module doc). `progress(done, total)` is called
/// as the work advances.
pub fn schedule(input: &ScheduleInput, progress: &mut dyn FnMut(usize, usize)) -> Result<ScheduleResult> {
    let rules = input.rules.resolve()?;
    let req = requirement(input)?;
    validate(input)?;
    let mut s = Scheduler::new(input, &rules, &req);
    let total = 2 * input.days as usize + 4;
    s.choose_days();
    for d in 0..input.days {
        s.assign_day(d);
        progress(d as usize + 1, total);
    }
    for pass in 0..4 {
        let changed = s.improve();
        progress(input.days as usize + pass + 1, total);
        if !changed {
            break;
        }
    }
    let roster = s.place_breaks(&mut |d| progress(input.days as usize + 4 + d, total))?;
    progress(total, total);
    let contracts: Vec<f64> = input.operators.iter().map(|o| o.weekly_hours).collect();
    if let Some(v) = rules::check(&roster, &rules, &contracts).first() {
        return Err(Error::Insufficient(format!("internal: rule broken for {}: {}", v.operator, v.message)));
    }
    let report = report(input, &roster, req, s.notes)?;
    Ok(ScheduleResult { roster, rules, report })
}

/// The requirement per `[day][interval]`: given, or staffed from calls with Erlang C.
pub fn requirement(input: &ScheduleInput) -> Result<Vec<Vec<f64>>> {
    if input.interval_min == 0 || 1440 % input.interval_min != 0 {
        return Err(Error::InvalidInput(format!("interval_min {} does not divide a day", input.interval_min)));
    }
    let per_day = (1440 / input.interval_min) as usize;
    let grid = |name: &str, g: &Vec<Vec<f64>>| -> Result<()> {
        if g.len() != input.days as usize || g.iter().any(|r| r.len() != per_day) {
            return Err(Error::InvalidInput(format!("{name} must be {} days × {per_day} intervals", input.days)));
        }
        if g.iter().flatten().any(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(Error::InvalidInput(format!("{name}: every value must be a number ≥ 0")));
        }
        Ok(())
    };
    match (&input.requirement, &input.calls) {
        (Some(r), _) => {
            grid("requirement", r)?;
            Ok(r.clone())
        }
        (None, Some(calls)) => {
            grid("calls", calls)?;
            let (Some(aht), Some(t)) = (input.aht_s, input.target) else {
                return Err(Error::InvalidInput("calls need aht_s and target".into()));
            };
            let target = Target {
                service_level: t.service_level,
                answer_time_s: t.answer_time_s,
                max_occupancy: t.max_occupancy,
                max_asa_s: None,
            };
            calls
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|c| {
                            if *c <= 0.0 {
                                return Ok(0.0);
                            }
                            let load = Load::new(*c, f64::from(input.interval_min) * 60.0, aht)?;
                            Ok(f64::from(erlang::staff(&load, &target, None, 0.0)?.on_line))
                        })
                        .collect()
                })
                .collect()
        }
        (None, None) => Err(Error::InvalidInput("give requirement, or calls with aht_s and target".into())),
    }
}

fn validate(input: &ScheduleInput) -> Result<()> {
    if input.days == 0 || input.days > 366 {
        return Err(Error::InvalidInput(format!("days must be 1..=366, got {}", input.days)));
    }
    if input.templates.is_empty() {
        return Err(Error::InvalidInput("no shift templates".into()));
    }
    for t in &input.templates {
        if t.earliest_start_min > t.latest_start_min || t.latest_start_min >= 1440 {
            return Err(Error::InvalidInput(format!("template {:?}: start window must lie in 0..1440", t.name)));
        }
        if t.lengths_min.is_empty() || t.lengths_min.iter().any(|l| *l == 0 || *l > 1440) {
            return Err(Error::InvalidInput(format!("template {:?}: lengths must be 1..=1440 minutes", t.name)));
        }
        if t.start_step_min == Some(0) {
            return Err(Error::InvalidInput(format!("template {:?}: start_step_min must be > 0", t.name)));
        }
    }
    let mut ids = std::collections::HashSet::new();
    for o in &input.operators {
        if !ids.insert(o.id.as_str()) {
            return Err(Error::InvalidInput(format!("operator id {:?} appears twice", o.id)));
        }
        if !(o.weekly_hours.is_finite() && o.weekly_hours >= 0.0) {
            return Err(Error::InvalidInput(format!("operator {}: weekly_hours must be ≥ 0", o.id)));
        }
        if let Some(d) = o.leave_days.iter().chain(&o.days_off_wished).find(|d| **d >= input.days) {
            return Err(Error::InvalidInput(format!("operator {}: day {d} outside the roster", o.id)));
        }
    }
    Ok(())
}

/// A shift being planned: day, start and gross length in minutes.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Planned {
    start: u32,
    len: u32,
}

struct Scheduler<'a> {
    input: &'a ScheduleInput,
    rules: &'a WorkRules,
    step: u32,
    per_day: usize,
    /// The requirement, flat over `day × interval`.
    req: Vec<f64>,
    /// Requirement minus expected coverage, flat over `day × interval`.
    resid: Vec<f64>,
    /// Per operator: shift length per week, and the planned shift per day.
    length: Vec<Vec<u32>>,
    works: Vec<Vec<bool>>,
    plan: Vec<Vec<Option<Planned>>>,
    /// Start candidates per length.
    starts: std::collections::BTreeMap<u32, Vec<u32>>,
    pref_weight: f64,
    notes: Vec<String>,
}

impl<'a> Scheduler<'a> {
    fn new(input: &'a ScheduleInput, rules: &'a WorkRules, req: &[Vec<f64>]) -> Self {
        let mut starts: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
        for t in &input.templates {
            let step = t.start_step_min.unwrap_or(input.interval_min);
            for &len in &t.lengths_min {
                let e = starts.entry(len).or_default();
                let mut s = t.earliest_start_min;
                while s <= t.latest_start_min {
                    e.push(s);
                    s += step;
                }
            }
        }
        for v in starts.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        let n = input.operators.len();
        let days = input.days as usize;
        Scheduler {
            input,
            rules,
            step: input.interval_min,
            per_day: (1440 / input.interval_min) as usize,
            req: req.iter().flatten().copied().collect(),
            resid: req.iter().flatten().copied().collect(),
            length: vec![vec![0; days.div_ceil(7)]; n],
            works: vec![vec![false; days]; n],
            plan: vec![vec![None; days]; n],
            starts,
            pref_weight: input.preference_weight.unwrap_or(2.0),
            notes: vec![],
        }
    }

    /// Phase 1: working days and shift length per operator and week.
    fn choose_days(&mut self) {
        let days = self.input.days as usize;
        let mut need: Vec<f64> =
            (0..days).map(|d| self.resid[d * self.per_day..(d + 1) * self.per_day].iter().sum()).collect();
        let rest_days = self.rules.weekly_rest_min.div_ceil(1440) as usize;
        for (k, op) in self.input.operators.iter().enumerate() {
            let mut tail = 0usize; // working days in a row at the end of the previous week
            for w in 0..days.div_ceil(7) {
                let (d0, d1) = (w * 7, (w * 7 + 7).min(days));
                let wl = d1 - d0;
                let cap = op.weekly_hours.min(self.rules.max_weekly_hours) * 60.0 * wl as f64 / 7.0;
                let avail: Vec<bool> = (d0..d1).map(|d| !op.leave_days.contains(&(d as u32))).collect();
                let mean = need[d0..d1].iter().sum::<f64>() / wl as f64;
                let scale = if mean > 0.0 { mean } else { 1.0 };
                // (paid minutes, length, mask)
                let mut best: Option<(u32, f64, u32, u32)> = None;
                for &len in self.starts.keys() {
                    let paid = len - rules::lunch_min(self.rules, len);
                    if paid == 0 {
                        continue;
                    }
                    let most = ((cap / f64::from(paid)) + 1e-9).floor() as usize;
                    for n in (1..=most.min(wl)).rev() {
                        let mut found: Option<(f64, u32)> = None;
                        for mask in 0u32..(1 << wl) {
                            if mask.count_ones() as usize != n || !self.mask_ok(mask, wl, &avail, tail, rest_days) {
                                continue;
                            }
                            let mut score = 0.0;
                            for i in 0..wl {
                                if mask & (1 << i) != 0 {
                                    score += need[d0 + i] / scale;
                                    if op.days_off_wished.contains(&((d0 + i) as u32)) {
                                        score -= self.input.day_off_weight.unwrap_or(0.5);
                                    }
                                }
                            }
                            if found.is_none_or(|(s, _)| score > s + 1e-12) {
                                found = Some((score, mask));
                            }
                        }
                        if let Some((score, mask)) = found {
                            let hours = paid * n as u32;
                            let better = match best {
                                None => true,
                                Some((h, s, l, _)) => hours > h || (hours == h && (len > l || (len == l && score > s))),
                            };
                            if better {
                                best = Some((hours, score, len, mask));
                            }
                            break;
                        }
                    }
                }
                let Some((_, _, len, mask)) = best else {
                    tail = 0;
                    continue;
                };
                self.length[k][w] = len;
                let on_line = f64::from(len - rules::offline_min(self.rules, len)) / f64::from(self.step);
                for i in 0..wl {
                    if mask & (1 << i) != 0 {
                        self.works[k][d0 + i] = true;
                        need[d0 + i] -= on_line;
                    }
                }
                let trailing = (0..wl).rev().take_while(|i| mask & (1 << i) != 0).count();
                tail = if trailing == wl { tail + wl } else { trailing };
            }
        }
    }

    fn mask_ok(&self, mask: u32, wl: usize, avail: &[bool], tail: usize, rest_days: usize) -> bool {
        let mut run = tail;
        let mut off = 0;
        let mut longest_off = 0;
        for (i, free) in avail.iter().enumerate().take(wl) {
            if mask & (1 << i) != 0 {
                if !free {
                    return false;
                }
                run += 1;
                off = 0;
                if run > self.rules.max_days_in_row as usize {
                    return false;
                }
            } else {
                run = 0;
                off += 1;
                longest_off = longest_off.max(off);
            }
        }
        wl < 7 || longest_off >= rest_days
    }

    /// Coverage share per interval of a shift: calls `f(flat_index, share)`.
    fn each_interval(&self, day: usize, p: Planned, mut f: impl FnMut(usize, f64)) {
        let base = day as u32 * 1440;
        let (a, b) = (base + p.start, base + p.start + p.len);
        let total = self.resid.len();
        let mut t = a;
        while t < b {
            let idx = (t / self.step) as usize;
            let until = ((t / self.step + 1) * self.step).min(b);
            if idx >= total {
                break;
            }
            f(idx, f64::from(until - t) / f64::from(self.step));
            t = until;
        }
    }

    fn on_line_share(&self, len: u32) -> f64 {
        f64::from(len - rules::offline_min(self.rules, len).min(len)) / f64::from(len)
    }

    fn gain(&self, k: usize, day: usize, p: Planned) -> f64 {
        let f = self.on_line_share(p.len);
        let mut g = 0.0;
        self.each_interval(day, p, |i, share| {
            let x = share * f;
            g += x * (2.0 * self.resid[i] - x);
        });
        if let Some(w) = self.input.operators[k].preferred_start {
            if p.start < w.earliest_min || p.start > w.latest_min {
                g -= self.pref_weight;
            }
        }
        g
    }

    fn apply(&mut self, day: usize, p: Planned, sign: f64) {
        let f = self.on_line_share(p.len);
        let mut deltas = Vec::with_capacity(p.len as usize / self.step as usize + 2);
        self.each_interval(day, p, |i, share| deltas.push((i, share * f)));
        for (i, x) in deltas {
            self.resid[i] -= sign * x;
        }
    }

    /// Whether operator `k` may work `p` on `day` given their other shifts.
    fn fits(&self, k: usize, day: usize, p: Planned) -> bool {
        let op = &self.input.operators[k];
        let days = self.input.days as usize;
        let end_day = day + ((p.start + p.len - 1) / 1440) as usize;
        if (day..=end_day.min(days - 1)).any(|d| op.leave_days.contains(&(d as u32))) {
            return false;
        }
        let a = day as u32 * 1440 + p.start;
        let b = a + p.len;
        let plan = &self.plan[k];
        let from = day.saturating_sub(2);
        for (d, q) in plan.iter().enumerate().take((day + 3).min(days)).skip(from) {
            if d == day {
                continue;
            }
            if let Some(q) = *q {
                let (qa, qb) = (d as u32 * 1440 + q.start, d as u32 * 1440 + q.start + q.len);
                if (d < day && a < qb + self.rules.min_rest_min) || (d > day && qa < b + self.rules.min_rest_min) {
                    return false;
                }
            }
        }
        // Weekly rest in every full week the shift touches.
        for w in [day / 7, end_day / 7] {
            let (d0, d1) = (w * 7, w * 7 + 7);
            if d1 > days {
                continue;
            }
            let mut shifts: Vec<RosterShift> =
                (d0.saturating_sub(1)..d1).filter(|d| *d != day).filter_map(|d| plan[d].map(|q| shift(d, q))).collect();
            shifts.push(shift(day, p));
            let refs: Vec<&RosterShift> = shifts.iter().collect();
            if rules::longest_rest(&refs, d0 as u32 * 1440, d1 as u32 * 1440) < self.rules.weekly_rest_min {
                return false;
            }
        }
        true
    }

    fn best_start(&self, k: usize, day: usize) -> Option<Planned> {
        let len = self.length[k][day / 7];
        let mut best: Option<(f64, Planned)> = None;
        for &start in self.starts.get(&len)? {
            let p = Planned { start, len };
            let g = self.gain(k, day, p);
            if best.is_none_or(|(b, _)| g > b + 1e-12) && self.fits(k, day, p) {
                best = Some((g, p));
            }
        }
        best.map(|(_, p)| p)
    }

    /// Phase 2: a start for every operator working on `day`.
    fn assign_day(&mut self, day: u32) {
        let day = day as usize;
        for k in 0..self.input.operators.len() {
            if !self.works[k][day] {
                continue;
            }
            match self.best_start(k, day) {
                Some(p) => {
                    self.plan[k][day] = Some(p);
                    self.apply(day, p, 1.0);
                }
                None => {
                    self.works[k][day] = false;
                    self.notes.push(format!(
                        "operator {}: no shift on day {day} fits the rest rules",
                        self.input.operators[k].id
                    ));
                }
            }
        }
    }

    /// One local-search pass; whether anything moved.
    fn improve(&mut self) -> bool {
        let mut changed = false;
        for day in 0..self.input.days as usize {
            for k in 0..self.input.operators.len() {
                let Some(old) = self.plan[k][day] else { continue };
                self.plan[k][day] = None;
                self.apply(day, old, -1.0);
                let new = self.best_start(k, day).unwrap_or(old);
                if new != old && self.gain(k, day, new) > self.gain(k, day, old) + 1e-9 {
                    changed = true;
                } else if new != old {
                    // Keep the old one on ties.
                    self.plan[k][day] = Some(old);
                    self.apply(day, old, 1.0);
                    continue;
                }
                self.plan[k][day] = Some(new);
                self.apply(day, new, 1.0);
            }
        }
        changed
    }

    /// Phase 3: breaks, then the roster.
    fn place_breaks(&mut self, progress: &mut dyn FnMut(usize)) -> Result<Roster> {
        // Residual against full shifts (weight 1), then breaks take it back.
        let mut resid: Vec<f64> = self.req.clone();
        for k in 0..self.plan.len() {
            for day in 0..self.input.days as usize {
                if let Some(p) = self.plan[k][day] {
                    self.each_interval(day, p, |i, share| resid[i] -= share);
                }
            }
        }
        let mut order: Vec<&BreakRule> = self.rules.breaks.iter().collect();
        order.sort_by_key(|b| (b.kind != ActivityKind::Lunch, std::cmp::Reverse(b.length_min)));
        let mut shifts: Vec<Vec<RosterShift>> = vec![vec![]; self.plan.len()];
        for day in 0..self.input.days as usize {
            for (k, out) in shifts.iter_mut().enumerate() {
                let Some(p) = self.plan[k][day] else { continue };
                let mut rs = shift(day, p);
                for b in order.iter().filter(|b| p.len >= b.min_shift_min) {
                    let step = gcd(self.step, b.length_min).max(5.min(b.length_min));
                    let mut best: Option<(f64, u32)> = None;
                    let mut at = p.start + b.earliest_after_min;
                    while at <= p.start + b.latest_after_min && at + b.length_min <= p.start + p.len {
                        let end = at + b.length_min;
                        let clash = rs.activities.iter().any(|a| at < a.end_min && a.start_min < end);
                        if !clash {
                            let mut harm = 0.0;
                            self.each_interval(day, Planned { start: at, len: b.length_min }, |i, x| {
                                harm += x * (2.0 * resid[i] + x);
                            });
                            if best.is_none_or(|(h, _)| harm < h - 1e-12) {
                                best = Some((harm, at));
                            }
                        }
                        at += step;
                    }
                    let Some((_, at)) = best else {
                        return Err(Error::InvalidInput(format!(
                            "{:?} of {} min cannot be placed in a {}-minute shift: windows overlap",
                            b.kind, b.length_min, p.len
                        )));
                    };
                    self.each_interval(day, Planned { start: at, len: b.length_min }, |i, x| resid[i] += x);
                    rs.activities.push(Activity { kind: b.kind, start_min: at, end_min: at + b.length_min });
                }
                rs.activities.sort_by_key(|a| a.start_min);
                out.push(rs);
            }
            progress(day + 1);
        }
        let operators = self
            .input
            .operators
            .iter()
            .zip(shifts)
            .map(|(o, shifts)| RosterOperator {
                id: o.id.clone(),
                name: o.name.clone(),
                skills: o.skills.clone(),
                shifts,
                leave_days: o.leave_days.clone(),
            })
            .collect();
        Ok(Roster {
            interval_min: self.input.interval_min,
            start_date: self.input.start_date.clone(),
            days: self.input.days,
            operators,
        })
    }
}

fn shift(day: usize, p: Planned) -> RosterShift {
    RosterShift { day: day as u32, start_min: p.start, end_min: p.start + p.len, activities: vec![] }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

fn report(
    input: &ScheduleInput,
    roster: &Roster,
    required: Vec<Vec<f64>>,
    notes: Vec<String>,
) -> Result<CoverageReport> {
    let covered = roster.coverage();
    let (mut under, mut over) = (0.0, 0.0);
    for (r, c) in required.iter().flatten().zip(covered.iter().flatten()) {
        under += (r - c).max(0.0);
        over += (c - r).max(0.0);
    }
    let (service_level, service_level_total) = match (&input.calls, input.aht_s, input.target) {
        (Some(calls), Some(aht), Some(t)) => {
            let (mut met, mut all) = (0.0, 0.0);
            let mut grid = Vec::with_capacity(calls.len());
            for (crow, vrow) in calls.iter().zip(&covered) {
                let mut row = Vec::with_capacity(crow.len());
                for (c, v) in crow.iter().zip(vrow) {
                    let sl = if *c <= 0.0 {
                        1.0
                    } else {
                        let load = Load::new(*c, f64::from(input.interval_min) * 60.0, aht)?;
                        erlang::erlang_c_metrics(&load, (v + 1e-9).floor() as u32, t.answer_time_s).service_level
                    };
                    met += sl * c;
                    all += c;
                    row.push(sl);
                }
                grid.push(row);
            }
            (Some(grid), (all > 0.0).then(|| met / all))
        }
        _ => (None, None),
    };
    Ok(CoverageReport {
        required,
        covered,
        total_abs_diff: under + over,
        under,
        over,
        service_level,
        service_level_total,
        notes,
    })
}

#[cfg(test)]
mod tests;

/// A deterministic synthetic instance (for benches, tests and demos):
/// `operators` operators (one in five part-time, 20 h), `days` days of
/// `interval_min` intervals, a two-peak day from 08:00 to 22:00 sized to
/// about 90 % of the staff's on-line time, day and part-time templates,
/// RU rules with a 60-minute lunch and two 15-minute breaks, some leave,
/// wished days off and preferred starts drawn from `seed`.
pub fn synthetic(operators: usize, days: u32, interval_min: u32, seed: u64) -> ScheduleInput {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) | 1;
    let mut rnd = move |n: u32| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % u64::from(n.max(1))) as u32
    };
    let per_day = 1440 / interval_min;
    let ops: Vec<OperatorSpec> = (0..operators)
        .map(|i| {
            let part = i % 5 == 4;
            let leave = if rnd(10) == 0 { vec![rnd(days)] } else { vec![] };
            let wished = if rnd(3) == 0 { vec![rnd(days)] } else { vec![] };
            let preferred = (rnd(4) == 0).then(|| {
                let e = 7 * 60 + rnd(6) * 60;
                Window { earliest_min: e, latest_min: e + 120 }
            });
            OperatorSpec {
                id: format!("op{:03}", i + 1),
                name: format!("Оператор {}", i + 1),
                skills: vec![],
                weekly_hours: if part { 20.0 } else { 40.0 },
                preferred_start: preferred,
                days_off_wished: wished.into_iter().filter(|d| !leave.contains(d)).collect(),
                leave_days: leave,
            }
        })
        .collect();
    // On-line agent-intervals the staff can give in a week, roughly.
    let full = ops.iter().filter(|o| o.weekly_hours >= 40.0).count() as f64;
    let part = ops.len() as f64 - full;
    let on_line_h = full * 5.0 * 7.5 + part * 4.0 * 4.75;
    let weekly = on_line_h * 60.0 / f64::from(interval_min) * 0.9 * f64::from(days) / 7.0;
    let shape: Vec<f64> = (0..per_day)
        .map(|i| {
            let h = f64::from(i * interval_min) / 60.0;
            if !(8.0..22.0).contains(&h) {
                return 0.0;
            }
            1.0 + 0.8 * (-((h - 11.0) / 1.8).powi(2)).exp() + 0.6 * (-((h - 17.0) / 2.0).powi(2)).exp()
        })
        .collect();
    let day_weight: Vec<f64> = (0..days).map(|d| if d % 7 >= 5 { 0.7 } else { 1.0 }).collect();
    let norm: f64 = shape.iter().sum::<f64>() * day_weight.iter().sum::<f64>();
    let requirement =
        day_weight.iter().map(|w| shape.iter().map(|s| (s * w * weekly / norm).round()).collect()).collect();
    ScheduleInput {
        interval_min,
        start_date: "2026-11-30".into(),
        days,
        requirement: Some(requirement),
        calls: None,
        aht_s: None,
        target: None,
        operators: ops,
        templates: vec![
            ShiftTemplate {
                name: "day".into(),
                earliest_start_min: 7 * 60,
                latest_start_min: 13 * 60,
                lengths_min: vec![9 * 60],
                start_step_min: None,
            },
            ShiftTemplate {
                name: "part".into(),
                earliest_start_min: 8 * 60,
                latest_start_min: 17 * 60,
                lengths_min: vec![5 * 60],
                start_step_min: None,
            },
        ],
        rules: RulesSpec {
            preset: Some(Jurisdiction::Ru),
            breaks: Some(vec![
                BreakRule {
                    kind: ActivityKind::Break,
                    length_min: 15,
                    earliest_after_min: 60,
                    latest_after_min: 150,
                    min_shift_min: 240,
                },
                BreakRule {
                    kind: ActivityKind::Lunch,
                    length_min: 60,
                    earliest_after_min: 180,
                    latest_after_min: 300,
                    min_shift_min: 360,
                },
                BreakRule {
                    kind: ActivityKind::Break,
                    length_min: 15,
                    earliest_after_min: 360,
                    latest_after_min: 450,
                    min_shift_min: 480,
                },
            ]),
            ..RulesSpec::default()
        },
        preference_weight: None,
        day_off_weight: None,
    }
}
