//! A discrete-event simulator of the centre: replays days of arrivals against
//! a [`Roster`] through the real routing engine ([`routing::Engine`]) and
//! reports service level, ASA, abandonment and occupancy per interval, per
//! day, in total and per operator — to check a plan before it is published
//! and to ask what-if questions.
//!
//! How a run goes (time in milliseconds from the roster's day 0, 00:00):
//! - operators log in (`Ready`) at the start of each on-line period of their
//!   shifts, go `NotReady` for breaks, lunches, training and meetings and
//!   `Offline` at the end of the shift; shifts on leave days are skipped;
//! - contacts arrive as a Poisson process whose rate is constant over each
//!   [`Segment`] of the [`Arrivals`], needing the segment's skill;
//! - the engine offers them by the queue's [`Mode`] and the operators'
//!   skills; the simulated operator accepts at once and holds the contact for
//!   a handling time drawn from [`Config::handling`], then finishes it;
//! - a caller whose patience (drawn at arrival from [`Config::patience`])
//!   runs out before an offer abandons and leaves the engine;
//! - an operator due on break while holding a contact finishes it first;
//!   the break then keeps its scheduled length (they come back later by as
//!   much); at the end of a shift the contact in hand is finished in overtime.
//!   Both add a little working time beyond the roster's on-line staff, which
//!   [`Report::effective_staff`] shows.
//!
//! The run continues after the last day until every contact is finished or
//! gone; a contact still waiting when no operator is left is counted as
//! abandoned at that moment (it was never answered) and also as `unserved`.
//!
//! Measures follow `shared/KPI.md` (contacts count in the interval they
//! arrived; times in seconds):
//! - service level = answered within T / (answered + abandoned after S);
//! - ASA = queue wait of answered contacts / answered;
//! - abandonment rate = abandoned after S / (offered − abandoned before S);
//! - occupancy = handling time / (handling time + available idle time), with
//!   available idle time the time an operator is `Ready` and holds nothing.
//!
//! Several replications (independent seeds derived from [`Config::seed`])
//! give each total a mean and a 95 % confidence half-width (Student t).
//! Everything is deterministic for a seed.

mod arrivals;
mod rng;
pub mod steady;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

pub use arrivals::{Arrivals, Segment};
pub use rng::{splitmix64, Dist, Rng};
pub use routing::Mode;
use routing::{
    AgentConfig, AgentState, Capacity, Channel, ContactId, Engine, Input, NewContact, Offer, QueueConfig, Reason,
    SkillId,
};

use crate::erlang::{erlang_a_metrics, erlang_c_metrics, Load};
use crate::roster::{ActivityKind, Roster};
use crate::{Error, Result};

/// How to run the simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Handling time (talk, hold and wrap-up), seconds.
    pub handling: Dist,
    /// Caller patience, seconds; `None`: callers wait as long as it takes.
    pub patience: Option<Dist>,
    /// Answer-time threshold T of the service level, seconds.
    pub target_time_s: f64,
    /// Short-abandon threshold S, seconds (KPI default 5).
    pub short_abandon_s: f64,
    /// How the queue chooses among free operators.
    pub mode: Mode,
    /// Independent runs (≥ 1).
    pub replications: u32,
    pub seed: u64,
}

impl Config {
    /// T = 20 s, S = 5 s, longest idle, no abandonment, one replication, seed 1.
    pub fn new(handling: Dist) -> Config {
        Config {
            handling,
            patience: None,
            target_time_s: 20.0,
            short_abandon_s: 5.0,
            mode: Mode::LongestIdle,
            replications: 1,
            seed: 1,
        }
    }

    pub fn validate(&self) -> Result<()> {
        self.handling.validate("handling time")?;
        if let Some(p) = &self.patience {
            p.validate("patience")?;
        }
        for (what, x) in
            [("service-level answer time", self.target_time_s), ("short-abandon threshold", self.short_abandon_s)]
        {
            if !(x.is_finite() && x >= 0.0) {
                return Err(Error::InvalidInput(format!("{what} must be a finite number of seconds ≥ 0, got {x}")));
            }
        }
        if self.replications == 0 || self.replications > 10_000 {
            return Err(Error::InvalidInput(format!("replications must be 1–10000, got {}", self.replications)));
        }
        Ok(())
    }
}

/// Counts and times over some stretch (an interval, a day, a run). Counts
/// are `f64` so sums over replications divide into means.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Counts {
    /// Contacts that arrived (abandons included).
    pub offered: f64,
    pub answered: f64,
    /// Answered within T.
    pub answered_within: f64,
    /// Abandoned after S (including contacts left unserved at the end).
    pub abandoned: f64,
    /// Abandoned before S.
    pub short_abandoned: f64,
    /// Still waiting when no operator was left (also in `abandoned`/`short_abandoned`).
    pub unserved: f64,
    /// Total queue wait of answered contacts, seconds.
    pub wait_answered_s: f64,
    /// Operators' time holding a contact, seconds.
    pub handling_s: f64,
    /// Operators' time ready and holding nothing, seconds.
    pub idle_s: f64,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.answered_within += o.answered_within;
        self.abandoned += o.abandoned;
        self.short_abandoned += o.short_abandoned;
        self.unserved += o.unserved;
        self.wait_answered_s += o.wait_answered_s;
        self.handling_s += o.handling_s;
        self.idle_s += o.idle_s;
    }

    /// Every field multiplied by `k` (e.g. 1 / replications for means).
    pub fn scaled(&self, k: f64) -> Counts {
        Counts {
            offered: self.offered * k,
            answered: self.answered * k,
            answered_within: self.answered_within * k,
            abandoned: self.abandoned * k,
            short_abandoned: self.short_abandoned * k,
            unserved: self.unserved * k,
            wait_answered_s: self.wait_answered_s * k,
            handling_s: self.handling_s * k,
            idle_s: self.idle_s * k,
        }
    }

    /// Answered within T / (answered + abandoned after S); `None` without contacts.
    pub fn service_level(&self) -> Option<f64> {
        ratio(self.answered_within, self.answered + self.abandoned)
    }

    /// Mean queue wait of answered contacts, seconds.
    pub fn asa_s(&self) -> Option<f64> {
        ratio(self.wait_answered_s, self.answered)
    }

    /// Abandoned after S / (offered − abandoned before S).
    pub fn abandon_rate(&self) -> Option<f64> {
        ratio(self.abandoned, self.offered - self.short_abandoned)
    }

    /// Handling time / (handling time + available idle time).
    pub fn occupancy(&self) -> Option<f64> {
        ratio(self.handling_s, self.handling_s + self.idle_s)
    }
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// One operator's time in a run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OperatorResult {
    pub id: String,
    /// Mean over replications.
    pub answered: f64,
    pub handling_s: f64,
    pub idle_s: f64,
}

impl OperatorResult {
    pub fn occupancy(&self) -> Option<f64> {
        ratio(self.handling_s, self.handling_s + self.idle_s)
    }
}

/// A mean over replications and its 95 % confidence half-width (`None`
/// with a single replication).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub half_width: Option<f64>,
}

impl Estimate {
    /// From per-replication values (those that are `None` — e.g. no
    /// contact answered — are left out); `None` when none is left.
    pub fn of(values: &[Option<f64>]) -> Option<Estimate> {
        let v: Vec<f64> = values.iter().flatten().copied().collect();
        if v.is_empty() {
            return None;
        }
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let half_width = (v.len() > 1).then(|| {
            let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
            t975(v.len() - 1) * (var / n).sqrt()
        });
        Some(Estimate { mean, half_width })
    }
}

/// Student t 0.975 quantile for `df` degrees of freedom.
fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    T.get(df.wrapping_sub(1)).copied().unwrap_or(1.96)
}

/// What one run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Replication {
    pub totals: Counts,
    /// Per interval, `[day × intervals per day + interval]`.
    pub intervals: Vec<Counts>,
    /// Per operator (roster order): (answered, handling s, idle s).
    pub operators: Vec<(f64, f64, f64)>,
}

/// The result of [`simulate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub replications: u32,
    pub interval_min: u32,
    pub intervals_per_day: usize,
    /// Per interval, mean over replications.
    pub intervals: Vec<Counts>,
    /// Per day, mean over replications.
    pub days: Vec<Counts>,
    /// Whole run, mean over replications.
    pub totals: Counts,
    /// Operators on line per interval (fractional where a period covers
    /// part of an interval), as the simulation logged them in.
    pub staff: Vec<f64>,
    /// Contacts expected per interval (the arrivals' rate integrated).
    pub expected_calls: Vec<f64>,
    pub service_level: Option<Estimate>,
    pub asa_s: Option<Estimate>,
    pub abandon_rate: Option<Estimate>,
    pub occupancy: Option<Estimate>,
    pub operators: Vec<OperatorResult>,
}

/// Runs `cfg.replications` independent replications and summarises them.
/// `progress(done, total)` is called as simulated days complete, counted
/// over all replications.
pub fn simulate(
    roster: &Roster,
    arrivals: &Arrivals,
    cfg: &Config,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report> {
    cfg.validate()?;
    roster.validate()?;
    arrivals.validate(roster)?;
    let plan = Plan::new(roster, arrivals)?;
    let reps = cfg.replications as usize;
    let total_days = reps * roster.days as usize;
    let mut seeds = cfg.seed;
    let mut runs = Vec::with_capacity(reps);
    for r in 0..reps {
        let seed = splitmix64(&mut seeds);
        let base = r * roster.days as usize;
        runs.push(plan.run(cfg, seed, &mut |d| progress(base + d, total_days))?);
    }
    let k = 1.0 / reps as f64;
    let n = plan.intervals;
    let mut intervals = vec![Counts::default(); n];
    let mut totals = Counts::default();
    let mut operators: Vec<OperatorResult> =
        roster.operators.iter().map(|o| OperatorResult { id: o.id.clone(), ..Default::default() }).collect();
    for run in &runs {
        totals.add(&run.totals.scaled(k));
        for (acc, c) in intervals.iter_mut().zip(&run.intervals) {
            acc.add(&c.scaled(k));
        }
        for (o, (ans, h, i)) in operators.iter_mut().zip(&run.operators) {
            o.answered += ans * k;
            o.handling_s += h * k;
            o.idle_s += i * k;
        }
    }
    let per_day = roster.intervals_per_day();
    let days = intervals
        .chunks(per_day.max(1))
        .map(|day| {
            let mut c = Counts::default();
            day.iter().for_each(|x| c.add(x));
            c
        })
        .collect();
    let each = |f: fn(&Counts) -> Option<f64>| Estimate::of(&runs.iter().map(|r| f(&r.totals)).collect::<Vec<_>>());
    Ok(Report {
        replications: cfg.replications,
        interval_min: roster.interval_min,
        intervals_per_day: per_day,
        intervals,
        days,
        totals,
        staff: plan.staff.clone(),
        expected_calls: arrivals.per_interval(roster),
        service_level: each(Counts::service_level),
        asa_s: each(Counts::asa_s),
        abandon_rate: each(Counts::abandon_rate),
        occupancy: each(Counts::occupancy),
        operators,
    })
}

impl Report {
    /// Operators actually working per interval (on line, or finishing a
    /// contact past the start of a break or the end of a shift): handling
    /// plus available idle time over the interval length.
    pub fn effective_staff(&self) -> Vec<f64> {
        let len = f64::from(self.interval_min) * 60.0;
        self.intervals.iter().map(|c| (c.handling_s + c.idle_s) / len).collect()
    }
}

/// The Erlang prediction of the service level per interval for the staff
/// on line, and its average weighted by expected contacts.
#[derive(Debug, Clone, PartialEq)]
pub struct ErlangCheck {
    /// `None` where no contact is expected.
    pub intervals: Vec<Option<f64>>,
    pub service_level: Option<f64>,
}

/// Erlang C (Erlang A when `patience_s` is given) service level per
/// interval for `staff[i]` operators on line and `calls[i]` contacts with
/// mean handling time `aht_s`; a fractional staff interpolates linearly
/// between its neighbouring whole numbers.
pub fn erlang_check(
    staff: &[f64],
    calls: &[f64],
    interval_s: f64,
    aht_s: f64,
    target_time_s: f64,
    patience_s: Option<f64>,
) -> Result<ErlangCheck> {
    let mut intervals = Vec::with_capacity(calls.len());
    let (mut weighted, mut total) = (0.0, 0.0);
    for (&c, &n) in calls.iter().zip(staff) {
        if c <= 0.0 {
            intervals.push(None);
            continue;
        }
        let load = Load::new(c, interval_s, aht_s)?;
        let sl = |agents: u32| match (agents, patience_s) {
            (0, _) => 0.0,
            (_, None) => erlang_c_metrics(&load, agents, target_time_s).service_level,
            (_, Some(p)) => erlang_a_metrics(&load, agents, target_time_s, p).service_level,
        };
        let lo = n.max(0.0).floor();
        let frac = n.max(0.0) - lo;
        let v = if frac > 1e-9 { sl(lo as u32) * (1.0 - frac) + sl(lo as u32 + 1) * frac } else { sl(lo as u32) };
        weighted += v * c;
        total += c;
        intervals.push(Some(v));
    }
    Ok(ErlangCheck { intervals, service_level: ratio(weighted, total) })
}

// ------------------------------------------------------------------ the run

const QUEUE: u32 = 1;

/// An operator's state change, ordered for the event heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Ready,
    Away(u8),
    Offline,
}

impl Status {
    fn engine(self) -> AgentState {
        match self {
            Status::Ready => AgentState::Ready,
            Status::Offline => AgentState::Offline,
            Status::Away(0) => AgentState::NotReady(Reason::Break),
            Status::Away(1) => AgentState::NotReady(Reason::Lunch),
            Status::Away(2) => AgentState::NotReady(Reason::Training),
            Status::Away(_) => AgentState::NotReady(Reason::Meeting),
        }
    }

    fn away(kind: ActivityKind) -> Status {
        Status::Away(match kind {
            ActivityKind::Break => 0,
            ActivityKind::Lunch => 1,
            ActivityKind::Training => 2,
            ActivityKind::Meeting => 3,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Arrival(usize),
    Operator(usize, Status),
    /// Back from an away period that started late; ignored if the roster
    /// moved the operator on meanwhile (the epoch changed).
    Resume(usize, u64),
    Finish(ContactId),
    Abandon(ContactId),
}

/// One stream of arrivals: the segments of one skill, in time order.
struct Stream {
    required: Vec<(SkillId, u8)>,
    /// (start s, end s, rate per s).
    segments: Vec<(f64, f64, f64)>,
}

/// An operator's skills and state changes (ms, new state) in time order.
type OperatorPlan = (Vec<(SkillId, u8)>, Vec<(i64, Status)>);

/// Everything a run needs that does not depend on the seed.
struct Plan {
    operators: Vec<OperatorPlan>,
    streams: Vec<Stream>,
    staff: Vec<f64>,
    intervals: usize,
    interval_ms: i64,
    days: usize,
}

impl Plan {
    fn new(roster: &Roster, arrivals: &Arrivals) -> Result<Plan> {
        let skills = arrivals.skills();
        let skill_id = |name: &str| skills.binary_search_by(|s| s.as_str().cmp(name)).ok().map(|i| i as SkillId);
        let all: Vec<(SkillId, u8)> = (0..skills.len()).map(|i| (i as SkillId, 1)).collect();
        let mut operators = Vec::with_capacity(roster.operators.len());
        let mut periods_all = Vec::new();
        for op in &roster.operators {
            let has: Vec<(SkillId, u8)> = if op.skills.is_empty() {
                all.clone()
            } else {
                op.skills.iter().filter_map(|s| skill_id(s)).map(|id| (id, 1)).collect()
            };
            let worked: Vec<_> = op.shifts.iter().filter(|s| !op.leave_days.contains(&s.day)).collect();
            let mut periods: Vec<(u32, u32)> = worked.iter().flat_map(|s| s.on_line()).collect();
            periods.sort_unstable();
            let mut merged: Vec<(u32, u32)> = Vec::with_capacity(periods.len());
            for (a, b) in periods {
                match merged.last_mut() {
                    Some(last) if a <= last.1 => last.1 = last.1.max(b),
                    _ => merged.push((a, b)),
                }
            }
            // What the operator does when an on-line period ends: the
            // activity starting then, if they come back on line before the
            // shift ends; otherwise off shift.
            let activity_at = |m: u32, back: Option<u32>| {
                worked
                    .iter()
                    .flat_map(|s| {
                        let end = s.day * 1440 + s.end_min;
                        s.activities.iter().map(move |a| (s.day * 1440 + a.start_min, end, a.kind))
                    })
                    .find(|(at, end, _)| *at == m && back.is_some_and(|b| b < *end))
                    .map(|(_, _, k)| k)
            };
            let mut changes = Vec::with_capacity(merged.len() * 2);
            for (k, &(a, b)) in merged.iter().enumerate() {
                let back = merged.get(k + 1).map(|p| p.0);
                changes.push((i64::from(a) * 60_000, Status::Ready));
                changes.push((i64::from(b) * 60_000, activity_at(b, back).map_or(Status::Offline, Status::away)));
            }
            periods_all.extend(merged);
            operators.push((has, changes));
        }
        let mut by_skill: BTreeMap<Option<&str>, Vec<(f64, f64, f64)>> = BTreeMap::new();
        for s in &arrivals.segments {
            if s.calls > 0.0 {
                by_skill.entry(s.skill.as_deref()).or_default().push((
                    s.start_s,
                    s.end_s,
                    s.calls / (s.end_s - s.start_s),
                ));
            }
        }
        let streams = by_skill
            .into_iter()
            .map(|(skill, mut segments)| {
                segments.sort_by(|a, b| a.0.total_cmp(&b.0));
                Stream { required: skill.and_then(skill_id).map(|id| vec![(id, 1)]).unwrap_or_default(), segments }
            })
            .collect();
        let staff = roster.coverage_of(periods_all).concat();
        Ok(Plan {
            operators,
            streams,
            intervals: staff.len(),
            staff,
            interval_ms: i64::from(roster.interval_min.max(1)) * 60_000,
            days: roster.days as usize,
        })
    }

    fn run(&self, cfg: &Config, seed: u64, progress: &mut dyn FnMut(usize)) -> Result<Replication> {
        let mut engine = Engine::new();
        let mut out = Vec::new();
        let routing_error = |e: routing::RoutingError| Error::InvalidInput(format!("routing engine refused: {e}"));
        engine
            .apply(
                Input::AddQueue(QueueConfig {
                    id: QUEUE,
                    priority: 0,
                    mode: cfg.mode,
                    aging_ms_per_level: None,
                    overflow: None,
                    aht_ms: (cfg.handling.mean() * 1000.0) as i64,
                }),
                &mut out,
            )
            .map_err(routing_error)?;
        let mut sim = Run {
            engine,
            out,
            heap: BinaryHeap::new(),
            seq: 0,
            rng: Rng::new(seed),
            cfg,
            contacts: Vec::new(),
            agents: vec![AgentTime::default(); self.operators.len()],
            intervals: vec![Counts::default(); self.intervals],
            operators: vec![(0.0, 0.0, 0.0); self.operators.len()],
            interval_ms: self.interval_ms,
            horizon_ms: self.interval_ms * self.intervals as i64,
            cursors: vec![(0, 0.0); self.streams.len()],
        };
        for (i, (skills, changes)) in self.operators.iter().enumerate() {
            let agent = AgentConfig {
                id: i as u64,
                skills: skills.clone(),
                queues: vec![QUEUE],
                capacity: Capacity::default(),
            };
            sim.engine.apply(Input::AddAgent(agent), &mut sim.out).map_err(routing_error)?;
            for &(at, st) in changes {
                sim.push(at, Event::Operator(i, st));
            }
        }
        for s in 0..self.streams.len() {
            sim.schedule_arrival(self, s);
        }
        let day_ms = 86_400_000;
        let mut day_done = 0usize;
        let mut now = 0;
        while let Some(Reverse((at, _, ev))) = sim.heap.pop() {
            now = at;
            while day_done < self.days && at >= (day_done as i64 + 1) * day_ms {
                day_done += 1;
                progress(day_done);
            }
            match ev {
                Event::Arrival(s) => {
                    sim.arrive(&self.streams[s].required, at).map_err(routing_error)?;
                    sim.schedule_arrival(self, s);
                }
                Event::Operator(a, st) => {
                    let ag = sim.agents[a];
                    match st {
                        // Back from an away period taken late: later, by `Resume`.
                        Status::Ready if ag.deferred || ag.pending_away.is_some() => {}
                        // An away period starts when the contact in hand is
                        // finished and keeps its scheduled length.
                        Status::Away(_) if ag.busy => {
                            let back = self.operators[a].1.iter().find(|(t, s)| *t > at && *s == Status::Ready);
                            let len = back.map_or(0, |(t, _)| t - at);
                            sim.agents[a].pending_away = Some((st, len));
                        }
                        _ => {
                            sim.agents[a].pending_away = None;
                            sim.agents[a].deferred = false;
                            sim.set_state(a, st, at).map_err(routing_error)?;
                        }
                    }
                }
                Event::Resume(a, epoch) => {
                    if sim.agents[a].epoch == epoch && sim.agents[a].deferred {
                        sim.agents[a].deferred = false;
                        sim.set_state(a, Status::Ready, at).map_err(routing_error)?;
                    }
                }
                Event::Finish(c) => {
                    let a = sim.contacts[c as usize].agent;
                    sim.flush(a, at);
                    sim.agents[a].busy = false;
                    if let Some((st, len)) = sim.agents[a].pending_away.take() {
                        sim.agents[a].deferred = true;
                        sim.set_state(a, st, at).map_err(routing_error)?;
                        let epoch = sim.agents[a].epoch;
                        sim.push(at + len, Event::Resume(a, epoch));
                    }
                    sim.engine.apply(Input::ContactFinished { contact: c, at }, &mut sim.out).map_err(routing_error)?;
                }
                Event::Abandon(c) => {
                    let rec = &mut sim.contacts[c as usize];
                    if !rec.answered && !rec.gone {
                        rec.gone = true;
                        let (arrived, interval) = (rec.arrived, rec.interval);
                        sim.engine
                            .apply(Input::ContactAbandoned { contact: c, at }, &mut sim.out)
                            .map_err(routing_error)?;
                        sim.count_abandon(interval, at - arrived, false);
                    }
                }
            }
            sim.take_offers().map_err(routing_error)?;
        }
        // Contacts nobody was left to answer.
        for i in 0..sim.contacts.len() {
            let c = sim.contacts[i];
            if !c.answered && !c.gone {
                sim.count_abandon(c.interval, now.max(c.arrived) - c.arrived, true);
            }
        }
        while day_done < self.days {
            day_done += 1;
            progress(day_done);
        }
        let mut totals = Counts::default();
        sim.intervals.iter().for_each(|c| totals.add(c));
        Ok(Replication { totals, intervals: sim.intervals, operators: sim.operators })
    }
}

#[derive(Debug, Clone, Copy)]
struct ContactRec {
    arrived: i64,
    interval: usize,
    agent: usize,
    answered: bool,
    gone: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct AgentTime {
    ready: bool,
    busy: bool,
    since: i64,
    /// An away period due while busy: (status, its scheduled length in ms),
    /// taken when the contact in hand is finished.
    pending_away: Option<(Status, i64)>,
    /// Away later than scheduled: the roster's own return is skipped.
    deferred: bool,
    /// Roster changes applied so far (stale `Resume`s are ignored).
    epoch: u64,
}

struct Run<'a> {
    engine: Engine,
    out: Vec<Offer>,
    heap: BinaryHeap<Reverse<(i64, u64, Event)>>,
    seq: u64,
    rng: Rng,
    cfg: &'a Config,
    contacts: Vec<ContactRec>,
    agents: Vec<AgentTime>,
    intervals: Vec<Counts>,
    operators: Vec<(f64, f64, f64)>,
    interval_ms: i64,
    horizon_ms: i64,
    /// Per stream: (segment index, time in seconds of the last arrival).
    cursors: Vec<(usize, f64)>,
}

impl Run<'_> {
    fn push(&mut self, at: i64, ev: Event) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, ev)));
    }

    /// Draws the stream's next arrival (piecewise-constant Poisson rate:
    /// an exponential gap that runs past its segment restarts at the next
    /// one, which memorylessness allows).
    fn schedule_arrival(&mut self, plan: &Plan, s: usize) {
        let segs = &plan.streams[s].segments;
        let (mut idx, mut t) = self.cursors[s];
        while let Some(&(start, end, rate)) = segs.get(idx) {
            t = t.max(start);
            let next = t + self.rng.exp(1.0 / rate);
            if next < end {
                self.cursors[s] = (idx, next);
                self.push((next * 1000.0) as i64, Event::Arrival(s));
                return;
            }
            idx += 1;
            t = end;
        }
        self.cursors[s] = (idx, t);
    }

    fn arrive(&mut self, required: &[(SkillId, u8)], at: i64) -> std::result::Result<(), routing::RoutingError> {
        let id = self.contacts.len() as ContactId;
        let interval = ((at / self.interval_ms) as usize).min(self.intervals.len().saturating_sub(1));
        self.contacts.push(ContactRec { arrived: at, interval, agent: 0, answered: false, gone: false });
        self.intervals[interval].offered += 1.0;
        if let Some(p) = &self.cfg.patience {
            let wait = p.sample(&mut self.rng);
            self.push(at + (wait * 1000.0).round() as i64, Event::Abandon(id));
        }
        let contact = NewContact {
            id,
            queue: QUEUE,
            channel: Channel::Voice,
            priority: 0,
            required: required.to_vec(),
            preferred: Vec::new(),
            preferred_for_ms: 0,
            at,
        };
        self.engine.apply(Input::ContactArrived(contact), &mut self.out)
    }

    /// Accepts every offer the engine made and starts handling.
    fn take_offers(&mut self) -> std::result::Result<(), routing::RoutingError> {
        while !self.out.is_empty() {
            let offers = std::mem::take(&mut self.out);
            for o in offers {
                self.accept(o)?;
            }
        }
        Ok(())
    }

    fn accept(&mut self, o: Offer) -> std::result::Result<(), routing::RoutingError> {
        self.engine.apply(Input::OfferAccepted { contact: o.contact, at: o.at }, &mut self.out)?;
        let a = o.agent as usize;
        let c = &mut self.contacts[o.contact as usize];
        c.answered = true;
        c.agent = a;
        let wait_s = (o.at - c.arrived) as f64 / 1000.0;
        let row = &mut self.intervals[c.interval];
        row.answered += 1.0;
        row.wait_answered_s += wait_s;
        if wait_s <= self.cfg.target_time_s {
            row.answered_within += 1.0;
        }
        self.operators[a].0 += 1.0;
        self.flush(a, o.at);
        self.agents[a].busy = true;
        let hold = self.cfg.handling.sample(&mut self.rng);
        self.push(o.at + ((hold * 1000.0).round() as i64).max(1), Event::Finish(o.contact));
        Ok(())
    }

    fn set_state(&mut self, a: usize, st: Status, at: i64) -> std::result::Result<(), routing::RoutingError> {
        self.flush(a, at);
        self.agents[a].ready = st == Status::Ready;
        self.agents[a].epoch += 1;
        self.engine.apply(Input::SetAgentState { agent: a as u64, state: st.engine(), at }, &mut self.out)
    }

    fn count_abandon(&mut self, interval: usize, wait_ms: i64, unserved: bool) {
        let row = &mut self.intervals[interval];
        if (wait_ms as f64) < self.cfg.short_abandon_s * 1000.0 {
            row.short_abandoned += 1.0;
        } else {
            row.abandoned += 1.0;
        }
        if unserved {
            row.unserved += 1.0;
        }
    }

    /// Books the operator's time since the last change, up to `now` and
    /// inside the roster's days, as handling or available idle time.
    fn flush(&mut self, a: usize, now: i64) {
        let st = self.agents[a];
        self.agents[a].since = now;
        if !(st.busy || st.ready) {
            return;
        }
        let mut t = st.since.max(0);
        let end = now.min(self.horizon_ms);
        while t < end {
            let idx = (t / self.interval_ms) as usize;
            let until = ((idx as i64 + 1) * self.interval_ms).min(end);
            let secs = (until - t) as f64 / 1000.0;
            let row = &mut self.intervals[idx];
            if st.busy {
                row.handling_s += secs;
                self.operators[a].1 += secs;
            } else {
                row.idle_s += secs;
                self.operators[a].2 += secs;
            }
            t = until;
        }
    }
}

#[cfg(test)]
mod tests;
