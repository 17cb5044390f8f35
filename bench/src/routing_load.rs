//! A busy centre for the routing engine: `agents` operators all at work and
//! `waiting` contacts queued. Each [`Load::step`] is one routing decision in
//! steady state: an operator finishes a contact, the engine offers them the
//! best waiting one, they accept, and a new contact arrives.

use std::collections::VecDeque;

use routing::{
    AgentConfig, AgentState, Capacity, Channel, ContactId, Engine, Input, Mode, NewContact, Offer, QueueConfig,
};

pub struct Load {
    pub engine: Engine,
    assigned: VecDeque<ContactId>,
    next_contact: ContactId,
    now: i64,
    out: Vec<Offer>,
    /// Offers made so far by [`Load::step`].
    pub decisions: u64,
}

const QUEUES: [u32; 3] = [1, 2, 3];

impl Load {
    pub fn new(agents: u64, waiting: u64) -> Load {
        let mut engine = Engine::new();
        let mut out = Vec::new();
        for (i, id) in QUEUES.into_iter().enumerate() {
            let cfg = QueueConfig {
                id,
                priority: i as i32,
                mode: Mode::LongestIdle,
                aging_ms_per_level: Some(30_000),
                overflow: None,
                aht_ms: 240_000,
            };
            engine.apply(Input::AddQueue(cfg), &mut out).expect("queue");
        }
        for id in 1..=agents {
            let cfg = AgentConfig {
                id,
                skills: vec![(1, (id % 5 + 1) as u8), (2, (id % 3 + 1) as u8)],
                queues: vec![QUEUES[(id % 3) as usize], QUEUES[((id + 1) % 3) as usize]],
                capacity: Capacity([1, 3, 8, 8, 3, 1]),
            };
            engine.apply(Input::AddAgent(cfg), &mut out).expect("agent");
            engine.apply(Input::SetAgentState { agent: id, state: AgentState::Ready, at: 0 }, &mut out).expect("ready");
        }
        let mut load =
            Load { engine, assigned: VecDeque::new(), next_contact: 1, now: 1_000, out: Vec::new(), decisions: 0 };
        for _ in 0..agents + waiting {
            load.arrive();
        }
        load.accept_offers();
        load
    }

    fn arrive(&mut self) {
        let id = self.next_contact;
        self.next_contact += 1;
        self.now += 7;
        // One contact in four needs a skill level; priorities 0–2.
        let required = if id.is_multiple_of(4) { vec![(1, (id % 5 + 1) as u8)] } else { Vec::new() };
        let c = NewContact {
            id,
            queue: QUEUES[(id % 3) as usize],
            channel: Channel::Voice,
            priority: (id % 3) as i32,
            required,
            preferred: Vec::new(),
            preferred_for_ms: 0,
            at: self.now,
        };
        let _ = self.engine.apply(Input::ContactArrived(c), &mut self.out);
    }

    fn accept_offers(&mut self) {
        for o in std::mem::take(&mut self.out) {
            self.decisions += 1;
            let _ = self.engine.apply(Input::OfferAccepted { contact: o.contact, at: self.now }, &mut self.out);
            self.assigned.push_back(o.contact);
        }
    }

    /// One routing decision: finish → offer → accept, then one arrival.
    pub fn step(&mut self) {
        if let Some(done) = self.assigned.pop_front() {
            self.now += 3;
            let _ = self.engine.apply(Input::ContactFinished { contact: done, at: self.now }, &mut self.out);
        }
        self.accept_offers();
        self.arrive();
        self.accept_offers();
    }

    pub fn waiting(&self) -> usize {
        QUEUES.iter().map(|q| self.engine.waiting(*q)).sum()
    }
}
