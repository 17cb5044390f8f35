//! SLA clocks: targets for first response, next response and resolution,
//! counted in working time on a [`BusinessCalendar`].
//!
//! Policies are chosen per (contact type × priority) with `*` wildcards
//! ([`SlaPolicies::find`]). An [`SlaClock`] is driven by events (start, pause,
//! resume, stop) and answers its due time, remaining working time and
//! [`SlaState`] at any instant. Pausing — while waiting on the customer —
//! stops the clock: the due time moves later by the working time spent paused.
//! [`ContactSla`] drives the three clocks of one contact from contact events.
//!
//! Clocks never read the time themselves: every call takes the instant (ms
//! since the Unix epoch) and the calendar, so replaying the event log gives
//! the same answers.

use crate::calendar::BusinessCalendar;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The default share of the target below which a running clock is at risk.
pub const DEFAULT_AT_RISK_PERCENT: u8 = 20;

/// Matches any contact type or priority in a policy.
pub const ANY: &str = "*";

/// Targets for one (contact type × priority), as working durations in ms on
/// the named calendar. A missing target means no clock for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// A contact type key (e.g. `complaint`) or `*`.
    pub contact_type: String,
    /// A priority key (e.g. `high`) or `*`.
    pub priority: String,
    /// The name of the business calendar the targets are counted on.
    pub calendar: String,
    pub first_response: Option<i64>,
    pub next_response: Option<i64>,
    pub resolution: Option<i64>,
    /// A running clock with less than this share of its target left is at risk.
    pub at_risk_percent: u8,
}

impl SlaPolicy {
    /// A policy with no targets yet and the default at-risk threshold.
    pub fn new(contact_type: &str, priority: &str, calendar: &str) -> SlaPolicy {
        SlaPolicy {
            contact_type: contact_type.to_string(),
            priority: priority.to_string(),
            calendar: calendar.to_string(),
            first_response: None,
            next_response: None,
            resolution: None,
            at_risk_percent: DEFAULT_AT_RISK_PERCENT,
        }
    }

    /// How specific the policy is: 3 exact, 2 type only, 1 priority only, 0 both wildcards.
    fn specificity(&self) -> u8 {
        (self.contact_type != ANY) as u8 * 2 + (self.priority != ANY) as u8
    }

    fn matches(&self, contact_type: &str, priority: &str) -> bool {
        (self.contact_type == ANY || self.contact_type == contact_type)
            && (self.priority == ANY || self.priority == priority)
    }
}

/// The policy table of an organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicies {
    policies: Vec<SlaPolicy>,
}

impl SlaPolicies {
    pub fn new() -> SlaPolicies {
        SlaPolicies::default()
    }

    /// Adds a policy, replacing one with the same (type, priority).
    pub fn upsert(&mut self, policy: SlaPolicy) {
        match self.policies.iter_mut().find(|p| p.contact_type == policy.contact_type && p.priority == policy.priority)
        {
            Some(p) => *p = policy,
            None => self.policies.push(policy),
        }
    }

    pub fn remove(&mut self, contact_type: &str, priority: &str) -> Option<SlaPolicy> {
        let i = self.policies.iter().position(|p| p.contact_type == contact_type && p.priority == priority)?;
        Some(self.policies.remove(i))
    }

    pub fn all(&self) -> &[SlaPolicy] {
        &self.policies
    }

    /// The most specific policy for a contact: exact (type, priority) first,
    /// then (type, `*`), then (`*`, priority), then (`*`, `*`).
    pub fn find(&self, contact_type: &str, priority: &str) -> Option<&SlaPolicy> {
        self.policies.iter().filter(|p| p.matches(contact_type, priority)).max_by_key(|p| p.specificity())
    }
}

/// What a clock says at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// Not started yet.
    Pending,
    Running,
    /// Running with less than the policy's share of the target left.
    AtRisk,
    /// Stopped while waiting on the customer, not yet breached.
    Paused,
    /// Past due (while running or paused, or stopped late).
    Breached,
    /// Stopped in time.
    Met,
}

impl SlaState {
    /// Whether supervisors should be alerted (at risk or breached).
    pub fn needs_attention(self) -> bool {
        matches!(self, SlaState::AtRisk | SlaState::Breached)
    }

    /// Orders states by urgency, for showing the worst of several clocks.
    pub fn urgency(self) -> u8 {
        match self {
            SlaState::Pending => 0,
            SlaState::Met => 1,
            SlaState::Paused => 2,
            SlaState::Running => 3,
            SlaState::AtRisk => 4,
            SlaState::Breached => 5,
        }
    }
}

/// A clock event that does not fit the clock's phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlaError {
    /// E.g. resuming a clock that is not paused.
    InvalidTransition { from: &'static str, event: &'static str },
    /// The event is earlier than the clock's last event.
    OutOfOrder { last: i64, at: i64 },
}

impl fmt::Display for SlaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SlaError::InvalidTransition { from, event } => write!(f, "cannot {event} a clock that is {from}"),
            SlaError::OutOfOrder { last, at } => write!(f, "event at {at} is before the clock's last event at {last}"),
        }
    }
}

impl std::error::Error for SlaError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "phase", content = "since")]
enum Phase {
    NotStarted,
    Running(i64),
    Paused(i64),
    Stopped(i64),
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::NotStarted => "not started",
            Phase::Running(_) => "running",
            Phase::Paused(_) => "paused",
            Phase::Stopped(_) => "stopped",
        }
    }

    fn since(self) -> Option<i64> {
        match self {
            Phase::NotStarted => None,
            Phase::Running(t) | Phase::Paused(t) | Phase::Stopped(t) => Some(t),
        }
    }
}

/// One SLA target counted in working time, with pauses.
///
/// Due time: when running, the instant at which the target's working time is
/// used up ("answered exactly at the due time" is met); while paused, the due
/// time if the clock were resumed now, so it moves later as the pause lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaClock {
    target: i64,
    at_risk_percent: u8,
    phase: Phase,
    /// Working time used in finished running segments.
    used: i64,
    /// Due time of the current (or last) running segment; `None` when the
    /// calendar never provides enough working time.
    due: Option<i64>,
    /// Set once the clock is known to have passed its due time.
    breached_at: Option<i64>,
}

impl SlaClock {
    /// A clock for `target` ms of working time, not started.
    pub fn new(target: i64, at_risk_percent: u8) -> SlaClock {
        SlaClock {
            target,
            at_risk_percent: at_risk_percent.min(100),
            phase: Phase::NotStarted,
            used: 0,
            due: None,
            breached_at: None,
        }
    }

    pub fn target(&self) -> i64 {
        self.target
    }

    pub fn is_started(&self) -> bool {
        self.phase != Phase::NotStarted
    }

    pub fn is_running(&self) -> bool {
        matches!(self.phase, Phase::Running(_))
    }

    pub fn is_paused(&self) -> bool {
        matches!(self.phase, Phase::Paused(_))
    }

    pub fn is_stopped(&self) -> bool {
        matches!(self.phase, Phase::Stopped(_))
    }

    fn check(&self, at: i64, event: &'static str, ok: bool) -> Result<(), SlaError> {
        if !ok {
            return Err(SlaError::InvalidTransition { from: self.phase.name(), event });
        }
        match self.phase.since() {
            Some(last) if at < last => Err(SlaError::OutOfOrder { last, at }),
            _ => Ok(()),
        }
    }

    fn run_from(&mut self, cal: &BusinessCalendar, at: i64) {
        self.phase = Phase::Running(at);
        let left = self.target - self.used;
        // Out of time already: the due time stays where it was passed.
        if left > 0 || self.due.is_none() {
            self.due = cal.add_working(at, left);
        }
    }

    /// Closes the running segment at `at`, recording a breach if it ran past due.
    fn close_segment(&mut self, cal: &BusinessCalendar, at: i64) {
        if let Phase::Running(since) = self.phase {
            self.used += cal.working_between(since, at);
            if let Some(due) = self.due.filter(|&due| at > due) {
                self.breached_at.get_or_insert(due);
            }
        }
    }

    /// Starts the clock (a contact was registered).
    pub fn start(&mut self, cal: &BusinessCalendar, at: i64) -> Result<(), SlaError> {
        self.check(at, "start", self.phase == Phase::NotStarted)?;
        self.run_from(cal, at);
        Ok(())
    }

    /// Stops the clock for a while (waiting on the customer).
    pub fn pause(&mut self, cal: &BusinessCalendar, at: i64) -> Result<(), SlaError> {
        self.check(at, "pause", self.is_running())?;
        self.close_segment(cal, at);
        self.phase = Phase::Paused(at);
        Ok(())
    }

    /// Restarts a paused clock; the due time moves by the paused working time.
    pub fn resume(&mut self, cal: &BusinessCalendar, at: i64) -> Result<(), SlaError> {
        self.check(at, "resume", self.is_paused())?;
        self.run_from(cal, at);
        Ok(())
    }

    /// Stops the clock for good (the response was sent, the contact resolved);
    /// the final state is met or breached.
    pub fn stop(&mut self, cal: &BusinessCalendar, at: i64) -> Result<(), SlaError> {
        self.check(at, "stop", self.is_running() || self.is_paused())?;
        self.close_segment(cal, at);
        self.phase = Phase::Stopped(at);
        Ok(())
    }

    /// Runs a stopped clock again (the contact was reopened), keeping the
    /// working time already used and any breach.
    pub fn reopen(&mut self, cal: &BusinessCalendar, at: i64) -> Result<(), SlaError> {
        self.check(at, "reopen", self.is_stopped())?;
        self.run_from(cal, at);
        Ok(())
    }

    /// Working time used up to `now`.
    pub fn used(&self, cal: &BusinessCalendar, now: i64) -> i64 {
        match self.phase {
            Phase::Running(since) => self.used + cal.working_between(since, now),
            _ => self.used,
        }
    }

    /// Working time left at `now`; negative when overdue (by that much working
    /// time). `None` before the start.
    pub fn remaining(&self, cal: &BusinessCalendar, now: i64) -> Option<i64> {
        self.is_started().then(|| self.target - self.used(cal, now))
    }

    /// The due instant (see the type's description). `None` before the start
    /// or when the calendar never provides enough working time.
    pub fn due(&self, cal: &BusinessCalendar, now: i64) -> Option<i64> {
        match self.phase {
            Phase::NotStarted => None,
            Phase::Paused(since) if self.breached_at.is_none() => {
                cal.add_working(now.max(since), self.target - self.used)
            }
            _ => self.due,
        }
    }

    /// When the clock passed its due time, if it has by `now`.
    pub fn breached_at(&self, now: i64) -> Option<i64> {
        match (self.breached_at, self.phase, self.due) {
            (Some(at), _, _) => Some(at),
            (None, Phase::Running(_), Some(due)) if now > due => Some(due),
            _ => None,
        }
    }

    pub fn state(&self, cal: &BusinessCalendar, now: i64) -> SlaState {
        if self.breached_at(now).is_some() {
            return SlaState::Breached;
        }
        match self.phase {
            Phase::NotStarted => SlaState::Pending,
            Phase::Paused(_) => SlaState::Paused,
            Phase::Stopped(_) => SlaState::Met,
            Phase::Running(_) => {
                let left = self.target - self.used(cal, now);
                // left / target < percent / 100, in integers.
                if (left as i128) * 100 < (self.target as i128) * self.at_risk_percent as i128 {
                    SlaState::AtRisk
                } else {
                    SlaState::Running
                }
            }
        }
    }
}

/// Contact events that drive the SLA clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaEvent {
    /// The contact was registered: first-response and resolution clocks start.
    Opened,
    /// An operator replied: the first-response and next-response clocks stop.
    ResponseSent,
    /// The contact waits on the customer: every running clock pauses.
    WaitingOnCustomer,
    /// The customer answered: paused clocks resume, and once the first response
    /// has been given a new next-response clock starts.
    CustomerReplied,
    /// The contact was resolved: every clock stops.
    Resolved,
    /// The contact was reopened: the resolution clock runs again.
    Reopened,
}

/// The clocks of one contact under one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSla {
    pub first_response: Option<SlaClock>,
    pub next_response: Option<SlaClock>,
    pub resolution: Option<SlaClock>,
    next_response_target: Option<i64>,
    at_risk_percent: u8,
}

impl ContactSla {
    pub fn new(policy: &SlaPolicy) -> ContactSla {
        let clock = |t: Option<i64>| t.map(|t| SlaClock::new(t, policy.at_risk_percent));
        ContactSla {
            first_response: clock(policy.first_response),
            next_response: None,
            resolution: clock(policy.resolution),
            next_response_target: policy.next_response,
            at_risk_percent: policy.at_risk_percent,
        }
    }

    fn clocks_mut(&mut self) -> impl Iterator<Item = &mut SlaClock> {
        [&mut self.first_response, &mut self.next_response, &mut self.resolution].into_iter().flatten()
    }

    /// The clocks that exist, named `first_response`, `next_response`, `resolution`.
    pub fn clocks(&self) -> impl Iterator<Item = (&'static str, &SlaClock)> {
        [
            ("first_response", &self.first_response),
            ("next_response", &self.next_response),
            ("resolution", &self.resolution),
        ]
        .into_iter()
        .filter_map(|(name, c)| c.as_ref().map(|c| (name, c)))
    }

    /// Applies a contact event. Clocks for which the event does not apply in
    /// their current phase are left as they are, so a replayed log is harmless;
    /// an event earlier than a clock's last event is an error.
    pub fn apply(&mut self, cal: &BusinessCalendar, event: SlaEvent, at: i64) -> Result<(), SlaError> {
        fn when(ok: bool, f: impl FnOnce() -> Result<(), SlaError>) -> Result<(), SlaError> {
            if ok {
                f()
            } else {
                Ok(())
            }
        }
        match event {
            SlaEvent::Opened => {
                for c in [&mut self.first_response, &mut self.resolution].into_iter().flatten() {
                    when(!c.is_started(), || c.start(cal, at))?;
                }
            }
            SlaEvent::ResponseSent => {
                for c in [&mut self.first_response, &mut self.next_response].into_iter().flatten() {
                    when(c.is_running() || c.is_paused(), || c.stop(cal, at))?;
                }
            }
            SlaEvent::WaitingOnCustomer => {
                for c in self.clocks_mut() {
                    when(c.is_running(), || c.pause(cal, at))?;
                }
            }
            SlaEvent::CustomerReplied => {
                for c in self.clocks_mut() {
                    when(c.is_paused(), || c.resume(cal, at))?;
                }
                let responded = !matches!(&self.first_response, Some(c) if !c.is_stopped());
                let next_idle = !matches!(&self.next_response, Some(c) if c.is_running());
                if let (true, true, Some(target)) = (responded, next_idle, self.next_response_target) {
                    let mut clock = SlaClock::new(target, self.at_risk_percent);
                    clock.start(cal, at)?;
                    self.next_response = Some(clock);
                }
            }
            SlaEvent::Resolved => {
                for c in self.clocks_mut() {
                    when(c.is_running() || c.is_paused(), || c.stop(cal, at))?;
                }
            }
            SlaEvent::Reopened => {
                if let Some(c) = &mut self.resolution {
                    when(c.is_stopped(), || c.reopen(cal, at))?;
                }
            }
        }
        Ok(())
    }

    /// The most urgent state among the clocks (`Pending` when there are none).
    pub fn worst_state(&self, cal: &BusinessCalendar, now: i64) -> SlaState {
        self.clocks().map(|(_, c)| c.state(cal, now)).max_by_key(|s| s.urgency()).unwrap_or(SlaState::Pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{HolidaySet, TimeRange};
    use crate::time::{Date, UtcOffset, MS_PER_HOUR, MS_PER_MINUTE};

    const H: i64 = MS_PER_HOUR;

    fn moscow() -> BusinessCalendar {
        let ranges = [TimeRange::parse("09:00-13:00").unwrap(), TimeRange::parse("14:00-18:00").unwrap()];
        let mut cal = BusinessCalendar::five_day_week("Moscow", UtcOffset::MOSCOW, &ranges).unwrap();
        cal.apply_holidays(&HolidaySet::ru());
        cal
    }

    fn msk(date: &str, h: u32, m: u32) -> i64 {
        UtcOffset::MOSCOW.at(Date::parse(date).unwrap(), h, m)
    }

    #[test]
    fn policies_pick_the_most_specific_match() {
        let mut table = SlaPolicies::new();
        let mut any = SlaPolicy::new(ANY, ANY, "main");
        any.resolution = Some(40 * H);
        let mut complaint = SlaPolicy::new("complaint", ANY, "main");
        complaint.resolution = Some(16 * H);
        let mut high = SlaPolicy::new(ANY, "high", "main");
        high.resolution = Some(8 * H);
        let mut complaint_high = SlaPolicy::new("complaint", "high", "main");
        complaint_high.resolution = Some(4 * H);
        for p in [any, complaint, high, complaint_high.clone()] {
            table.upsert(p);
        }
        assert_eq!(table.find("complaint", "high").unwrap().resolution, Some(4 * H));
        assert_eq!(table.find("complaint", "low").unwrap().resolution, Some(16 * H));
        assert_eq!(table.find("sale", "high").unwrap().resolution, Some(8 * H));
        assert_eq!(table.find("sale", "low").unwrap().resolution, Some(40 * H));
        complaint_high.resolution = Some(2 * H);
        table.upsert(complaint_high);
        assert_eq!(table.all().len(), 4);
        assert_eq!(table.find("complaint", "high").unwrap().resolution, Some(2 * H));
        table.remove(ANY, ANY).unwrap();
        assert!(table.find("sale", "low").is_none());
    }

    #[test]
    fn running_clock_goes_at_risk_then_breached() {
        let cal = moscow();
        let mut c = SlaClock::new(10 * H, DEFAULT_AT_RISK_PERCENT);
        assert_eq!(c.state(&cal, 0), SlaState::Pending);
        assert_eq!(c.remaining(&cal, 0), None);
        let start = msk("2026-02-02", 9, 0);
        c.start(&cal, start).unwrap();
        // 10 working hours from Monday 09:00: Tuesday 11:00.
        let due = msk("2026-02-03", 11, 0);
        assert_eq!(c.due(&cal, start), Some(due));
        assert_eq!(c.state(&cal, msk("2026-02-02", 17, 0)), SlaState::Running);
        // Exactly 20% (2h) left at Tuesday 09:00 is not yet "less than 20%".
        assert_eq!(c.remaining(&cal, msk("2026-02-03", 9, 0)), Some(2 * H));
        assert_eq!(c.state(&cal, msk("2026-02-03", 9, 0)), SlaState::Running);
        assert_eq!(c.state(&cal, msk("2026-02-03", 9, 1)), SlaState::AtRisk);
        assert_eq!(c.state(&cal, due), SlaState::AtRisk);
        assert_eq!(c.state(&cal, due + 1), SlaState::Breached);
        assert_eq!(c.breached_at(due + 1), Some(due));
        assert_eq!(c.remaining(&cal, msk("2026-02-03", 12, 30)), Some(-90 * MS_PER_MINUTE));
        // Answering late keeps it breached.
        c.stop(&cal, msk("2026-02-03", 12, 30)).unwrap();
        assert_eq!(c.state(&cal, msk("2026-03-01", 0, 0)), SlaState::Breached);
    }

    #[test]
    fn at_risk_threshold_is_configurable() {
        let cal = moscow();
        let mut c = SlaClock::new(10 * H, 50);
        c.start(&cal, msk("2026-02-02", 9, 0)).unwrap();
        assert_eq!(c.state(&cal, msk("2026-02-02", 13, 0)), SlaState::Running);
        // 15:00: 5h used, exactly 50% left; 15:01 is below it.
        assert_eq!(c.state(&cal, msk("2026-02-02", 15, 0)), SlaState::Running);
        assert_eq!(c.state(&cal, msk("2026-02-02", 15, 1)), SlaState::AtRisk);
    }

    #[test]
    fn answering_at_the_due_time_is_met() {
        let cal = moscow();
        let mut c = SlaClock::new(H, DEFAULT_AT_RISK_PERCENT);
        c.start(&cal, msk("2026-02-02", 12, 30)).unwrap();
        let due = msk("2026-02-02", 14, 30);
        assert_eq!(c.due(&cal, due), Some(due));
        c.stop(&cal, due).unwrap();
        assert_eq!(c.state(&cal, due + 10 * H), SlaState::Met);
        assert_eq!(c.remaining(&cal, due + 10 * H), Some(0));
    }

    #[test]
    fn pausing_stops_the_clock_and_moves_the_due_time() {
        let cal = moscow();
        let mut c = SlaClock::new(8 * H, DEFAULT_AT_RISK_PERCENT);
        c.start(&cal, msk("2026-02-02", 9, 0)).unwrap();
        assert_eq!(c.due(&cal, 0), Some(msk("2026-02-02", 18, 0)));
        c.pause(&cal, msk("2026-02-02", 11, 0)).unwrap();
        // While paused nothing is used, whatever the time.
        assert_eq!(c.remaining(&cal, msk("2026-02-04", 17, 0)), Some(6 * H));
        assert_eq!(c.state(&cal, msk("2026-02-04", 17, 0)), SlaState::Paused);
        // The projected due time moves with the pause.
        assert_eq!(c.due(&cal, msk("2026-02-03", 9, 0)), Some(msk("2026-02-03", 16, 0)));
        c.resume(&cal, msk("2026-02-03", 9, 0)).unwrap();
        // 8 working hours of pause (all of Monday after 11:00, then overnight): due moved by 8h.
        assert_eq!(c.due(&cal, 0), Some(msk("2026-02-03", 16, 0)));
        assert_eq!(c.state(&cal, msk("2026-02-03", 15, 0)), SlaState::AtRisk);
        c.stop(&cal, msk("2026-02-03", 15, 0)).unwrap();
        assert_eq!(c.state(&cal, msk("2026-02-03", 17, 0)), SlaState::Met);
        assert_eq!(c.used(&cal, msk("2026-02-03", 17, 0)), 7 * H);
    }

    #[test]
    fn a_breach_before_the_pause_stays_a_breach() {
        let cal = moscow();
        let mut c = SlaClock::new(H, DEFAULT_AT_RISK_PERCENT);
        c.start(&cal, msk("2026-02-02", 9, 0)).unwrap();
        c.pause(&cal, msk("2026-02-02", 11, 0)).unwrap();
        assert_eq!(c.state(&cal, msk("2026-02-02", 12, 0)), SlaState::Breached);
        assert_eq!(c.due(&cal, msk("2026-02-05", 12, 0)), Some(msk("2026-02-02", 10, 0)));
        c.resume(&cal, msk("2026-02-03", 9, 0)).unwrap();
        c.stop(&cal, msk("2026-02-03", 9, 5)).unwrap();
        assert_eq!(c.state(&cal, msk("2026-02-03", 10, 0)), SlaState::Breached);
        assert_eq!(c.breached_at(0), Some(msk("2026-02-02", 10, 0)));
    }

    #[test]
    fn invalid_or_out_of_order_events_are_refused() {
        let cal = moscow();
        let mut c = SlaClock::new(H, DEFAULT_AT_RISK_PERCENT);
        assert_eq!(c.pause(&cal, 0), Err(SlaError::InvalidTransition { from: "not started", event: "pause" }));
        c.start(&cal, 1_000).unwrap();
        assert!(matches!(c.start(&cal, 2_000), Err(SlaError::InvalidTransition { .. })));
        assert!(matches!(c.resume(&cal, 2_000), Err(SlaError::InvalidTransition { .. })));
        assert_eq!(c.pause(&cal, 500), Err(SlaError::OutOfOrder { last: 1_000, at: 500 }));
        c.stop(&cal, 2_000).unwrap();
        assert!(matches!(c.stop(&cal, 3_000), Err(SlaError::InvalidTransition { .. })));
    }

    #[test]
    fn contact_events_drive_first_next_and_resolution_clocks() {
        let cal = moscow();
        let mut policy = SlaPolicy::new("technical", "normal", "Moscow");
        policy.first_response = Some(H);
        policy.next_response = Some(2 * H);
        policy.resolution = Some(16 * H);
        let mut sla = ContactSla::new(&policy);
        assert!(sla.next_response.is_none());
        sla.apply(&cal, SlaEvent::Opened, msk("2026-02-02", 9, 0)).unwrap();
        assert_eq!(sla.worst_state(&cal, msk("2026-02-02", 9, 30)), SlaState::Running);
        assert_eq!(sla.worst_state(&cal, msk("2026-02-02", 9, 50)), SlaState::AtRisk);
        sla.apply(&cal, SlaEvent::ResponseSent, msk("2026-02-02", 9, 40)).unwrap();
        assert_eq!(sla.first_response.as_ref().unwrap().state(&cal, msk("2026-02-02", 12, 0)), SlaState::Met);
        sla.apply(&cal, SlaEvent::WaitingOnCustomer, msk("2026-02-02", 9, 40)).unwrap();
        assert!(sla.resolution.as_ref().unwrap().is_paused());
        sla.apply(&cal, SlaEvent::CustomerReplied, msk("2026-02-03", 10, 0)).unwrap();
        let next = sla.next_response.as_ref().unwrap();
        assert_eq!(next.due(&cal, 0), Some(msk("2026-02-03", 12, 0)));
        // Replaying the reply does not restart the running next-response clock.
        sla.apply(&cal, SlaEvent::CustomerReplied, msk("2026-02-03", 11, 0)).unwrap();
        assert_eq!(sla.next_response.as_ref().unwrap().due(&cal, 0), Some(msk("2026-02-03", 12, 0)));
        // Nobody answers: the next response breaches at 12:00.
        assert_eq!(sla.worst_state(&cal, msk("2026-02-03", 12, 1)), SlaState::Breached);
        sla.apply(&cal, SlaEvent::ResponseSent, msk("2026-02-03", 14, 30)).unwrap();
        sla.apply(&cal, SlaEvent::Resolved, msk("2026-02-03", 15, 0)).unwrap();
        let resolution = sla.resolution.as_ref().unwrap();
        // Used: 40 min on Monday, then Tuesday 10:00–13:00 and 14:00–15:00.
        assert_eq!(resolution.used(&cal, msk("2026-02-04", 0, 0)), 4 * H + 40 * MS_PER_MINUTE);
        assert_eq!(resolution.state(&cal, msk("2026-02-04", 0, 0)), SlaState::Met);
        assert_eq!(sla.worst_state(&cal, msk("2026-02-04", 0, 0)), SlaState::Breached);
        sla.apply(&cal, SlaEvent::Reopened, msk("2026-02-04", 9, 0)).unwrap();
        assert!(sla.resolution.as_ref().unwrap().is_running());
        assert_eq!(
            sla.resolution.as_ref().unwrap().due(&cal, 0),
            Some(cal.add_working(msk("2026-02-04", 9, 0), 16 * H - (4 * H + 40 * MS_PER_MINUTE)).unwrap())
        );
        assert_eq!(sla.clocks().map(|(n, _)| n).collect::<Vec<_>>(), ["first_response", "next_response", "resolution"]);
    }
}
