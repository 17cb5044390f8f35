//! SLA and legal-deadline clocks of a contact, computed from its events on
//! the centre's business calendar (Almaty time, 09:00–18:00 Monday–Friday,
//! Kazakh public holidays), with the targets and legal presets of the
//! centre's [`ServiceLevels`] (edited by an administrator); every SLA target
//! is working time.

use domain::calendar::{BusinessCalendar, HolidaySet, TimeRange};
use domain::contact::ContactType;
use domain::legal::deadline;
use domain::service_levels::ServiceLevels;
use domain::sla::{ContactSla, SlaEvent, SlaPolicy, SlaState};
use domain::time::{UtcOffset, MS_PER_HOUR};
use store::{Contact, EventRecord};

/// The centre's calendar.
pub fn calendar() -> BusinessCalendar {
    let hours: Vec<TimeRange> = TimeRange::hm(9, 0, 18, 0).into_iter().collect();
    let mut cal = BusinessCalendar::five_day_week("centre", UtcOffset::ALMATY, &hours)
        .unwrap_or_else(|_| BusinessCalendar::always_open("centre", UtcOffset::ALMATY));
    cal.apply_holidays(&HolidaySet::kz());
    cal
}

/// One clock as the contact window shows it.
pub struct ClockView {
    /// first_response, next_response, resolution, legal
    pub name: &'static str,
    /// running, at_risk, paused, breached, met, …
    pub state: &'static str,
    /// Due time, `YYYY-MM-DD HH:MM:SS` UTC, when known.
    pub due: Option<String>,
    /// The same, ms since the epoch.
    pub due_at: Option<i64>,
}

/// The legal clock is at risk in its last calendar day.
pub const LEGAL_AT_RISK_MS: i64 = 24 * MS_PER_HOUR;

fn state_name(s: SlaState) -> &'static str {
    match s {
        SlaState::Pending => "pending",
        SlaState::Running => "running",
        SlaState::AtRisk => "at_risk",
        SlaState::Paused => "paused",
        SlaState::Breached => "breached",
        SlaState::Met => "met",
    }
}

/// The SLA clocks (and, for complaints, the legal deadline) of a contact at `now`.
pub fn contact_clocks(levels: &ServiceLevels, c: &Contact, events: &[EventRecord], now: i64) -> Vec<ClockView> {
    let cal = calendar();
    let none = SlaPolicy::new(c.contact_type.as_str(), "*", "centre");
    let mut sla = ContactSla::new(levels.policy(c.contact_type, c.priority).unwrap_or(&none));
    let mut waiting = false;
    for e in events {
        let ev = match e.kind.as_str() {
            "contact.created" => Some(SlaEvent::Opened),
            "contact.answered" => Some(SlaEvent::ResponseSent),
            "contact.status_changed" => match e.payload["status"].as_str() {
                Some("waiting_customer") => {
                    waiting = true;
                    Some(SlaEvent::WaitingOnCustomer)
                }
                Some("in_work") if waiting => {
                    waiting = false;
                    Some(SlaEvent::CustomerReplied)
                }
                _ => None,
            },
            "contact.resolved" => Some(SlaEvent::Resolved),
            _ => None,
        };
        if let Some(ev) = ev {
            if let Err(err) = sla.apply(&cal, ev, e.at) {
                tracing::warn!("contact {}: SLA event {ev:?} out of order: {err:?}", c.id);
            }
        }
    }
    let mut out: Vec<ClockView> = sla
        .clocks()
        .map(|(name, clock)| {
            let due_at = clock.due(&cal, now);
            ClockView {
                name,
                state: state_name(clock.state(&cal, now)),
                due: due_at.map(crate::pages::format_utc),
                due_at,
            }
        })
        .collect();
    if c.contact_type == ContactType::Complaint {
        if let Some(preset) = levels.legal.get(&levels.complaint_preset) {
            let holidays = if preset.jurisdiction == "RU" { HolidaySet::ru() } else { HolidaySet::kz() };
            let d = deadline(preset, c.created_at, UtcOffset::ALMATY, &holidays);
            let state = if !c.status.is_open() {
                "met"
            } else if now >= d.due_at {
                "breached"
            } else if d.due_at - now <= LEGAL_AT_RISK_MS {
                "at_risk"
            } else {
                "running"
            };
            let due = Some(crate::pages::format_utc(d.due_at));
            out.push(ClockView { name: "legal", state, due, due_at: Some(d.due_at) });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::contact::{Channel, Direction, Status};
    use domain::time::MS_PER_MINUTE;
    use store::EventRefs;

    fn ev(kind: &str, at: i64, payload: serde_json::Value) -> EventRecord {
        EventRecord { id: 0, at, kind: kind.into(), refs: EventRefs::default(), payload }
    }

    fn complaint(created_at: i64, status: Status) -> Contact {
        Contact {
            id: 1,
            channel: Channel::Voice,
            direction: Direction::Inbound,
            contact_type: ContactType::Complaint,
            topic: String::new(),
            priority: 0,
            status,
            queue_id: Some(1),
            operator_id: None,
            customer_id: None,
            subject: "x".into(),
            wrapup: None,
            created_at,
            updated_at: created_at,
        }
    }

    #[test]
    fn waiting_on_the_customer_pauses_sla_but_not_the_legal_clock() {
        let levels = ServiceLevels::default();
        // Monday 2026-11-23 10:00 Almaty = 05:00 UTC.
        let opened = domain::time::days_from_civil(2026, 11, 23) * 86_400_000 + 5 * MS_PER_HOUR;
        let events = vec![
            ev("contact.created", opened, serde_json::json!({})),
            ev("contact.answered", opened + 10 * MS_PER_MINUTE, serde_json::json!({})),
            ev("contact.status_changed", opened + MS_PER_HOUR, serde_json::json!({"status": "waiting_customer"})),
        ];
        let c = complaint(opened, Status::WaitingCustomer);
        let later = opened + 3 * 24 * MS_PER_HOUR;
        let clocks = contact_clocks(&levels, &c, &events, later);
        let resolution = clocks.iter().find(|k| k.name == "resolution").expect("resolution clock");
        assert_eq!(resolution.state, "paused");
        let legal = clocks.iter().find(|k| k.name == "legal").expect("legal clock");
        assert_eq!(legal.state, "running");
        // Ten calendar days after Monday 23 Nov: Thursday 3 Dec, end of day Almaty.
        assert_eq!(legal.due.as_deref(), Some("2026-12-03 19:00:00"));
        let first = clocks.iter().find(|k| k.name == "first_response").expect("first response");
        assert_eq!(first.state, "met");
        // In its last calendar day the legal clock is at risk, then breached.
        let due_at = legal.due_at.expect("legal due");
        let state_at =
            |t: i64| contact_clocks(&levels, &c, &events, t).into_iter().find(|k| k.name == "legal").map(|k| k.state);
        assert_eq!(state_at(due_at - LEGAL_AT_RISK_MS - 1), Some("running"));
        assert_eq!(state_at(due_at - 1), Some("at_risk"));
        assert_eq!(state_at(due_at), Some("breached"));

        // Without the pause the 27 working hours would be spent by then.
        let running =
            contact_clocks(&levels, &complaint(opened, Status::InWork), &events[..2], later + 2 * 24 * MS_PER_HOUR);
        assert_eq!(running.iter().find(|k| k.name == "resolution").map(|k| k.state), Some("breached"));
    }
}
