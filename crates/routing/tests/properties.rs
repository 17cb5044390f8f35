//! Property tests: random sequences of arrivals, state changes, accepts,
//! declines, finishes, abandons, transfers and ticks. After every input the
//! engine's invariants hold, and every offer respects skills and queue order.

use std::collections::HashMap;

use proptest::prelude::*;
use routing::*;

const QUEUES: [QueueId; 3] = [1, 2, 3];
const AGENTS: u64 = 6;

#[derive(Debug, Clone)]
enum Step {
    Arrive { queue: usize, channel: usize, priority: i32, skill: Option<(u32, u8)>, preferred: Option<u64> },
    State { agent: u64, ready: u8 },
    Accept { pick: usize },
    Decline { pick: usize },
    Finish { pick: usize },
    Abandon { pick: usize },
    Transfer { pick: usize, queue: usize, to_agent: Option<u64> },
    Wait { ms: i64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..3usize, 0..2usize, 0..3i32, proptest::option::of((1..3u32, 1..4u8)), proptest::option::weighted(0.2, 1..=AGENTS))
            .prop_map(|(queue, channel, priority, skill, preferred)| Step::Arrive { queue, channel, priority, skill, preferred }),
        3 => (1..=AGENTS, 0..4u8).prop_map(|(agent, ready)| Step::State { agent, ready }),
        3 => any::<usize>().prop_map(|pick| Step::Accept { pick }),
        1 => any::<usize>().prop_map(|pick| Step::Decline { pick }),
        3 => any::<usize>().prop_map(|pick| Step::Finish { pick }),
        1 => any::<usize>().prop_map(|pick| Step::Abandon { pick }),
        1 => (any::<usize>(), 0..3usize, proptest::option::weighted(0.3, 1..=AGENTS))
            .prop_map(|(pick, queue, to_agent)| Step::Transfer { pick, queue, to_agent }),
        2 => (1..20_000i64).prop_map(|ms| Step::Wait { ms }),
    ]
}

/// Priority, channel, arrival and required skills of a contact.
type Known = (i32, Channel, i64, Vec<(SkillId, u8)>);

fn setup(mode: Mode, aging: bool) -> (Engine, HashMap<AgentId, AgentConfig>) {
    let mut e = Engine::new();
    let mut out = Vec::new();
    // Queue 3 is the backup of queue 1.
    for (i, id) in [3, 1, 2].into_iter().enumerate() {
        let overflow = (id == 1).then_some(Overflow { to: 3, after_ms: 30_000 });
        let cfg = QueueConfig {
            id,
            priority: i as i32,
            mode,
            aging_ms_per_level: aging.then_some(10_000),
            overflow,
            aht_ms: 180_000,
        };
        e.apply(Input::AddQueue(cfg), &mut out).expect("queue");
    }
    let mut agents = HashMap::new();
    for id in 1..=AGENTS {
        let cfg = AgentConfig {
            id,
            skills: vec![(1, (id % 3 + 1) as u8), (2, (id % 2 + 2) as u8)],
            queues: QUEUES.iter().copied().filter(|q| (id + u64::from(*q)) % 3 != 0).collect(),
            capacity: Capacity([1, 2, 8, 8, 3, 1]),
        };
        e.apply(Input::AddAgent(cfg.clone()), &mut out).expect("agent");
        agents.insert(id, cfg);
    }
    (e, agents)
}

fn held(e: &Engine, status: fn(ContactStatus) -> bool, known: &[ContactId]) -> Vec<ContactId> {
    known.iter().copied().filter(|c| e.contact_status(*c).is_some_and(status)).collect()
}

fn run(mode: Mode, aging: bool, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let (mut e, agents) = setup(mode, aging);
    let mut now = 1_000_000i64;
    let mut next_id = 1u64;
    let mut log: Vec<String> = Vec::new();
    let mut known: Vec<ContactId> = Vec::new();
    // What the test knows of each contact: priority, channel, arrival, skills.
    let mut info: HashMap<ContactId, Known> = HashMap::new();
    for s in steps {
        now += 250;
        let input = match s {
            Step::Arrive { queue, channel, priority, skill, preferred } => {
                let id = next_id;
                next_id += 1;
                known.push(id);
                info.insert(id, (priority, Channel::ALL[channel], now, skill.into_iter().collect()));
                Input::ContactArrived(NewContact {
                    id,
                    queue: QUEUES[queue],
                    channel: Channel::ALL[channel],
                    priority,
                    required: skill.into_iter().collect(),
                    preferred: preferred.into_iter().collect(),
                    preferred_for_ms: 20_000,
                    at: now,
                })
            }
            Step::State { agent, ready } => {
                let state = match ready {
                    0 | 1 => AgentState::Ready,
                    2 => AgentState::NotReady(Reason::Break),
                    _ => AgentState::Offline,
                };
                Input::SetAgentState { agent, state, at: now }
            }
            Step::Accept { pick } | Step::Decline { pick } | Step::Finish { pick } => {
                let want_offered = !matches!(s, Step::Finish { .. });
                let pool = if want_offered {
                    held(&e, |st| matches!(st, ContactStatus::Offered { .. }), &known)
                } else {
                    held(&e, |st| matches!(st, ContactStatus::Assigned { .. }), &known)
                };
                let Some(&contact) = pool.get(pick % pool.len().max(1)) else { continue };
                match s {
                    Step::Accept { .. } => Input::OfferAccepted { contact, at: now },
                    Step::Decline { .. } => Input::OfferDeclined { contact, at: now },
                    _ => Input::ContactFinished { contact, at: now },
                }
            }
            Step::Abandon { pick } => {
                let pool = held(&e, |_| true, &known);
                let Some(&contact) = pool.get(pick % pool.len().max(1)) else { continue };
                Input::ContactAbandoned { contact, at: now }
            }
            Step::Transfer { pick, queue, to_agent } => {
                let pool = held(&e, |_| true, &known);
                let Some(&contact) = pool.get(pick % pool.len().max(1)) else { continue };
                match to_agent {
                    Some(agent) => Input::TransferToAgent { contact, agent, at: now },
                    None => Input::TransferToQueue { contact, queue: QUEUES[queue], at: now },
                }
            }
            Step::Wait { ms } => {
                now += ms;
                Input::Tick { at: now }
            }
        };
        let mut out = Vec::new();
        // Inputs that do not fit (e.g. transfer to an operator outside the
        // queue) are refused; refusal must leave the engine consistent too.
        let shown = format!("{input:?}");
        // A contact transferred by this step joins its new queue after the
        // timers of the step fired, so offers made by those timers precede it.
        let moved_in = match &input {
            Input::TransferToQueue { contact, .. } | Input::TransferToAgent { contact, .. } => Some(*contact),
            _ => None,
        };
        // The order check looks only at contacts that were waiting before the
        // step and still are after it; a contact released or moved by the step
        // may rejoin after the step's offers were made.
        let held_before: HashMap<ContactId, AgentId> = known
            .iter()
            .filter_map(|c| match e.contact_status(*c) {
                Some(ContactStatus::Offered { agent }) | Some(ContactStatus::Assigned { agent }) => Some((*c, agent)),
                _ => None,
            })
            .collect();
        let result = e.apply(input, &mut out);
        log.push(format!("{shown} -> {result:?} {out:?}"));
        if let Err(msg) = e.check_invariants() {
            return Err(TestCaseError::fail(msg));
        }
        for o in &out {
            // One operator at a time: the contact is now with this operator
            // (or, later in the same input, moved on from them).
            let st = e.contact_status(o.contact);
            let moved_on = out.iter().skip_while(|x| *x != o).skip(1).any(|x| x.contact == o.contact);
            prop_assert!(
                moved_on
                    || st.is_none()
                    || matches!(st, Some(ContactStatus::Offered { agent }) if agent == o.agent)
                    || matches!(st, Some(ContactStatus::Waiting { .. })),
                "offer {o:?} but status {st:?}"
            );
            let a = &agents[&o.agent];
            prop_assert!(a.queues.contains(&o.queue), "offer to an operator outside the queue");
            let (priority, channel, arrived, required) = &info[&o.contact];
            let skilled = |req: &[(u32, u8)]| {
                req.iter().all(|(s, min)| a.skills.iter().any(|(have, lvl)| have == s && lvl >= min))
            };
            prop_assert!(skilled(required), "offer {o:?} to an operator without the skills");
            // Oldest first: no older contact of the same queue, priority and
            // channel that this operator could have taken is left waiting.
            for w in e.waiting_contacts(o.queue, now) {
                let allowed = w.id != o.contact // revoked again later in the same step
                    && w.reserved_for.is_none_or(|r| r.contains(&o.agent))
                    && !held_before.contains_key(&w.id)
                    && moved_in != Some(w.id);
                if w.priority == *priority && w.channel == *channel && skilled(w.required) && allowed {
                    prop_assert!(
                        (w.arrived_at, w.id) > (*arrived, o.contact),
                        "older contact {} (at {}) left waiting while {} (at {}) was offered to {} ## {}",
                        w.id,
                        w.arrived_at,
                        o.contact,
                        arrived,
                        o.agent,
                        log.join(" ## ")
                    );
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn longest_idle(steps in proptest::collection::vec(step(), 1..150)) {
        run(Mode::LongestIdle, false, steps)?;
    }

    #[test]
    fn least_occupied_with_aging(steps in proptest::collection::vec(step(), 1..150)) {
        run(Mode::LeastOccupied, true, steps)?;
    }

    #[test]
    fn round_robin(steps in proptest::collection::vec(step(), 1..150)) {
        run(Mode::RoundRobin, false, steps)?;
    }
}

#[test]
fn restored_assignments_hold_capacity_and_refuse_overload() {
    let (mut e, _) = setup(Mode::LongestIdle, false);
    let mut out = Vec::new();
    let contact = |id| NewContact {
        id,
        queue: 1,
        channel: Channel::Voice,
        priority: 0,
        required: vec![],
        preferred: vec![],
        preferred_for_ms: 0,
        at: 5,
    };
    e.apply(Input::RestoreAssigned { contact: contact(1), agent: 1 }, &mut out).expect("restore");
    assert_eq!(e.contact_status(1), Some(ContactStatus::Assigned { agent: 1 }));
    assert_eq!(
        e.apply(Input::RestoreAssigned { contact: contact(2), agent: 1 }, &mut out),
        Err(RoutingError::WrongState(2)),
        "voice capacity is one"
    );
    e.apply(Input::SetAgentState { agent: 1, state: AgentState::Ready, at: 10 }, &mut out).expect("ready");
    e.apply(Input::ContactArrived(contact(3)), &mut out).expect("arrive");
    assert!(out.iter().all(|o| o.agent != 1), "a busy operator gets no second call: {out:?}");
    e.check_invariants().expect("invariants");
}
