//! Staffing beyond one voice interval: chat with concurrency, deferred work
//! (email, web forms) with due times, the chain on line → scheduled →
//! payroll headcount, and what-if curves. Builds on [`crate::erlang`].
//!
//! # Chat with concurrency
//! An agent works up to `k` chats at once. We model each of the agent's `k`
//! slots as a server of an M/M/c queue with `c = n·k` servers, where the chat
//! handling time is the *observed* duration of a chat at that concurrency
//! (so the slowdown from multitasking is already inside the AHT, which is how
//! chat platforms report it). Agents needed = `ceil(c_min / k)` where `c_min`
//! is the Erlang C (or A) staffing of the chat load, and the metrics are
//! reported for the `n·k` slots actually staffed. Dividing the AHT by `k` and
//! staffing agents as one server each would instead pretend that one agent
//! finishes a chat `k` times faster, which understates waiting at low load.
//!
//! # Deferred work
//! Items (emails, web forms) arrive in interval `t` and are due `due`
//! intervals later (the end of interval `t + due`). Each arrival batch's work
//! is spread evenly over its own window `t..=t+due`; the sum over batches is
//! a feasible capacity profile (every batch has its own reserved capacity
//! inside its window), which is then lowered interval by interval, peaks
//! first, while an earliest-due-date (EDF) fluid replay still clears every
//! item by its due time. EDF is optimal for meeting due dates on one shared
//! capacity, so the replay is the exact feasibility test.
//!
//! # On line → scheduled → payroll
//! `scheduled = on_line / (1 − shrinkage)` (intraday shrinkage: breaks,
//! meetings, coaching); weekly scheduled hours / hours per FTE = FTE; payroll
//! headcount = FTE / (1 − vacation share − sick share) (long absences that take
//! people off the schedule altogether).

use crate::erlang::{self, Load, Metrics, Target};
use crate::{Error, Result};

/// Staffing of a chat interval where an agent handles up to `concurrency`
/// chats at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChatStaffing {
    /// Agents on line.
    pub agents: u32,
    /// Chat slots staffed (`agents × concurrency`).
    pub slots: u32,
    /// Metrics of the chat queue with `slots` servers.
    pub metrics: Metrics,
}

/// Agents for a chat load: Erlang C (or A with `patience_s`) over chat
/// slots, `load.aht_s` being the chat duration at that concurrency.
pub fn staff_chat(load: &Load, target: &Target, concurrency: u32, patience_s: Option<f64>) -> Result<ChatStaffing> {
    if concurrency == 0 {
        return Err(Error::InvalidInput("chat concurrency must be at least 1".into()));
    }
    let s = erlang::staff(load, target, patience_s, 0.0)?;
    let agents = s.on_line.div_ceil(concurrency);
    let slots = agents * concurrency;
    let metrics = match patience_s {
        None => erlang::erlang_c_metrics(load, slots, target.answer_time_s),
        Some(p) => erlang::erlang_a_metrics(load, slots, target.answer_time_s, p),
    };
    Ok(ChatStaffing { agents, slots, metrics })
}

/// Deferred work over consecutive intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct DeferredWork {
    /// Items arriving in each interval.
    pub arrivals: Vec<f64>,
    /// Handling time of one item, seconds.
    pub aht_s: f64,
    /// Interval length, seconds.
    pub interval_s: f64,
    /// Items are due by the end of interval `t + due_intervals`.
    pub due_intervals: usize,
    /// Share of on-line time an agent actually spends on items, in (0, 1].
    pub occupancy: f64,
}

/// Agents per interval for deferred work, and the EDF replay with them.
#[derive(Debug, Clone, PartialEq)]
pub struct DeferredPlan {
    pub agents: Vec<u32>,
    /// Items left open at the end of each interval.
    pub backlog: Vec<f64>,
}

/// Fewest agents per interval (locally minimal: no single interval can lose
/// an agent) so that every item is done by its due time.
pub fn staff_deferred(w: &DeferredWork) -> Result<DeferredPlan> {
    for (name, v) in [("AHT", w.aht_s), ("interval", w.interval_s)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(Error::InvalidInput(format!("{name} must be > 0, got {v}")));
        }
    }
    if !(w.occupancy > 0.0 && w.occupancy <= 1.0) {
        return Err(Error::InvalidInput(format!("occupancy must be in (0, 1], got {}", w.occupancy)));
    }
    if let Some(v) = w.arrivals.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
        return Err(Error::InvalidInput(format!("arrivals must be numbers ≥ 0, got {v}")));
    }
    let per_agent = w.interval_s * w.occupancy / w.aht_s; // items one agent clears in an interval
    let n = w.arrivals.len();
    let mut work = vec![0.0; n];
    for (t, a) in w.arrivals.iter().enumerate() {
        // Work due past the horizon is spread over what is left of it.
        let end = (t + w.due_intervals).min(n - 1);
        let share = a / (end - t + 1) as f64;
        for slot in &mut work[t..=end] {
            *slot += share;
        }
    }
    let mut agents: Vec<u32> = work.iter().map(|x| ((x / per_agent) - 1e-9).ceil().max(0.0) as u32).collect();
    // Lower the peaks while the EDF replay stays on time.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| agents[*b].cmp(&agents[*a]).then(a.cmp(b)));
    for t in order {
        while agents[t] > 0 {
            agents[t] -= 1;
            if edf(w, &agents, per_agent).is_none() {
                agents[t] += 1;
                break;
            }
        }
    }
    let backlog = edf(w, &agents, per_agent).ok_or_else(|| Error::InvalidInput("deferred plan infeasible".into()))?;
    Ok(DeferredPlan { agents, backlog })
}

/// EDF fluid replay: the open items after each interval, or `None` when an
/// item misses its due time.
fn edf(w: &DeferredWork, agents: &[u32], per_agent: f64) -> Option<Vec<f64>> {
    let n = w.arrivals.len();
    // Open items as (due interval, amount), kept sorted by due.
    let mut open: std::collections::VecDeque<(usize, f64)> = std::collections::VecDeque::new();
    let mut backlog = Vec::with_capacity(n);
    for (t, (arrived, staff)) in w.arrivals.iter().zip(agents).enumerate() {
        if *arrived > 0.0 {
            open.push_back(((t + w.due_intervals).min(n - 1), *arrived));
        }
        let mut cap = f64::from(*staff) * per_agent;
        while cap > 0.0 {
            let Some(front) = open.front_mut() else { break };
            let take = front.1.min(cap);
            front.1 -= take;
            cap -= take;
            if front.1 <= 1e-9 {
                open.pop_front();
            }
        }
        if open.front().is_some_and(|(due, left)| *due <= t && *left > 1e-9) {
            return None;
        }
        backlog.push(open.iter().map(|(_, x)| x).sum());
    }
    Some(backlog)
}

/// Long-term headcount parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Headcount {
    /// Intraday shrinkage (breaks, meetings, coaching), in [0, 1).
    pub shrinkage: f64,
    /// Paid hours of one full-time equivalent per week (e.g. 40).
    pub hours_per_fte_week: f64,
    /// Share of the year on annual leave (e.g. 28 / 365 for RU).
    pub vacation_share: f64,
    /// Share of the year off sick.
    pub sick_share: f64,
}

/// From agents on line to payroll.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Payroll {
    /// Agent-hours on line over the period given.
    pub on_line_hours: f64,
    /// Paid hours to schedule (after intraday shrinkage).
    pub scheduled_hours: f64,
    /// Full-time equivalents per week.
    pub fte: f64,
    /// People to employ, rounded up.
    pub headcount: u32,
}

/// Payroll for a week of agents-on-line per interval (`interval_min` long).
pub fn payroll(on_line_week: &[f64], interval_min: f64, h: &Headcount) -> Result<Payroll> {
    if !(0.0..1.0).contains(&h.shrinkage) {
        return Err(Error::InvalidInput(format!("shrinkage must be in [0, 1), got {}", h.shrinkage)));
    }
    let absent = h.vacation_share + h.sick_share;
    if !(h.vacation_share >= 0.0 && h.sick_share >= 0.0 && absent < 1.0) {
        return Err(Error::InvalidInput(format!("vacation + sick share must be in [0, 1), got {absent}")));
    }
    if !(h.hours_per_fte_week > 0.0 && interval_min > 0.0) {
        return Err(Error::InvalidInput("hours per FTE and interval must be > 0".into()));
    }
    let on_line_hours: f64 = on_line_week.iter().sum::<f64>() * interval_min / 60.0;
    let scheduled_hours = on_line_hours / (1.0 - h.shrinkage);
    let fte = scheduled_hours / h.hours_per_fte_week;
    let headcount = ((fte / (1.0 - absent)) - 1e-9).ceil().max(0.0) as u32;
    Ok(Payroll { on_line_hours, scheduled_hours, fte, headcount })
}

/// One row of a what-if table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WhatIf {
    pub agents: u32,
    pub service_level: f64,
    pub asa_s: f64,
    /// Present with patience (Erlang A).
    pub abandon_rate: Option<f64>,
    pub occupancy: f64,
}

/// SL, ASA, abandonment and occupancy for every agent count in `agents`
/// (Erlang C, or Erlang A with `patience_s`): a table ready for a chart.
pub fn what_if(
    load: &Load,
    answer_time_s: f64,
    patience_s: Option<f64>,
    agents: std::ops::RangeInclusive<u32>,
) -> Vec<WhatIf> {
    agents
        .map(|n| {
            let m = match patience_s {
                None => erlang::erlang_c_metrics(load, n, answer_time_s),
                Some(p) => erlang::erlang_a_metrics(load, n, answer_time_s, p),
            };
            WhatIf {
                agents: n,
                service_level: m.service_level,
                asa_s: m.asa_s,
                abandon_rate: m.abandon_rate,
                occupancy: m.occupancy,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target { service_level: 0.8, answer_time_s: 20.0, max_occupancy: None, max_asa_s: None }
    }

    #[test]
    fn chat_slots_are_servers() {
        // 100 chats / 30 min, 180 s: as voice needs 14 servers → 5 agents × 3 slots.
        let load = Load::new(100.0, 1800.0, 180.0).unwrap();
        let voice = erlang::staff(&load, &target(), None, 0.0).unwrap();
        let chat = staff_chat(&load, &target(), 3, None).unwrap();
        assert_eq!(chat.agents, voice.on_line.div_ceil(3));
        assert_eq!(chat.slots, chat.agents * 3);
        assert!(chat.metrics.service_level >= 0.8);
        // One agent fewer misses the target.
        let fewer = erlang::erlang_c_metrics(&load, (chat.agents - 1) * 3, 20.0);
        assert!(fewer.service_level < 0.8);
        assert_eq!(staff_chat(&load, &target(), 1, None).unwrap().agents, voice.on_line);
        assert!(staff_chat(&load, &target(), 0, None).is_err());
    }

    #[test]
    fn deferred_work_is_on_time_and_smoother_than_arrivals() {
        // A burst of 120 emails in interval 0, due within 7 intervals (30 min each), 6 min AHT.
        let mut arrivals = vec![0.0; 16];
        arrivals[0] = 120.0;
        arrivals[8] = 30.0;
        let w = DeferredWork { arrivals, aht_s: 360.0, interval_s: 1800.0, due_intervals: 7, occupancy: 1.0 };
        let plan = staff_deferred(&w).unwrap();
        // Total work is 150 × 6 min = 900 min = 30 agent-intervals at 5 items each.
        let capacity: u32 = plan.agents.iter().sum();
        assert!(capacity >= 30);
        assert!(*plan.agents.iter().max().unwrap() <= 4, "{:?}", plan.agents);
        assert!(plan.backlog[7] < 1e-6, "first burst done by its due: {:?}", plan.backlog);
        assert!(plan.backlog[15] < 1e-6);
        // Locally minimal: removing any agent breaks a due time.
        for t in 0..plan.agents.len() {
            if plan.agents[t] > 0 {
                let mut a = plan.agents.clone();
                a[t] -= 1;
                assert!(edf(&w, &a, 5.0).is_none(), "interval {t} could lose an agent");
            }
        }
        let bad = DeferredWork { aht_s: 0.0, ..w };
        assert!(staff_deferred(&bad).is_err());
    }

    #[test]
    fn payroll_chain() {
        // 20 agents on line for 40 hours of 30-minute intervals = 800 agent-hours.
        let week = vec![20.0; 80];
        let h = Headcount { shrinkage: 0.2, hours_per_fte_week: 40.0, vacation_share: 0.1, sick_share: 0.0 };
        let p = payroll(&week, 30.0, &h).unwrap();
        assert_eq!(p.on_line_hours, 800.0);
        assert!((p.scheduled_hours - 1000.0).abs() < 1e-9);
        assert!((p.fte - 25.0).abs() < 1e-9);
        assert_eq!(p.headcount, 28); // 25 / 0.9 = 27.8
        assert!(payroll(&week, 30.0, &Headcount { sick_share: 0.95, ..h }).is_err());
    }

    #[test]
    fn what_if_curve_is_monotone() {
        let load = Load::new(100.0, 1800.0, 180.0).unwrap();
        let rows = what_if(&load, 20.0, Some(300.0), 8..=20);
        assert_eq!(rows.len(), 13);
        for w in rows.windows(2) {
            assert!(w[1].service_level >= w[0].service_level);
            assert!(w[1].abandon_rate.unwrap() <= w[0].abandon_rate.unwrap());
            assert!(w[1].occupancy <= w[0].occupancy);
        }
        let c = what_if(&load, 20.0, None, 14..=14);
        assert!((c[0].service_level - 0.88835).abs() < 1e-5);
        assert!(c[0].abandon_rate.is_none());
    }
}
