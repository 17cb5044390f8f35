//! The ACD engine: decides which operator is offered which contact.
//!
//! Pure and deterministic: no I/O, no clock, no randomness. The caller feeds
//! [`Input`]s (from live requests, or replayed from the event log after a
//! restart) and receives [`Offer`]s. The same inputs always give the same
//! offers, so the engine's state can be rebuilt by replaying events.
//!
//! Invariants (checked by [`Engine::check_invariants`] and the property tests):
//! - a contact is waiting in exactly one queue, or offered/assigned to exactly
//!   one operator — never both, never two operators;
//! - an operator's load per channel never exceeds their capacity;
//! - every offer satisfies the contact's skill requirements;
//! - within a queue, among contacts of equal priority an operator can take,
//!   the one waiting longest is offered first.
//!
//! Ordering inside a queue uses a key that does not change with time, so a
//! queue is a `BTreeSet`: with priority aging a contact's key is its arrival
//! time minus `priority × aging step` (linear aging: a contact one level
//! lower overtakes after waiting one step longer); without aging, priority
//! comes first and arrival time second.

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub type ContactId = u64;
pub type AgentId = u64;
pub type QueueId = u32;
pub type SkillId = u32;

/// Channels with separate operator capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Voice,
    Chat,
    Email,
    WebForm,
    Messenger,
    WalkIn,
}

pub const CHANNELS: usize = 6;

impl Channel {
    pub const ALL: [Channel; CHANNELS] =
        [Channel::Voice, Channel::Chat, Channel::Email, Channel::WebForm, Channel::Messenger, Channel::WalkIn];

    fn index(self) -> usize {
        self as usize
    }
}

/// How many contacts of each channel an operator may hold at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity(pub [u8; CHANNELS]);

impl Default for Capacity {
    /// One call, three chats, eight letters, eight web forms, three messenger
    /// dialogues, one visitor.
    fn default() -> Self {
        Capacity([1, 3, 8, 8, 3, 1])
    }
}

/// Why an operator is not ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    Break,
    Lunch,
    Training,
    Meeting,
    AfterContactWork,
    /// Did not take an offered contact in time (set by the engine).
    MissedOffer,
    Other(u16),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgentState {
    Ready,
    NotReady(Reason),
    Offline,
}

/// How a queue chooses among operators who could take a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The operator idle longest (default).
    #[default]
    LongestIdle,
    /// The operator with the lowest load on the contact's channel.
    LeastOccupied,
    /// Operators in turn.
    RoundRobin,
}

impl Mode {
    /// The mode named `longest_idle`, `least_occupied` or `round_robin` (the
    /// names of a queue's rules; `-` may stand for `_`).
    pub fn from_name(name: &str) -> Option<Mode> {
        match name.trim().replace('-', "_").as_str() {
            "longest_idle" => Some(Mode::LongestIdle),
            "least_occupied" => Some(Mode::LeastOccupied),
            "round_robin" => Some(Mode::RoundRobin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueueConfig {
    pub id: QueueId,
    /// Higher is served first when an operator serves several queues.
    pub priority: i32,
    pub mode: Mode,
    /// Priority aging: one priority level is worth this much waiting time.
    /// `None` means strict priority.
    pub aging_ms_per_level: Option<i64>,
    /// Move contacts still waiting after `after_ms` to a backup queue.
    pub overflow: Option<Overflow>,
    /// Expected handling time, for estimated wait.
    pub aht_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow {
    pub to: QueueId,
    pub after_ms: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgentConfig {
    pub id: AgentId,
    /// (skill, level 1–10).
    pub skills: Vec<(SkillId, u8)>,
    pub queues: Vec<QueueId>,
    pub capacity: Capacity,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewContact {
    pub id: ContactId,
    pub queue: QueueId,
    pub channel: Channel,
    pub priority: i32,
    /// (skill, minimum level) the operator must have.
    pub required: Vec<(SkillId, u8)>,
    /// Operators to try first, in order (a key client's own manager, then
    /// other key-account managers, then the head of department).
    pub preferred: Vec<AgentId>,
    /// How long only the preferred operators may take it.
    pub preferred_for_ms: i64,
    pub at: i64,
}

/// Everything that changes the engine's state.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    AddQueue(QueueConfig),
    AddAgent(AgentConfig),
    SetAgentState {
        agent: AgentId,
        state: AgentState,
        at: i64,
    },
    ContactArrived(NewContact),
    OfferAccepted {
        contact: ContactId,
        at: i64,
    },
    /// Refused or timed out: the contact goes back to its place in the queue
    /// and the operator becomes not ready (missed offer).
    OfferDeclined {
        contact: ContactId,
        at: i64,
    },
    /// Handling (including wrap-up) ended: capacity is freed.
    ContactFinished {
        contact: ContactId,
        at: i64,
    },
    /// The customer left before being served.
    ContactAbandoned {
        contact: ContactId,
        at: i64,
    },
    /// Redirect to another queue; the contact keeps its arrival time.
    TransferToQueue {
        contact: ContactId,
        queue: QueueId,
        at: i64,
    },
    /// Redirect to one operator, who alone may take it.
    TransferToAgent {
        contact: ContactId,
        agent: AgentId,
        at: i64,
    },
    /// Time passes: overflow and preferred-operator windows expire.
    Tick {
        at: i64,
    },
    /// Rebuilding after a restart: a contact the operator already accepted.
    /// Refused if it would put the operator over capacity.
    RestoreAssigned {
        contact: NewContact,
        agent: AgentId,
    },
}

impl Input {
    /// The time the input happened, if it carries one.
    pub fn at(&self) -> Option<i64> {
        match self {
            Input::AddQueue(_) | Input::AddAgent(_) => None,
            Input::ContactArrived(c) | Input::RestoreAssigned { contact: c, .. } => Some(c.at),
            Input::SetAgentState { at, .. }
            | Input::OfferAccepted { at, .. }
            | Input::OfferDeclined { at, .. }
            | Input::ContactFinished { at, .. }
            | Input::ContactAbandoned { at, .. }
            | Input::TransferToQueue { at, .. }
            | Input::TransferToAgent { at, .. }
            | Input::Tick { at } => Some(*at),
        }
    }
}

/// A waiting contact as the desk and wallboard see it.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingView<'a> {
    pub id: ContactId,
    pub channel: Channel,
    pub priority: i32,
    pub arrived_at: i64,
    pub required: &'a [(SkillId, u8)],
    /// Only these operators may take it (until their window ends).
    pub reserved_for: Option<&'a [AgentId]>,
}

/// The engine's decision: offer this contact to this operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    pub contact: ContactId,
    pub agent: AgentId,
    pub queue: QueueId,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoutingError {
    UnknownQueue(QueueId),
    UnknownAgent(AgentId),
    UnknownContact(ContactId),
    DuplicateQueue(QueueId),
    DuplicateAgent(AgentId),
    DuplicateContact(ContactId),
    /// The contact is not in the state the input needs (e.g. accepting a
    /// contact that was not offered).
    WrongState(ContactId),
}

impl std::fmt::Display for RoutingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for RoutingError {}

/// Where a contact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactStatus {
    Waiting { queue: QueueId },
    Offered { agent: AgentId },
    Assigned { agent: AgentId },
}

/// A waiting contact's place, for the customer and the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuePosition {
    /// 1 = next.
    pub position: usize,
    pub estimated_wait_ms: i64,
}

/// A queue's ordering key; see the crate docs.
type Key = (i64, i64, ContactId);

/// What an operator needs to take a contact: its channel and required skills.
/// Waiting contacts are bucketed by it, so an operator looks at the head of
/// each bucket they qualify for instead of scanning the whole queue.
type Signature = (usize, Vec<(SkillId, u8)>);

struct ContactRec {
    queue: QueueId,
    channel: Channel,
    priority: i32,
    required: Vec<(SkillId, u8)>,
    /// First arrival; kept across overflow and transfer.
    arrived_at: i64,
    /// When it entered its current queue (overflow timer).
    queued_at: i64,
    preferred: Vec<AgentId>,
    preferred_until: i64,
    /// Waiting in the queue's reserved set (only preferred operators may take it).
    reserved: bool,
    status: ContactStatus,
    key: Key,
}

impl ContactRec {
    fn signature(&self) -> Signature {
        (self.channel.index(), self.required.clone())
    }
}

struct AgentRec {
    cfg: AgentConfig,
    state: AgentState,
    state_since: i64,
    load: [u8; CHANNELS],
    /// When the operator last became free of work (longest-idle order).
    idle_since: i64,
    contacts: Vec<ContactId>,
}

impl AgentRec {
    fn has_room(&self, ch: Channel) -> bool {
        self.load[ch.index()] < self.cfg.capacity.0[ch.index()]
    }

    fn total_load(&self) -> u32 {
        self.load.iter().map(|l| u32::from(*l)).sum()
    }

    fn skilled_for(&self, required: &[(SkillId, u8)]) -> bool {
        required.iter().all(|(s, min)| self.cfg.skills.iter().any(|(have, lvl)| have == s && lvl >= min))
    }
}

struct QueueRec {
    cfg: QueueConfig,
    /// Every waiting contact in queue order.
    waiting: BTreeSet<Key>,
    /// Waiting contacts anyone qualified may take, by signature.
    buckets: BTreeMap<Signature, BTreeSet<Key>>,
    /// Waiting contacts reserved for preferred operators.
    reserved: BTreeSet<Key>,
    /// Operators serving this queue, by id (round-robin order).
    members: Vec<AgentId>,
    rr_next: usize,
    /// Ready operators with room on a channel, longest idle first.
    free: [BTreeSet<(i64, AgentId)>; CHANNELS],
}

/// The routing engine. Feed it [`Input`]s with [`Engine::apply`].
#[derive(Default)]
pub struct Engine {
    queues: HashMap<QueueId, QueueRec>,
    agents: HashMap<AgentId, AgentRec>,
    contacts: HashMap<ContactId, ContactRec>,
    /// (due, contact): preferred windows ending.
    preferred_timers: BTreeSet<(i64, ContactId)>,
    /// (due, contact): overflow moves.
    overflow_timers: BTreeSet<(i64, ContactId)>,
    /// Overflow moves not yet taken by [`Engine::take_overflowed`].
    overflowed: Vec<Overflowed>,
}

/// A waiting contact the engine moved to its queue's backup queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflowed {
    pub contact: ContactId,
    pub from: QueueId,
    pub to: QueueId,
    pub at: i64,
}

impl Engine {
    /// Overflow moves made since the last call, oldest first, so the caller
    /// can record them where the contacts are stored.
    pub fn take_overflowed(&mut self) -> Vec<Overflowed> {
        std::mem::take(&mut self.overflowed)
    }

    pub fn new() -> Engine {
        Engine::default()
    }

    /// Applies one input and appends the offers it causes to `out`. On error
    /// nothing changes.
    pub fn apply(&mut self, input: Input, out: &mut Vec<Offer>) -> Result<(), RoutingError> {
        // Timers due by now fire first, so every decision sees current windows.
        if let Some(at) = input.at() {
            self.tick(at, out);
        }
        match input {
            Input::AddQueue(cfg) => self.add_queue(cfg),
            Input::AddAgent(cfg) => self.add_agent(cfg),
            Input::SetAgentState { agent, state, at } => self.set_agent_state(agent, state, at, out),
            Input::ContactArrived(c) => self.arrive(c, out),
            Input::OfferAccepted { contact, .. } => self.accept(contact),
            Input::OfferDeclined { contact, at } => self.decline(contact, at, out),
            Input::ContactFinished { contact, at } => self.finish(contact, at, out),
            Input::ContactAbandoned { contact, at } => self.abandon(contact, at, out),
            Input::TransferToQueue { contact, queue, at } => self.transfer(contact, Some(queue), None, at, out),
            Input::TransferToAgent { contact, agent, at } => self.transfer(contact, None, Some(agent), at, out),
            Input::Tick { at } => {
                self.tick(at, out);
                Ok(())
            }
            Input::RestoreAssigned { contact, agent } => self.restore_assigned(contact, agent),
        }
    }

    // ------------------------------------------------------------ queries

    pub fn contact_status(&self, id: ContactId) -> Option<ContactStatus> {
        self.contacts.get(&id).map(|c| c.status)
    }

    pub fn agent_state(&self, id: AgentId) -> Option<(AgentState, i64)> {
        self.agents.get(&id).map(|a| (a.state, a.state_since))
    }

    /// Contacts an operator holds (offered or assigned).
    pub fn agent_contacts(&self, id: AgentId) -> &[ContactId] {
        self.agents.get(&id).map(|a| a.contacts.as_slice()).unwrap_or(&[])
    }

    /// Whether some member of `queue` is ready with room on `channel` now
    /// (the web chat's online/offline switch).
    pub fn can_take(&self, queue: QueueId, channel: Channel) -> bool {
        self.queues.get(&queue).is_some_and(|q| {
            q.members
                .iter()
                .filter_map(|a| self.agents.get(a))
                .any(|a| a.state == AgentState::Ready && a.has_room(channel))
        })
    }

    pub fn waiting(&self, queue: QueueId) -> usize {
        self.queues.get(&queue).map_or(0, |q| q.waiting.len())
    }

    /// Waiting contacts of a queue in queue order, as of time `at`.
    pub fn waiting_contacts(&self, queue: QueueId, at: i64) -> Vec<WaitingView<'_>> {
        let Some(q) = self.queues.get(&queue) else { return Vec::new() };
        q.waiting
            .iter()
            .filter_map(|k| self.contacts.get(&k.2).map(|c| (k.2, c)))
            .map(|(id, c)| WaitingView {
                id,
                channel: c.channel,
                priority: c.priority,
                arrived_at: c.arrived_at,
                required: &c.required,
                reserved_for: (at < c.preferred_until).then_some(c.preferred.as_slice()),
            })
            .collect()
    }

    /// Position and estimated wait of a waiting contact: position × expected
    /// handling time ÷ operators staffing the queue (ready or busy).
    pub fn position(&self, id: ContactId) -> Option<QueuePosition> {
        let c = self.contacts.get(&id)?;
        let ContactStatus::Waiting { queue } = c.status else {
            return None;
        };
        let q = self.queues.get(&queue)?;
        let position = q.waiting.range(..c.key).count() + 1;
        let staffed = q
            .members
            .iter()
            .filter_map(|a| self.agents.get(a))
            .filter(|a| a.state == AgentState::Ready || a.total_load() > 0)
            .count()
            .max(1);
        let estimated_wait_ms = (position as i64).saturating_mul(q.cfg.aht_ms) / staffed as i64;
        Some(QueuePosition { position, estimated_wait_ms })
    }

    // ------------------------------------------------------------ configuration

    fn add_queue(&mut self, cfg: QueueConfig) -> Result<(), RoutingError> {
        if self.queues.contains_key(&cfg.id) {
            return Err(RoutingError::DuplicateQueue(cfg.id));
        }
        if let Some(o) = cfg.overflow {
            if o.to != cfg.id && !self.queues.contains_key(&o.to) {
                return Err(RoutingError::UnknownQueue(o.to));
            }
        }
        let q = QueueRec {
            cfg,
            waiting: BTreeSet::new(),
            buckets: BTreeMap::new(),
            reserved: BTreeSet::new(),
            members: Vec::new(),
            rr_next: 0,
            free: Default::default(),
        };
        self.queues.insert(q.cfg.id, q);
        Ok(())
    }

    fn add_agent(&mut self, mut cfg: AgentConfig) -> Result<(), RoutingError> {
        if self.agents.contains_key(&cfg.id) {
            return Err(RoutingError::DuplicateAgent(cfg.id));
        }
        cfg.queues.sort_unstable();
        cfg.queues.dedup();
        if let Some(q) = cfg.queues.iter().find(|q| !self.queues.contains_key(q)) {
            return Err(RoutingError::UnknownQueue(*q));
        }
        for qid in &cfg.queues {
            if let Some(q) = self.queues.get_mut(qid) {
                let pos = q.members.binary_search(&cfg.id).unwrap_or_else(|p| p);
                q.members.insert(pos, cfg.id);
            }
        }
        let id = cfg.id;
        let rec = AgentRec {
            cfg,
            state: AgentState::Offline,
            state_since: 0,
            load: [0; CHANNELS],
            idle_since: 0,
            contacts: vec![],
        };
        self.agents.insert(id, rec);
        Ok(())
    }

    // ------------------------------------------------------------ free-operator index

    /// Removes the operator from every free set (before a change).
    fn unlist(&mut self, id: AgentId) {
        let Some(a) = self.agents.get(&id) else { return };
        let key = (a.idle_since, id);
        for qid in &a.cfg.queues {
            if let Some(q) = self.queues.get_mut(qid) {
                for set in &mut q.free {
                    set.remove(&key);
                }
            }
        }
    }

    /// Puts the operator in the free sets of the channels they have room on.
    fn relist(&mut self, id: AgentId) {
        let Some(a) = self.agents.get(&id) else { return };
        if a.state != AgentState::Ready {
            return;
        }
        let key = (a.idle_since, id);
        for qid in &a.cfg.queues {
            if let Some(q) = self.queues.get_mut(qid) {
                for ch in Channel::ALL {
                    if a.has_room(ch) {
                        q.free[ch.index()].insert(key);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------ operators

    fn set_agent_state(
        &mut self,
        id: AgentId,
        state: AgentState,
        at: i64,
        out: &mut Vec<Offer>,
    ) -> Result<(), RoutingError> {
        let a = self.agents.get(&id).ok_or(RoutingError::UnknownAgent(id))?;
        if a.state == state {
            return Ok(());
        }
        let was_ready = a.state == AgentState::Ready;
        let revoked: Vec<ContactId> = if state == AgentState::Offline {
            a.contacts
                .iter()
                .copied()
                .filter(|c| matches!(self.contact_status(*c), Some(ContactStatus::Offered { .. })))
                .collect()
        } else {
            Vec::new()
        };
        self.unlist(id);
        if let Some(a) = self.agents.get_mut(&id) {
            a.state = state;
            a.state_since = at;
            if state == AgentState::Ready && !was_ready && a.total_load() == 0 {
                a.idle_since = at;
            }
        }
        // Going offline takes back what was offered but not yet accepted.
        for c in &revoked {
            self.release(*c, id);
            self.requeue_in_place(*c);
        }
        self.relist(id);
        if state == AgentState::Ready {
            self.serve_agent(id, at, out);
        }
        for c in revoked {
            self.assign_contact(c, at, out);
        }
        Ok(())
    }

    // ------------------------------------------------------------ contacts

    fn key_for(&self, queue: &QueueConfig, priority: i32, arrived_at: i64, id: ContactId) -> Key {
        match queue.aging_ms_per_level {
            Some(step) => (arrived_at.saturating_sub(i64::from(priority).saturating_mul(step)), 0, id),
            None => (-i64::from(priority), arrived_at, id),
        }
    }

    fn arrive(&mut self, c: NewContact, out: &mut Vec<Offer>) -> Result<(), RoutingError> {
        if self.contacts.contains_key(&c.id) {
            return Err(RoutingError::DuplicateContact(c.id));
        }
        let q = self.queues.get(&c.queue).ok_or(RoutingError::UnknownQueue(c.queue))?;
        if let Some(a) = c.preferred.iter().find(|a| !self.agents.contains_key(a)) {
            return Err(RoutingError::UnknownAgent(*a));
        }
        let key = self.key_for(&q.cfg, c.priority, c.at, c.id);
        let reserved = !c.preferred.is_empty() && c.preferred_for_ms > 0;
        let preferred_until = if reserved { c.at.saturating_add(c.preferred_for_ms) } else { i64::MIN };
        let mut required = c.required;
        required.sort_unstable();
        required.dedup();
        let rec = ContactRec {
            queue: c.queue,
            channel: c.channel,
            priority: c.priority,
            required,
            reserved,
            arrived_at: c.at,
            queued_at: c.at,
            preferred: c.preferred,
            preferred_until,
            status: ContactStatus::Waiting { queue: c.queue },
            key,
        };
        self.contacts.insert(c.id, rec);
        self.enqueue(c.id);
        self.assign_contact(c.id, c.at, out);
        Ok(())
    }

    fn restore_assigned(&mut self, c: NewContact, agent: AgentId) -> Result<(), RoutingError> {
        if self.contacts.contains_key(&c.id) {
            return Err(RoutingError::DuplicateContact(c.id));
        }
        let q = self.queues.get(&c.queue).ok_or(RoutingError::UnknownQueue(c.queue))?;
        let a = self.agents.get(&agent).ok_or(RoutingError::UnknownAgent(agent))?;
        if !a.has_room(c.channel) {
            return Err(RoutingError::WrongState(c.id));
        }
        let key = self.key_for(&q.cfg, c.priority, c.at, c.id);
        let mut required = c.required;
        required.sort_unstable();
        required.dedup();
        self.unlist(agent);
        if let Some(a) = self.agents.get_mut(&agent) {
            a.load[c.channel.index()] += 1;
            a.contacts.push(c.id);
        }
        self.relist(agent);
        let rec = ContactRec {
            queue: c.queue,
            channel: c.channel,
            priority: c.priority,
            required,
            reserved: false,
            arrived_at: c.at,
            queued_at: c.at,
            preferred: Vec::new(),
            preferred_until: i64::MIN,
            status: ContactStatus::Assigned { agent },
            key,
        };
        self.contacts.insert(c.id, rec);
        Ok(())
    }

    /// Puts a contact (status already Waiting in `queue`) into its queue and timers.
    fn enqueue(&mut self, id: ContactId) {
        let Some(c) = self.contacts.get(&id) else { return };
        let (queue, key, queued_at, preferred_until) = (c.queue, c.key, c.queued_at, c.preferred_until);
        let slot = if c.reserved { None } else { Some(c.signature()) };
        let timer = c.reserved && preferred_until != i64::MAX;
        if let Some(q) = self.queues.get_mut(&queue) {
            q.waiting.insert(key);
            match slot {
                Some(sig) => {
                    q.buckets.entry(sig).or_default().insert(key);
                }
                None => {
                    q.reserved.insert(key);
                }
            }
            if let Some(o) = q.cfg.overflow {
                self.overflow_timers.insert((queued_at.saturating_add(o.after_ms), id));
            }
        }
        if timer {
            self.preferred_timers.insert((preferred_until, id));
        }
    }

    /// Takes a waiting contact out of its queue and timers.
    fn dequeue(&mut self, id: ContactId) {
        let Some(c) = self.contacts.get(&id) else { return };
        if let Some(q) = self.queues.get_mut(&c.queue) {
            q.waiting.remove(&c.key);
            if !q.reserved.remove(&c.key) {
                let sig = c.signature();
                if let Some(bucket) = q.buckets.get_mut(&sig) {
                    bucket.remove(&c.key);
                    if bucket.is_empty() {
                        q.buckets.remove(&sig);
                    }
                }
            }
            if let Some(o) = q.cfg.overflow {
                self.overflow_timers.remove(&(c.queued_at.saturating_add(o.after_ms), id));
            }
        }
        self.preferred_timers.remove(&(c.preferred_until, id));
    }

    /// May operator `a` take contact `c` now?
    fn eligible(&self, a: &AgentRec, c: &ContactRec, at: i64) -> bool {
        a.state == AgentState::Ready
            && a.has_room(c.channel)
            && a.cfg.queues.binary_search(&c.queue).is_ok()
            && a.skilled_for(&c.required)
            && (at >= c.preferred_until || c.preferred.contains(&a.cfg.id))
    }

    /// Finds an operator for a waiting contact and offers it.
    fn assign_contact(&mut self, id: ContactId, at: i64, out: &mut Vec<Offer>) {
        let Some(c) = self.contacts.get(&id) else { return };
        if !matches!(c.status, ContactStatus::Waiting { .. }) {
            return;
        }
        let Some(q) = self.queues.get(&c.queue) else { return };
        let chosen = if at < c.preferred_until {
            // Preferred operators, in the order given.
            c.preferred.iter().copied().find(|a| self.agents.get(a).is_some_and(|a| self.eligible(a, c, at)))
        } else {
            match q.cfg.mode {
                Mode::LongestIdle => q.free[c.channel.index()]
                    .iter()
                    .map(|(_, a)| *a)
                    .find(|a| self.agents.get(a).is_some_and(|a| self.eligible(a, c, at))),
                Mode::LeastOccupied => q.free[c.channel.index()]
                    .iter()
                    .filter_map(|(_, a)| self.agents.get(a))
                    .filter(|a| self.eligible(a, c, at))
                    // Load share on this channel, compared without division.
                    .min_by(|x, y| {
                        let ch = c.channel.index();
                        let lx = u32::from(x.load[ch]) * u32::from(y.cfg.capacity.0[ch]);
                        let ly = u32::from(y.load[ch]) * u32::from(x.cfg.capacity.0[ch]);
                        lx.cmp(&ly).then((x.idle_since, x.cfg.id).cmp(&(y.idle_since, y.cfg.id)))
                    })
                    .map(|a| a.cfg.id),
                Mode::RoundRobin => {
                    let n = q.members.len();
                    (0..n)
                        .map(|i| q.members[(q.rr_next + i) % n])
                        .find(|a| self.agents.get(a).is_some_and(|a| self.eligible(a, c, at)))
                }
            }
        };
        if let Some(agent) = chosen {
            self.offer(id, agent, at, out);
        }
    }

    /// Offers a waiting contact to an eligible operator, reserving capacity.
    fn offer(&mut self, id: ContactId, agent: AgentId, at: i64, out: &mut Vec<Offer>) {
        self.dequeue(id);
        self.unlist(agent);
        let Some(c) = self.contacts.get_mut(&id) else { return };
        c.status = ContactStatus::Offered { agent };
        let (queue, ch) = (c.queue, c.channel);
        if let Some(a) = self.agents.get_mut(&agent) {
            a.load[ch.index()] += 1;
            a.contacts.push(id);
        }
        if let Some(q) = self.queues.get_mut(&queue) {
            if q.cfg.mode == Mode::RoundRobin {
                if let Ok(i) = q.members.binary_search(&agent) {
                    q.rr_next = (i + 1) % q.members.len();
                }
            }
        }
        self.relist(agent);
        out.push(Offer { contact: id, agent, queue, at });
    }

    /// Offers an operator with room the best contacts they can take: across
    /// their queues by queue priority, then queue order.
    fn serve_agent(&mut self, id: AgentId, at: i64, out: &mut Vec<Offer>) {
        loop {
            let Some(a) = self.agents.get(&id) else { return };
            if a.state != AgentState::Ready {
                return;
            }
            let mut best: Option<((std::cmp::Reverse<i32>, Key), ContactId)> = None;
            for qid in &a.cfg.queues {
                let Some(q) = self.queues.get(qid) else { continue };
                let rank = std::cmp::Reverse(q.cfg.priority);
                if best.as_ref().is_some_and(|(b, _)| b.0 < rank) {
                    continue; // a higher-priority queue already has a candidate
                }
                // Heads of the buckets this operator qualifies for, and any
                // contact reserved for them.
                let from_buckets = q
                    .buckets
                    .iter()
                    .filter(|((ch, required), _)| a.load[*ch] < a.cfg.capacity.0[*ch] && a.skilled_for(required))
                    .filter_map(|(_, set)| set.first())
                    .min();
                let from_reserved =
                    q.reserved.iter().find(|k| self.contacts.get(&k.2).is_some_and(|c| self.eligible(a, c, at)));
                let found = match (from_buckets, from_reserved) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                };
                if let Some(k) = found {
                    let cand = (rank, *k);
                    if best.as_ref().is_none_or(|(b, _)| cand < *b) {
                        best = Some((cand, k.2));
                    }
                }
            }
            match best {
                Some((_, cid)) => self.offer(cid, id, at, out),
                None => return,
            }
        }
    }

    /// Frees an operator's capacity held by a contact (no re-offering).
    fn release(&mut self, contact: ContactId, agent: AgentId) {
        let Some(ch) = self.contacts.get(&contact).map(|c| c.channel) else { return };
        self.unlist(agent);
        if let Some(a) = self.agents.get_mut(&agent) {
            a.load[ch.index()] = a.load[ch.index()].saturating_sub(1);
            a.contacts.retain(|c| *c != contact);
        }
        self.relist(agent);
    }

    /// Marks the operator idle-since `at` if they hold nothing now.
    fn touch_idle(&mut self, agent: AgentId, at: i64) {
        let free = self.agents.get(&agent).is_some_and(|a| a.total_load() == 0);
        if free {
            self.unlist(agent);
            if let Some(a) = self.agents.get_mut(&agent) {
                a.idle_since = at;
            }
            self.relist(agent);
        }
    }

    /// A contact taken back from an operator returns to its old place.
    fn requeue_in_place(&mut self, id: ContactId) {
        if let Some(c) = self.contacts.get_mut(&id) {
            c.status = ContactStatus::Waiting { queue: c.queue };
        }
        self.enqueue(id);
    }

    fn accept(&mut self, id: ContactId) -> Result<(), RoutingError> {
        let c = self.contacts.get_mut(&id).ok_or(RoutingError::UnknownContact(id))?;
        match c.status {
            ContactStatus::Offered { agent } => {
                c.status = ContactStatus::Assigned { agent };
                Ok(())
            }
            _ => Err(RoutingError::WrongState(id)),
        }
    }

    fn decline(&mut self, id: ContactId, at: i64, out: &mut Vec<Offer>) -> Result<(), RoutingError> {
        let c = self.contacts.get(&id).ok_or(RoutingError::UnknownContact(id))?;
        let ContactStatus::Offered { agent } = c.status else {
            return Err(RoutingError::WrongState(id));
        };
        self.release(id, agent);
        self.requeue_in_place(id);
        // Not ready until they say otherwise, so the contact does not bounce back.
        self.set_agent_state(agent, AgentState::NotReady(Reason::MissedOffer), at, out)?;
        self.assign_contact(id, at, out);
        Ok(())
    }

    fn finish(&mut self, id: ContactId, at: i64, out: &mut Vec<Offer>) -> Result<(), RoutingError> {
        let c = self.contacts.get(&id).ok_or(RoutingError::UnknownContact(id))?;
        let ContactStatus::Assigned { agent } = c.status else {
            return Err(RoutingError::WrongState(id));
        };
        self.release(id, agent);
        self.contacts.remove(&id);
        self.touch_idle(agent, at);
        self.serve_agent(agent, at, out);
        Ok(())
    }

    fn abandon(&mut self, id: ContactId, at: i64, out: &mut Vec<Offer>) -> Result<(), RoutingError> {
        let c = self.contacts.get(&id).ok_or(RoutingError::UnknownContact(id))?;
        match c.status {
            ContactStatus::Waiting { .. } => {
                self.dequeue(id);
                self.contacts.remove(&id);
            }
            ContactStatus::Offered { agent } | ContactStatus::Assigned { agent } => {
                self.release(id, agent);
                self.contacts.remove(&id);
                self.touch_idle(agent, at);
                self.serve_agent(agent, at, out);
            }
        }
        Ok(())
    }

    fn transfer(
        &mut self,
        id: ContactId,
        queue: Option<QueueId>,
        to_agent: Option<AgentId>,
        at: i64,
        out: &mut Vec<Offer>,
    ) -> Result<(), RoutingError> {
        let c = self.contacts.get(&id).ok_or(RoutingError::UnknownContact(id))?;
        let target_queue = queue.unwrap_or(c.queue);
        let target = self.queues.get(&target_queue).ok_or(RoutingError::UnknownQueue(target_queue))?;
        if let Some(a) = to_agent {
            let rec = self.agents.get(&a).ok_or(RoutingError::UnknownAgent(a))?;
            // The operator must be able to take it from a queue they serve.
            if rec.cfg.queues.binary_search(&target_queue).is_err() {
                return Err(RoutingError::UnknownAgent(a));
            }
        }
        let key = self.key_for(&target.cfg, c.priority, c.arrived_at, id);
        let previous = match c.status {
            ContactStatus::Waiting { .. } => None,
            ContactStatus::Offered { agent } | ContactStatus::Assigned { agent } => Some(agent),
        };
        match previous {
            None => self.dequeue(id),
            Some(agent) => self.release(id, agent),
        }
        if let Some(c) = self.contacts.get_mut(&id) {
            // Out of every queue while the freed operator picks their next
            // contact: older contacts go first.
            c.status = ContactStatus::Offered { agent: AgentId::MAX };
        }
        if let Some(agent) = previous {
            self.touch_idle(agent, at);
            self.serve_agent(agent, at, out);
        }
        if let Some(c) = self.contacts.get_mut(&id) {
            c.queue = target_queue;
            c.queued_at = at;
            c.key = key;
            c.status = ContactStatus::Waiting { queue: target_queue };
            if let Some(a) = to_agent {
                c.preferred = vec![a];
                c.preferred_until = i64::MAX;
                c.reserved = true;
            } else {
                c.preferred.clear();
                c.preferred_until = i64::MIN;
                c.reserved = false;
            }
        }
        self.enqueue(id);
        self.assign_contact(id, at, out);
        Ok(())
    }

    fn tick(&mut self, at: i64, out: &mut Vec<Offer>) {
        // Everything that falls due is moved first and offered afterwards,
        // oldest first, so timers firing together keep queue order.
        let mut due: Vec<ContactId> = Vec::new();
        // Preferred windows that ended: anyone in the queue may now take them.
        while let Some(&(when, id)) = self.preferred_timers.first() {
            if when > at {
                break;
            }
            self.preferred_timers.remove(&(when, id));
            let waiting_reserved =
                self.contacts.get(&id).is_some_and(|c| c.reserved && matches!(c.status, ContactStatus::Waiting { .. }));
            if waiting_reserved {
                self.dequeue(id);
                if let Some(c) = self.contacts.get_mut(&id) {
                    c.reserved = false;
                }
                self.enqueue(id);
            } else if let Some(c) = self.contacts.get_mut(&id) {
                c.reserved = false;
            }
            due.push(id);
        }
        // Overflow to the backup queue.
        while let Some(&(when, id)) = self.overflow_timers.first() {
            if when > at {
                break;
            }
            self.overflow_timers.remove(&(when, id));
            let moved = self
                .contacts
                .get(&id)
                .filter(|c| matches!(c.status, ContactStatus::Waiting { .. }))
                .and_then(|c| self.queues.get(&c.queue))
                .and_then(|q| q.cfg.overflow.map(|o| (q.cfg.id, o.to)));
            if let Some((from, to)) = moved {
                self.move_waiting(id, to, at);
                self.overflowed.push(Overflowed { contact: id, from, to, at });
                due.push(id);
            }
        }
        due.sort_by_key(|id| self.contacts.get(id).map(|c| c.key));
        due.dedup();
        for id in due {
            self.assign_contact(id, at, out);
        }
    }

    /// Moves a waiting contact to another queue, keeping its arrival time and
    /// any preferred window still open (overflow widens the pool).
    fn move_waiting(&mut self, id: ContactId, to: QueueId, at: i64) {
        let Some(q) = self.queues.get(&to) else { return };
        let Some(c) = self.contacts.get(&id) else { return };
        let key = self.key_for(&q.cfg, c.priority, c.arrived_at, id);
        self.dequeue(id);
        if let Some(c) = self.contacts.get_mut(&id) {
            c.queue = to;
            c.queued_at = at;
            c.key = key;
            c.status = ContactStatus::Waiting { queue: to };
        }
        self.enqueue(id);
    }

    // ------------------------------------------------------------ checks

    /// Verifies the engine's invariants; used by tests and debug tooling.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut load: HashMap<AgentId, [u8; CHANNELS]> = HashMap::new();
        for (id, c) in &self.contacts {
            match c.status {
                ContactStatus::Waiting { queue } => {
                    let q = self.queues.get(&queue).ok_or(format!("contact {id} in unknown queue"))?;
                    if !q.waiting.contains(&c.key) || queue != c.queue {
                        return Err(format!("contact {id} waiting but not in its queue"));
                    }
                    if self.agents.values().any(|a| a.contacts.contains(id)) {
                        return Err(format!("contact {id} both waiting and held by an operator"));
                    }
                }
                ContactStatus::Offered { agent } | ContactStatus::Assigned { agent } => {
                    if self.queues.values().any(|q| q.waiting.contains(&c.key)) {
                        return Err(format!("contact {id} held by {agent} and still queued"));
                    }
                    let holders = self.agents.values().filter(|a| a.contacts.contains(id)).count();
                    if holders != 1 || !self.agents.get(&agent).is_some_and(|a| a.contacts.contains(id)) {
                        return Err(format!("contact {id} held by {holders} operators"));
                    }
                    let a = &self.agents[&agent];
                    if !a.skilled_for(&c.required) {
                        return Err(format!("contact {id} with operator {agent} who lacks the skills"));
                    }
                    load.entry(agent).or_default()[c.channel.index()] += 1;
                }
            }
        }
        for (id, a) in &self.agents {
            let expected = load.get(id).copied().unwrap_or_default();
            if a.load != expected {
                return Err(format!("operator {id} load {:?} but holds {:?}", a.load, expected));
            }
            if a.load.iter().zip(a.cfg.capacity.0).any(|(l, cap)| *l > cap) {
                return Err(format!("operator {id} over capacity: {:?}", a.load));
            }
        }
        for q in self.queues.values() {
            let indexed: usize = q.buckets.values().map(BTreeSet::len).sum::<usize>() + q.reserved.len();
            if indexed != q.waiting.len() {
                return Err(format!("queue {}: {indexed} indexed for {} waiting", q.cfg.id, q.waiting.len()));
            }
        }
        let queued: usize = self.queues.values().map(|q| q.waiting.len()).sum();
        let waiting = self.contacts.values().filter(|c| matches!(c.status, ContactStatus::Waiting { .. })).count();
        if queued != waiting {
            return Err(format!("{queued} queue entries for {waiting} waiting contacts"));
        }
        Ok(())
    }
}
