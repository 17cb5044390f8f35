//! Queue rules over time: overflow to the backup queue and the key-client
//! window, driven by ticks.

use routing::{
    AgentConfig, AgentState, Capacity, Channel, ContactStatus, Engine, Input, Mode, NewContact, Overflow, Overflowed,
    QueueConfig,
};

fn queue(id: u32, overflow: Option<Overflow>) -> QueueConfig {
    QueueConfig { id, priority: 0, mode: Mode::LongestIdle, aging_ms_per_level: None, overflow, aht_ms: 60_000 }
}

fn agent(id: u64, queues: Vec<u32>) -> AgentConfig {
    AgentConfig { id, skills: Vec::new(), queues, capacity: Capacity::default() }
}

fn call(id: u64, queue: u32, at: i64, preferred: Vec<u64>, preferred_for_ms: i64) -> NewContact {
    NewContact {
        id,
        queue,
        channel: Channel::Voice,
        priority: 0,
        required: Vec::new(),
        preferred,
        preferred_for_ms,
        at,
    }
}

#[test]
fn a_contact_overflows_once_to_the_backup_queue_and_is_reported() {
    let mut e = Engine::new();
    let mut out = Vec::new();
    e.apply(Input::AddQueue(queue(2, None)), &mut out).expect("backup");
    e.apply(Input::AddQueue(queue(1, Some(Overflow { to: 2, after_ms: 30_000 }))), &mut out).expect("queue");
    e.apply(Input::AddAgent(agent(7, vec![2])), &mut out).expect("agent");
    e.apply(Input::SetAgentState { agent: 7, state: AgentState::Ready, at: 0 }, &mut out).expect("ready");
    e.apply(Input::ContactArrived(call(1, 1, 1_000, Vec::new(), 0)), &mut out).expect("arrive");
    assert!(out.is_empty(), "nobody serves queue 1");

    e.apply(Input::Tick { at: 30_999 }, &mut out).expect("tick");
    assert!(e.take_overflowed().is_empty(), "not yet due");
    e.apply(Input::Tick { at: 31_000 }, &mut out).expect("tick");
    assert_eq!(e.take_overflowed(), vec![Overflowed { contact: 1, from: 1, to: 2, at: 31_000 }]);
    assert_eq!(out.len(), 1, "offered in the backup queue");
    assert_eq!((out[0].contact, out[0].agent, out[0].queue), (1, 7, 2));
    e.apply(Input::Tick { at: 90_000 }, &mut out).expect("tick");
    assert!(e.take_overflowed().is_empty(), "reported once");
}

#[test]
fn a_key_client_waits_for_their_manager_then_anyone_may_take_it() {
    let mut e = Engine::new();
    let mut out = Vec::new();
    e.apply(Input::AddQueue(queue(1, None)), &mut out).expect("queue");
    for id in [5, 6] {
        e.apply(Input::AddAgent(agent(id, vec![1])), &mut out).expect("agent");
    }
    e.apply(Input::SetAgentState { agent: 6, state: AgentState::Ready, at: 0 }, &mut out).expect("ready");
    // Manager 5 is busy elsewhere (not ready): operator 6 must not get it yet.
    e.apply(Input::ContactArrived(call(1, 1, 1_000, vec![5], 60_000)), &mut out).expect("arrive");
    assert!(out.is_empty());
    assert!(matches!(e.contact_status(1), Some(ContactStatus::Waiting { .. })));
    // The manager comes back within the window and gets it.
    e.apply(Input::SetAgentState { agent: 5, state: AgentState::Ready, at: 20_000 }, &mut out).expect("ready");
    assert_eq!(out.iter().map(|o| (o.contact, o.agent)).collect::<Vec<_>>(), vec![(1, 5)]);

    // Another key client whose manager stays away goes to anyone after the window.
    out.clear();
    e.apply(Input::ContactArrived(call(2, 1, 30_000, vec![5], 60_000)), &mut out).expect("arrive");
    assert!(out.is_empty(), "manager busy with the first call, operator 6 must wait");
    e.apply(Input::Tick { at: 90_000 }, &mut out).expect("tick");
    assert_eq!(out.iter().map(|o| (o.contact, o.agent)).collect::<Vec<_>>(), vec![(2, 6)]);
}

#[test]
fn modes_are_named_as_in_queue_rules() {
    assert_eq!(Mode::from_name("longest_idle"), Some(Mode::LongestIdle));
    assert_eq!(Mode::from_name("least-occupied"), Some(Mode::LeastOccupied));
    assert_eq!(Mode::from_name(" round_robin "), Some(Mode::RoundRobin));
    assert_eq!(Mode::from_name("random"), None);
    assert_eq!(Mode::from_name(""), None);
}

#[test]
fn a_queue_can_take_a_chat_only_while_a_member_is_ready_with_chat_room() {
    let mut e = Engine::new();
    let mut out = Vec::new();
    e.apply(Input::AddQueue(queue(1, None)), &mut out).expect("queue");
    assert!(!e.can_take(1, Channel::Chat), "nobody serves it");
    let mut cap = Capacity::default();
    cap.0[Channel::Chat as usize] = 1;
    e.apply(Input::AddAgent(AgentConfig { id: 7, skills: Vec::new(), queues: vec![1], capacity: cap }), &mut out)
        .expect("agent");
    assert!(!e.can_take(1, Channel::Chat), "signed in but not ready");
    e.apply(Input::SetAgentState { agent: 7, state: AgentState::Ready, at: 0 }, &mut out).expect("ready");
    assert!(e.can_take(1, Channel::Chat));
    let chat = NewContact { channel: Channel::Chat, ..call(1, 1, 1_000, Vec::new(), 0) };
    e.apply(Input::ContactArrived(chat), &mut out).expect("arrive");
    assert_eq!(out.len(), 1, "offered");
    assert!(!e.can_take(1, Channel::Chat), "the one chat slot is taken");
    assert!(e.can_take(1, Channel::Voice), "voice has its own room");
    assert!(!e.can_take(9, Channel::Chat), "an unknown queue");
}
