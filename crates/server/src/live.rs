//! Live updates for open browsers: the dispatcher and the alert scanner
//! publish [`LiveEvent`]s on one broadcast channel, and each desk or alert
//! board holds a server-sent-events stream filtered to what its user may see.
//!
//! Events carry ids only, never customer data: a browser that hears of a
//! change fetches the page again, through the usual role check and audit.
//! A slow browser that falls behind gets `resync` and reloads what it shows.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use domain::Permission;
use futures_util::stream::{self, Stream};
use tokio::sync::{broadcast, watch};

use crate::auth::SignedInUser;
use crate::AppState;

/// Something a desk or an alert board may want to show at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// A contact was offered to an operator.
    Offered { contact: i64, operator: i64 },
    /// A contact changed hands or status; `operator` is who holds it now.
    ContactChanged { contact: i64, operator: Option<i64> },
    /// A call was answered: its contact (and customer card) pops up on the
    /// answering operator's desk.
    ScreenPop { contact: i64, operator: i64, customer: Option<i64> },
    /// The number of contacts waiting in a queue changed.
    QueueChanged { queue: i64 },
    /// An SLA or legal clock of a contact is at risk or breached: the
    /// supervisors are told (escalation).
    Alert { contact: i64, clock: &'static str, level: &'static str },
    /// A chat contact has a new message (`seq`): only its operator is told.
    ChatMessage { contact: i64, operator: i64, seq: i64 },
    /// The visitor of a chat contact started or stopped typing: only its operator is told.
    ChatTyping { contact: i64, operator: i64, on: bool },
}

/// Who is listening: decides which events reach a stream.
#[derive(Debug, Clone, Copy)]
pub struct Audience {
    pub user_id: i64,
    pub desk: bool,
    pub supervision: bool,
}

impl LiveEvent {
    /// The SSE event name and its JSON data, if `who` should hear it.
    pub fn for_audience(&self, who: Audience) -> Option<(&'static str, String)> {
        match *self {
            LiveEvent::Offered { contact, operator } if who.desk && operator == who.user_id => {
                Some(("offer", format!(r#"{{"contact":{contact}}}"#)))
            }
            LiveEvent::ContactChanged { contact, operator } if who.desk || who.supervision => {
                let mine = operator == Some(who.user_id);
                Some(("contact", format!(r#"{{"contact":{contact},"mine":{mine}}}"#)))
            }
            LiveEvent::ScreenPop { contact, operator, customer } if who.desk && operator == who.user_id => {
                let customer = customer.map_or("null".to_string(), |c| c.to_string());
                Some(("pop", format!(r#"{{"contact":{contact},"customer":{customer}}}"#)))
            }
            LiveEvent::QueueChanged { queue } if who.desk || who.supervision => {
                Some(("queue", format!(r#"{{"queue":{queue}}}"#)))
            }
            LiveEvent::Alert { contact, clock, level } if who.supervision => {
                Some(("alert", format!(r#"{{"contact":{contact},"clock":"{clock}","level":"{level}"}}"#)))
            }
            LiveEvent::ChatMessage { contact, operator, seq } if who.desk && operator == who.user_id => {
                Some(("chat", format!(r#"{{"contact":{contact},"seq":{seq}}}"#)))
            }
            LiveEvent::ChatTyping { contact, operator, on } if who.desk && operator == who.user_id => {
                Some(("chat-typing", format!(r#"{{"contact":{contact},"on":{on}}}"#)))
            }
            _ => None,
        }
    }
}

/// The broadcast hub, shared by the dispatcher, the scanner and the streams.
#[derive(Debug, Clone)]
pub struct LiveHub {
    events: broadcast::Sender<LiveEvent>,
    closing: watch::Sender<bool>,
}

impl Default for LiveHub {
    fn default() -> Self {
        LiveHub::new()
    }
}

impl LiveHub {
    pub fn new() -> LiveHub {
        let (events, _) = broadcast::channel(1024);
        let (closing, _) = watch::channel(false);
        LiveHub { events, closing }
    }

    /// Publishes an event; nobody listening is fine.
    pub fn publish(&self, event: LiveEvent) {
        let _ = self.events.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.events.subscribe()
    }

    /// Ends every open stream, so a graceful shutdown does not wait on
    /// browsers that would listen forever.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// The stream one browser reads.
    pub fn stream(&self, who: Audience) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
        let state = (self.events.subscribe(), self.closing.subscribe(), true);
        stream::unfold(state, move |(mut rx, mut closing, first)| async move {
            if first {
                // Tells the browser the stream is open (tests wait for it).
                return Some((Ok(Event::default().event("hello").data("{}")), (rx, closing, false)));
            }
            loop {
                if *closing.borrow() {
                    return None;
                }
                tokio::select! {
                    changed = closing.changed() => {
                        if changed.is_err() || *closing.borrow() {
                            return None;
                        }
                    }
                    got = rx.recv() => match got {
                        Ok(ev) => {
                            if let Some((name, data)) = ev.for_audience(who) {
                                return Some((Ok(Event::default().event(name).data(data)), (rx, closing, false)));
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            return Some((Ok(Event::default().event("resync").data("{}")), (rx, closing, false)));
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            }
        })
    }
}

/// `GET /desk/events` and `GET /alerts/events`: the caller's live stream.
pub async fn events(State(st): State<AppState>, SignedInUser(user, _): SignedInUser) -> Response {
    let who = Audience {
        user_id: user.id,
        desk: user.can(Permission::UseDesk),
        supervision: user.can(Permission::ViewWallboard),
    };
    Sse::new(st.live.stream(who)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPERATOR: Audience = Audience { user_id: 7, desk: true, supervision: false };
    const SUPERVISOR: Audience = Audience { user_id: 9, desk: true, supervision: true };

    #[test]
    fn offers_reach_only_their_operator() {
        let ev = LiveEvent::Offered { contact: 3, operator: 7 };
        assert_eq!(ev.for_audience(OPERATOR), Some(("offer", r#"{"contact":3}"#.to_string())));
        assert_eq!(ev.for_audience(SUPERVISOR), None);
    }

    #[test]
    fn screen_pops_reach_only_the_answering_operator() {
        let ev = LiveEvent::ScreenPop { contact: 4, operator: 7, customer: Some(11) };
        assert_eq!(ev.for_audience(OPERATOR), Some(("pop", r#"{"contact":4,"customer":11}"#.to_string())));
        assert_eq!(ev.for_audience(SUPERVISOR), None);
        let unknown = LiveEvent::ScreenPop { contact: 4, operator: 7, customer: None };
        assert_eq!(
            unknown.for_audience(OPERATOR).map(|(_, d)| d),
            Some(r#"{"contact":4,"customer":null}"#.to_string())
        );
    }

    #[test]
    fn alerts_reach_only_supervision() {
        let ev = LiveEvent::Alert { contact: 3, clock: "resolution", level: "breached" };
        assert_eq!(ev.for_audience(OPERATOR), None);
        let (name, data) = ev.for_audience(SUPERVISOR).expect("supervisor hears alerts");
        assert_eq!(name, "alert");
        assert_eq!(data, r#"{"contact":3,"clock":"resolution","level":"breached"}"#);
    }

    #[test]
    fn contact_changes_say_whose_it_is() {
        let ev = LiveEvent::ContactChanged { contact: 5, operator: Some(7) };
        assert_eq!(ev.for_audience(OPERATOR).map(|(_, d)| d), Some(r#"{"contact":5,"mine":true}"#.to_string()));
        assert_eq!(ev.for_audience(SUPERVISOR).map(|(_, d)| d), Some(r#"{"contact":5,"mine":false}"#.to_string()));
        let nobody = Audience { user_id: 1, desk: false, supervision: false };
        assert_eq!(ev.for_audience(nobody), None);
    }

    #[test]
    fn chat_activity_reaches_only_the_contacts_operator() {
        let ev = LiveEvent::ChatMessage { contact: 5, operator: 7, seq: 3 };
        assert_eq!(ev.for_audience(OPERATOR), Some(("chat", r#"{"contact":5,"seq":3}"#.to_string())));
        assert_eq!(ev.for_audience(SUPERVISOR), None);
        let ev = LiveEvent::ChatTyping { contact: 5, operator: 7, on: true };
        assert_eq!(ev.for_audience(OPERATOR), Some(("chat-typing", r#"{"contact":5,"on":true}"#.to_string())));
        assert_eq!(ev.for_audience(SUPERVISOR), None);
    }

    #[tokio::test]
    async fn closing_ends_the_streams() {
        use futures_util::StreamExt;
        let hub = LiveHub::new();
        let mut s = Box::pin(hub.stream(OPERATOR));
        assert!(s.next().await.is_some(), "hello first");
        hub.publish(LiveEvent::Offered { contact: 1, operator: 7 });
        assert!(s.next().await.is_some(), "the offer");
        hub.close();
        assert!(s.next().await.is_none(), "closed after shutdown");
    }
}
