//! Voice through CTI: the PBX switches audio and tells us what happens to a
//! call. The messages follow the generic CTI webhook used by Zammad
//! (`newCall`, `answer`, `hangup` with `from`, `to`, `direction`, `callId`,
//! `user`, `queue`, `cause`) plus the ACD events it lacks (`queued`,
//! `offered`, `abandoned`, `transferred`, `hold`, `unhold`, `recording`).
//!
//! Pure: parsing a message, the call's life (which event may follow which),
//! its timings (ring, queue wait, talk, hold, wrap-up) and the KPI inputs
//! they give (`shared/KPI.md`).

use serde::{Deserialize, Serialize};

use crate::contact::Direction;
use crate::validate::Invalid;

/// Answered within this many seconds counts for the service level (T).
pub const ANSWER_THRESHOLD_S: i64 = 20;
/// Abandoned within this many seconds is a short abandon (S), left out of
/// the service level and the abandonment rate.
pub const SHORT_ABANDON_S: i64 = 5;

/// What the PBX reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallEvent {
    NewCall,
    Queued,
    Offered,
    Answer,
    Hold,
    Unhold,
    Transferred,
    Hangup,
    Abandoned,
    Recording,
    /// The caller asked to be called back (a full queue, or at a chosen
    /// time: `due`): an outbound task, not a step of the call.
    Callback,
}

impl CallEvent {
    pub fn parse(s: &str) -> Option<CallEvent> {
        Some(match s {
            "newCall" => CallEvent::NewCall,
            "queued" => CallEvent::Queued,
            "offered" => CallEvent::Offered,
            "answer" => CallEvent::Answer,
            "hold" => CallEvent::Hold,
            "unhold" | "resume" => CallEvent::Unhold,
            "transferred" => CallEvent::Transferred,
            "hangup" => CallEvent::Hangup,
            "abandoned" => CallEvent::Abandoned,
            "recording" => CallEvent::Recording,
            "callback" => CallEvent::Callback,
            _ => return None,
        })
    }

    /// The wire name (`unhold` for both `unhold` and `resume`).
    pub fn as_str(self) -> &'static str {
        match self {
            CallEvent::NewCall => "newCall",
            CallEvent::Queued => "queued",
            CallEvent::Offered => "offered",
            CallEvent::Answer => "answer",
            CallEvent::Hold => "hold",
            CallEvent::Unhold => "unhold",
            CallEvent::Transferred => "transferred",
            CallEvent::Hangup => "hangup",
            CallEvent::Abandoned => "abandoned",
            CallEvent::Recording => "recording",
            CallEvent::Callback => "callback",
        }
    }
}

/// One message from the PBX, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallMessage {
    pub event: CallEvent,
    pub call_id: String,
    pub from: String,
    pub to: String,
    pub direction: Option<Direction>,
    /// The agent: a login or an extension (`user`, `user[]` or Zammad's `answeringNumber`).
    pub user: Option<String>,
    pub queue: Option<String>,
    pub cause: Option<String>,
    /// When it happened (ms since the epoch; our extension, `timestamp`):
    /// the time of receipt when absent.
    pub at: Option<i64>,
    /// A recording's address (`recording` events).
    pub url: Option<String>,
    /// When to call back (`callback` events; ms since the epoch): now when absent.
    pub due: Option<i64>,
}

const MAX_FIELD: usize = 250;

fn bad(field: &'static str, code: &'static str) -> Invalid {
    Invalid { field, code }
}

/// Reads a message from its fields (form-encoded or JSON, flattened to
/// pairs). Unknown fields are ignored, as PBXes send extra ones.
pub fn parse_message(fields: &[(String, String)]) -> Result<CallMessage, Invalid> {
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
    let text = |name: &'static str| -> Result<Option<String>, Invalid> {
        match get(name) {
            Some(v) if v.chars().count() > MAX_FIELD => Err(bad(name, "too-long")),
            Some(v) if v.is_empty() => Ok(None),
            other => Ok(other),
        }
    };
    let event = get("event").ok_or(bad("event", "required"))?;
    let event = CallEvent::parse(&event).ok_or(bad("event", "unknown-event"))?;
    let call_id = text("callId")?.ok_or(bad("callId", "required"))?;
    let direction = match text("direction")?.as_deref() {
        None => None,
        Some("in") => Some(Direction::Inbound),
        Some("out") => Some(Direction::Outbound),
        Some(_) => return Err(bad("direction", "invalid-direction")),
    };
    if event == CallEvent::NewCall && direction.is_none() {
        return Err(bad("direction", "required"));
    }
    let user = match text("user")? {
        Some(u) => Some(u),
        None => match text("user[]")? {
            Some(u) => Some(u),
            None => text("answeringNumber")?,
        },
    };
    let at = match text("timestamp")? {
        None => None,
        Some(v) => Some(v.parse::<i64>().ok().filter(|t| *t > 0).ok_or(bad("timestamp", "invalid-timestamp"))?),
    };
    let due = match text("due")? {
        None => None,
        Some(v) => Some(v.parse::<i64>().ok().filter(|t| *t > 0).ok_or(bad("due", "invalid-timestamp"))?),
    };
    let url = text("url")?;
    if let Some(u) = &url {
        if !(u.starts_with("http://") || u.starts_with("https://")) {
            return Err(bad("url", "invalid-url"));
        }
    }
    Ok(CallMessage {
        event,
        call_id,
        from: text("from")?.unwrap_or_default(),
        to: text("to")?.unwrap_or_default(),
        direction,
        user,
        queue: text("queue")?,
        cause: text("cause")?,
        at,
        url,
        due,
    })
}

/// Where a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Ringing,
    Queued,
    Offered,
    Talking,
    Held,
    Ended,
}

/// A call's life so far: what happened and when (ms since the epoch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallState {
    pub phase: Phase,
    pub inbound: bool,
    pub started: i64,
    pub queued: Option<i64>,
    pub offered: Option<i64>,
    pub answered: Option<i64>,
    pub hold_since: Option<i64>,
    pub hold_ms: i64,
    pub ended: Option<i64>,
    pub abandoned: bool,
    /// The latest event's time: events may not go back in time.
    pub last: i64,
}

const OUT_OF_ORDER: Invalid = Invalid { field: "event", code: "out-of-order" };

impl CallState {
    /// A new call (`newCall`).
    pub fn start(direction: Direction, at: i64) -> CallState {
        CallState {
            phase: Phase::Ringing,
            inbound: direction == Direction::Inbound,
            started: at,
            queued: None,
            offered: None,
            answered: None,
            hold_since: None,
            hold_ms: 0,
            ended: None,
            abandoned: false,
            last: at,
        }
    }

    /// The state after `event` at `at`, or `out-of-order` when the event
    /// cannot follow (answer before newCall is refused by the caller, which
    /// has no state; answer twice, hold while ringing, anything but a
    /// recording after the end, or an event earlier than the last one).
    pub fn next(&self, event: CallEvent, at: i64) -> Result<CallState, Invalid> {
        use Phase::*;
        if at < self.last {
            return Err(Invalid { field: "timestamp", code: "out-of-order" });
        }
        let mut s = self.clone();
        s.last = at;
        match (event, self.phase) {
            (CallEvent::NewCall, _) => return Err(Invalid { field: "callId", code: "duplicate-call" }),
            (CallEvent::Queued, Ringing | Offered) => {
                s.phase = Queued;
                s.queued.get_or_insert(at);
            }
            (CallEvent::Offered, Ringing | Queued) => {
                s.phase = Offered;
                s.offered = Some(at);
            }
            (CallEvent::Answer, Ringing | Queued | Offered) => {
                s.phase = Talking;
                s.answered = Some(at);
            }
            (CallEvent::Hold, Talking) => {
                s.phase = Held;
                s.hold_since = Some(at);
            }
            (CallEvent::Unhold, Held) => {
                s.phase = Talking;
                s.close_hold(at);
            }
            (CallEvent::Transferred, Queued | Offered | Talking | Held) => {}
            (CallEvent::Hangup | CallEvent::Abandoned, Ringing | Queued | Offered) => {
                s.phase = Ended;
                s.ended = Some(at);
                s.abandoned = true;
            }
            (CallEvent::Hangup, Talking | Held) => {
                s.close_hold(at);
                s.phase = Ended;
                s.ended = Some(at);
            }
            (CallEvent::Recording, _) => {}
            _ => return Err(OUT_OF_ORDER),
        }
        Ok(s)
    }

    fn close_hold(&mut self, at: i64) {
        if let Some(since) = self.hold_since.take() {
            self.hold_ms += at - since;
        }
    }

    /// The call's timings; `wrapped` is when the operator finished the
    /// after-call work (the contact's resolution), if yet.
    pub fn timings(&self, wrapped: Option<i64>) -> Timings {
        let entered = self.queued.unwrap_or(self.started);
        let wait_end = self.answered.or(if self.abandoned { self.ended } else { None });
        let ring_ms = match (self.offered, self.answered.or(self.ended)) {
            (Some(o), Some(e)) => (e - o).max(0),
            _ => 0,
        };
        let talk_ms = match (self.answered, self.ended) {
            (Some(a), Some(e)) => (e - a - self.hold_ms).max(0),
            _ => 0,
        };
        let wrap_ms = match (self.ended, wrapped, self.answered) {
            (Some(e), Some(w), Some(_)) => (w - e).max(0),
            _ => 0,
        };
        Timings {
            ring_ms,
            wait_ms: wait_end.map_or(0, |w| (w - entered).max(0)),
            talk_ms,
            hold_ms: self.hold_ms,
            wrap_ms,
        }
    }

    /// What the call gives the contact-centre KPIs (`shared/KPI.md`): a call
    /// is offered when inbound; answered within T counts for the service
    /// level; an abandon within S is short.
    pub fn kpi(&self, wrapped: Option<i64>) -> KpiInputs {
        let t = self.timings(wrapped);
        let answered = self.answered.is_some();
        let abandoned = self.abandoned;
        KpiInputs {
            offered: self.inbound,
            answered,
            answered_within_threshold: answered && t.wait_ms <= ANSWER_THRESHOLD_S * 1000,
            abandoned,
            short_abandon: abandoned && t.wait_ms <= SHORT_ABANDON_S * 1000,
            wait_ms: t.wait_ms,
            handle_ms: if answered { t.talk_ms + t.hold_ms + t.wrap_ms } else { 0 },
            timings: t,
        }
    }
}

/// Durations of one call, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Timings {
    /// The answering agent's phone rang: offered → answered (or the caller hung up).
    pub ring_ms: i64,
    /// The caller waited: entered the queue (or the call began) → answered or abandoned.
    pub wait_ms: i64,
    /// Talking, holds excluded: answered → hung up − hold.
    pub talk_ms: i64,
    pub hold_ms: i64,
    /// After-call work: hung up → the contact resolved.
    pub wrap_ms: i64,
}

/// One call's contribution to the KPIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiInputs {
    pub offered: bool,
    pub answered: bool,
    pub answered_within_threshold: bool,
    pub abandoned: bool,
    pub short_abandon: bool,
    /// Queue wait (ASA's numerator for answered calls).
    pub wait_ms: i64,
    /// AHT's numerator: talk + hold + after-call work.
    pub handle_ms: i64,
    pub timings: Timings,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_zammad_fields() {
        let m = parse_message(&pairs(&[
            ("event", "newCall"),
            ("from", "87011234567"),
            ("to", "7272000000"),
            ("direction", "in"),
            ("callId", "abc-1"),
            ("user[]", "Айгерим"),
            ("queue", "support"),
        ]))
        .expect("valid");
        assert_eq!(m.event, CallEvent::NewCall);
        assert_eq!(m.direction, Some(Direction::Inbound));
        assert_eq!(m.user.as_deref(), Some("Айгерим"));
        assert_eq!(m.queue.as_deref(), Some("support"));
        let e = |p: &[(&str, &str)]| parse_message(&pairs(p)).map(|_| ()).map_err(|e| (e.field, e.code));
        assert_eq!(e(&[("callId", "1")]), Err(("event", "required")));
        assert_eq!(e(&[("event", "ring"), ("callId", "1")]), Err(("event", "unknown-event")));
        assert_eq!(e(&[("event", "answer")]), Err(("callId", "required")));
        assert_eq!(e(&[("event", "newCall"), ("callId", "1")]), Err(("direction", "required")));
        assert_eq!(
            e(&[("event", "newCall"), ("callId", "1"), ("direction", "up")]),
            Err(("direction", "invalid-direction"))
        );
        assert_eq!(
            e(&[("event", "answer"), ("callId", "1"), ("timestamp", "soon")]),
            Err(("timestamp", "invalid-timestamp"))
        );
        assert_eq!(e(&[("event", "recording"), ("callId", "1"), ("url", "javascript:x")]), Err(("url", "invalid-url")));
        let long = "x".repeat(251);
        assert_eq!(e(&[("event", "answer"), ("callId", &long)]), Err(("callId", "too-long")));
        assert_eq!(e(&[("event", "resume"), ("callId", "1")]), Ok(()));
        assert_eq!(
            e(&[("event", "callback"), ("callId", "1"), ("due", "tomorrow")]),
            Err(("due", "invalid-timestamp"))
        );
        let cb = parse_message(&pairs(&[("event", "callback"), ("callId", "1"), ("due", "1800000000000")]));
        assert_eq!(cb.map(|m| (m.event, m.due)), Ok((CallEvent::Callback, Some(1_800_000_000_000))));
    }

    #[test]
    fn a_full_call_has_its_timings_and_kpis() {
        let s = CallState::start(Direction::Inbound, 0);
        let s = s.next(CallEvent::Queued, 2_000).expect("queued");
        let s = s.next(CallEvent::Offered, 14_000).expect("offered");
        let s = s.next(CallEvent::Answer, 17_000).expect("answer");
        let s = s.next(CallEvent::Hold, 60_000).expect("hold");
        let s = s.next(CallEvent::Unhold, 90_000).expect("unhold");
        let s = s.next(CallEvent::Hangup, 200_000).expect("hangup");
        let s = s.next(CallEvent::Recording, 201_000).expect("recording after the end");
        let t = s.timings(Some(230_000));
        assert_eq!(t, Timings { ring_ms: 3_000, wait_ms: 15_000, talk_ms: 153_000, hold_ms: 30_000, wrap_ms: 30_000 });
        let k = s.kpi(Some(230_000));
        assert!(k.offered && k.answered && k.answered_within_threshold && !k.abandoned);
        assert_eq!(k.handle_ms, 213_000);
        assert_eq!(s.kpi(None).handle_ms, 183_000, "no wrap-up yet");
    }

    #[test]
    fn out_of_order_events_are_refused() {
        let s = CallState::start(Direction::Inbound, 1_000);
        assert_eq!(s.next(CallEvent::Hold, 2_000), Err(OUT_OF_ORDER), "hold while ringing");
        assert_eq!(s.next(CallEvent::Unhold, 2_000), Err(OUT_OF_ORDER));
        assert_eq!(s.next(CallEvent::Answer, 500).map_err(|e| e.field), Err("timestamp"), "back in time");
        assert_eq!(s.next(CallEvent::NewCall, 2_000).map_err(|e| e.code), Err("duplicate-call"));
        assert_eq!(s.next(CallEvent::Callback, 2_000), Err(OUT_OF_ORDER), "a callback is no step of a call");
        let talking = s.next(CallEvent::Answer, 2_000).expect("answer");
        assert_eq!(talking.next(CallEvent::Answer, 3_000), Err(OUT_OF_ORDER), "answered twice");
        assert_eq!(talking.next(CallEvent::Abandoned, 3_000), Err(OUT_OF_ORDER), "abandoned after answer");
        let ended = talking.next(CallEvent::Hangup, 3_000).expect("hangup");
        assert_eq!(ended.next(CallEvent::Hangup, 4_000), Err(OUT_OF_ORDER));
        assert_eq!(ended.next(CallEvent::Hold, 4_000), Err(OUT_OF_ORDER));
    }

    #[test]
    fn abandons_count_their_wait_and_short_ones_are_marked() {
        let s = CallState::start(Direction::Inbound, 0).next(CallEvent::Queued, 1_000).expect("queued");
        let short = s.next(CallEvent::Abandoned, 4_000).expect("abandoned");
        let k = short.kpi(None);
        assert!(k.abandoned && k.short_abandon && !k.answered && k.offered);
        assert_eq!(k.wait_ms, 3_000);
        let long = s.next(CallEvent::Hangup, 61_000).expect("caller hung up in the queue");
        let k = long.kpi(None);
        assert!(k.abandoned && !k.short_abandon && k.handle_ms == 0);
        assert_eq!(k.wait_ms, 60_000);
        let out = CallState::start(Direction::Outbound, 0).next(CallEvent::Answer, 5_000).expect("answer");
        assert!(!out.kpi(None).offered, "outbound calls are not offered to the queue");
    }
}
