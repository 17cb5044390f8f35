//! The bridge between the store and the routing engine. One engine per
//! process, behind an async mutex held across the store write that goes with
//! each decision, so the table and the engine never disagree for long.
//!
//! Recovery: [`Dispatcher::rebuild`] reads queues, members, operator states
//! and open contacts from the store. Contacts the store has as offered but
//! not accepted go back to their queue first (the operator never took them),
//! so after a restart every contact is either queued or with exactly one
//! operator, and none is offered twice.

use domain::contact::{Channel, Status, WrapUp};
use routing::{
    AgentConfig, AgentState, Capacity, Engine, Input, Mode, NewContact, Offer, Overflow, QueueConfig, Reason,
};
use store::contacts::NewContact as NewStoredContact;
use store::{AuditActor, Contact, Store, StoreError};
use tokio::sync::Mutex;

use crate::live::{LiveEvent, LiveHub};

pub struct Dispatcher {
    engine: Mutex<Engine>,
    /// Where each decision is announced to open desks.
    live: LiveHub,
}

/// What an operator says about their availability.
pub fn parse_state(s: &str) -> Option<AgentState> {
    Some(match s {
        "ready" => AgentState::Ready,
        "offline" => AgentState::Offline,
        "not_ready:break" => AgentState::NotReady(Reason::Break),
        "not_ready:lunch" => AgentState::NotReady(Reason::Lunch),
        "not_ready:training" => AgentState::NotReady(Reason::Training),
        "not_ready:meeting" => AgentState::NotReady(Reason::Meeting),
        "not_ready:after_contact_work" => AgentState::NotReady(Reason::AfterContactWork),
        "not_ready:missed_offer" => AgentState::NotReady(Reason::MissedOffer),
        _ => return None,
    })
}

/// The reason recorded on a contact's trace when it overflows (the pages
/// translate it).
pub const OVERFLOW_REASON: &str = "overflow";

/// Every state an operator can choose, in the order the desk shows them.
pub const STATES: [&str; 7] = [
    "ready",
    "not_ready:break",
    "not_ready:lunch",
    "not_ready:training",
    "not_ready:meeting",
    "not_ready:after_contact_work",
    "offline",
];

fn channel(c: Channel) -> routing::Channel {
    match c {
        Channel::Voice => routing::Channel::Voice,
        Channel::Email => routing::Channel::Email,
        Channel::Chat => routing::Channel::Chat,
        Channel::WebForm => routing::Channel::WebForm,
        Channel::Messenger => routing::Channel::Messenger,
        Channel::WalkIn => routing::Channel::WalkIn,
    }
}

/// The engine's view of an operator's capacity: the stored channels, the
/// default for the rest.
fn capacity(set: Option<&Vec<(Channel, i64)>>) -> Capacity {
    let mut cap = Capacity::default();
    for (ch, max) in set.into_iter().flatten() {
        cap.0[channel(*ch) as usize] = (*max).clamp(0, i64::from(u8::MAX)) as u8;
    }
    cap
}

/// Skill ids and levels as the engine takes them.
fn skill_ids(set: &[(i64, u8)]) -> Vec<(routing::SkillId, u8)> {
    set.iter().map(|(id, level)| (*id as routing::SkillId, *level)).collect()
}

fn as_routed(c: &Contact, queue: i64, required: &[(i64, u8)]) -> NewContact {
    NewContact {
        id: c.id as u64,
        queue: queue as u32,
        channel: channel(c.channel),
        priority: c.priority as i32,
        required: skill_ids(required),
        preferred: Vec::new(),
        preferred_for_ms: 0,
        at: c.created_at,
    }
}

fn misfit(e: routing::RoutingError) -> StoreError {
    StoreError::Corrupt(format!("routing refused the state: {e}"))
}

impl Dispatcher {
    /// Builds the engine from what the store holds (start-up and recovery).
    pub async fn rebuild(store: &Store) -> Result<Dispatcher, StoreError> {
        let mut engine = Engine::new();
        let mut out = Vec::new();
        let live = LiveHub::new();
        load(store, &mut engine, &mut out).await?;
        persist(store, &mut engine, out, &live).await;
        Ok(Dispatcher { engine: Mutex::new(engine), live })
    }

    /// The hub on which routing decisions are announced.
    pub fn live(&self) -> &LiveHub {
        &self.live
    }

    /// Re-reads queues, members, skills, capacity and requirements (after an
    /// administrator changed them).
    pub async fn reload(&self, store: &Store) -> Result<(), StoreError> {
        let mut engine = self.engine.lock().await;
        self.reload_locked(store, &mut engine).await
    }

    async fn reload_locked(&self, store: &Store, engine: &mut Engine) -> Result<(), StoreError> {
        let mut fresh = Engine::new();
        let mut out = Vec::new();
        load(store, &mut fresh, &mut out).await?;
        *engine = fresh;
        persist(store, engine, out, &self.live).await;
        Ok(())
    }

    /// Registers a contact and routes it. Returns once it is durable.
    pub async fn create_contact(
        &self,
        store: &Store,
        new: &NewStoredContact,
        actor: &AuditActor,
    ) -> Result<Contact, StoreError> {
        self.create_contact_requiring(store, new, &[], actor).await
    }

    /// Registers a contact that requires `skills` (merged with its queue's)
    /// and routes it only to operators who have them.
    pub async fn create_contact_requiring(
        &self,
        store: &Store,
        new: &NewStoredContact,
        skills: &[domain::skill::SkillLevel],
        actor: &AuditActor,
    ) -> Result<Contact, StoreError> {
        // Read before taking the engine: the rule depends only on the customer and queue.
        let rule = key_client_rule(store, new.customer_id, new.queue_id).await.unwrap_or_else(|e| {
            tracing::warn!("key-client rule skipped: {e}");
            None
        });
        let mut engine = self.engine.lock().await;
        let c = store.create_contact_requiring(new, skills, actor).await?;
        self.arrive(store, &mut engine, &c, new.queue_id, rule).await?;
        Ok(store.contact(c.id).await?.unwrap_or(c))
    }

    /// Routes a contact another store write has already registered as queued
    /// in `queue_id` (e.g. the complaint a script action creates in the same
    /// transaction as the script step).
    pub async fn route_registered(&self, store: &Store, c: &Contact, queue_id: i64) {
        let rule = key_client_rule(store, c.customer_id, queue_id).await.unwrap_or_else(|e| {
            tracing::warn!("key-client rule skipped: {e}");
            None
        });
        let mut engine = self.engine.lock().await;
        if let Err(e) = self.arrive(store, &mut engine, c, queue_id, rule).await {
            // Stays queued in the store; the next reload or restart routes it.
            tracing::error!("contact {} stored but not routed: {e}", c.id);
        }
    }

    async fn arrive(
        &self,
        store: &Store,
        engine: &mut Engine,
        c: &Contact,
        queue_id: i64,
        rule: Option<(Vec<u64>, i64)>,
    ) -> Result<(), StoreError> {
        let required = store.routing_requirements(c.id, queue_id).await?;
        let mut routed = as_routed(c, queue_id, &required);
        if let Some((preferred, wait_ms)) = rule {
            routed.preferred = preferred;
            routed.preferred_for_ms = wait_ms;
        }
        let mut out = Vec::new();
        if let Err(e) = engine.apply(Input::ContactArrived(routed), &mut out) {
            tracing::error!("contact {} stored but not routed: {e}", c.id);
        }
        self.live.publish(LiveEvent::QueueChanged { queue: queue_id });
        persist(store, engine, out, &self.live).await;
        Ok(())
    }

    pub async fn set_state(&self, store: &Store, user_id: i64, state: &str) -> Result<(), StoreError> {
        let parsed = parse_state(state)
            .ok_or(StoreError::Invalid(domain::validate::Invalid { field: "state", code: "invalid-state" }))?;
        let mut engine = self.engine.lock().await;
        store.set_operator_state(user_id, state).await?;
        // Going offline takes back offers not yet accepted.
        let revoked: Vec<i64> = if parsed == AgentState::Offline {
            store
                .operator_contacts(user_id)
                .await?
                .into_iter()
                .filter(|c| c.status == Status::Offered)
                .map(|c| c.id)
                .collect()
        } else {
            Vec::new()
        };
        for id in revoked {
            store.requeue_contact(id, "operator went offline").await?;
            self.live.publish(LiveEvent::ContactChanged { contact: id, operator: None });
        }
        let mut out = Vec::new();
        match engine.apply(Input::SetAgentState { agent: user_id as u64, state: parsed, at: store::now_ms() }, &mut out)
        {
            Ok(()) | Err(routing::RoutingError::UnknownAgent(_)) => {} // not in any queue: nothing to route
            Err(e) => return Err(misfit(e)),
        }
        persist(store, &mut engine, out, &self.live).await;
        Ok(())
    }

    pub async fn accept(&self, store: &Store, contact: i64, user_id: i64) -> Result<(), StoreError> {
        let mut engine = self.engine.lock().await;
        store.accept_contact(contact, user_id).await?;
        let mut out = Vec::new();
        engine
            .apply(Input::OfferAccepted { contact: contact as u64, at: store::now_ms() }, &mut out)
            .map_err(misfit)?;
        self.live.publish(LiveEvent::ContactChanged { contact, operator: Some(user_id) });
        persist(store, &mut engine, out, &self.live).await;
        Ok(())
    }

    pub async fn decline(&self, store: &Store, contact: i64, user_id: i64) -> Result<(), StoreError> {
        let mut engine = self.engine.lock().await;
        let c = store.contact(contact).await?.ok_or(StoreError::NotFound("contact"))?;
        if c.status != Status::Offered || c.operator_id != Some(user_id) {
            return Err(StoreError::Conflict("contact status"));
        }
        store.requeue_contact(contact, "declined").await?;
        store.set_operator_state(user_id, "not_ready:missed_offer").await?;
        let mut out = Vec::new();
        engine
            .apply(Input::OfferDeclined { contact: contact as u64, at: store::now_ms() }, &mut out)
            .map_err(misfit)?;
        self.live.publish(LiveEvent::ContactChanged { contact, operator: None });
        if let Some(queue) = c.queue_id {
            self.live.publish(LiveEvent::QueueChanged { queue });
        }
        persist(store, &mut engine, out, &self.live).await;
        Ok(())
    }

    pub async fn transfer(
        &self,
        store: &Store,
        contact: i64,
        queue: i64,
        reason: &str,
        actor: &AuditActor,
    ) -> Result<(), StoreError> {
        let mut engine = self.engine.lock().await;
        let before = match store.contact(contact).await?.and_then(|c| c.queue_id) {
            Some(from) => store.routing_requirements(contact, from).await?,
            None => Vec::new(),
        };
        store.transfer_contact(contact, queue, reason, actor).await?;
        if store.routing_requirements(contact, queue).await? != before {
            // The new queue requires other skills: route everything afresh.
            self.live.publish(LiveEvent::ContactChanged { contact, operator: None });
            self.live.publish(LiveEvent::QueueChanged { queue });
            return self.reload_locked(store, &mut engine).await;
        }
        let mut out = Vec::new();
        let input = Input::TransferToQueue { contact: contact as u64, queue: queue as u32, at: store::now_ms() };
        match engine.apply(input, &mut out) {
            Ok(()) => {}
            // Held outside routing (e.g. its operator's capacity was lowered
            // meanwhile): routing takes it up afresh.
            Err(routing::RoutingError::UnknownContact(_)) => return self.reload_locked(store, &mut engine).await,
            Err(e) => return Err(misfit(e)),
        }
        self.live.publish(LiveEvent::ContactChanged { contact, operator: None });
        self.live.publish(LiveEvent::QueueChanged { queue });
        persist(store, &mut engine, out, &self.live).await;
        Ok(())
    }

    pub async fn resolve(&self, store: &Store, contact: i64, user_id: i64, wrapup: &WrapUp) -> Result<(), StoreError> {
        let mut engine = self.engine.lock().await;
        store.resolve_contact(contact, user_id, wrapup).await?;
        let mut out = Vec::new();
        match engine.apply(Input::ContactFinished { contact: contact as u64, at: store::now_ms() }, &mut out) {
            // Held outside routing (e.g. its operator's capacity was lowered meanwhile): nothing to free.
            Ok(()) | Err(routing::RoutingError::UnknownContact(_)) => {}
            Err(e) => return Err(misfit(e)),
        }
        self.live.publish(LiveEvent::ContactChanged { contact, operator: Some(user_id) });
        persist(store, &mut engine, out, &self.live).await;
        Ok(())
    }

    /// Lets time pass in the engine: preferred-operator windows end and
    /// contacts that waited too long overflow to their backup queue (each
    /// move is recorded on the contact as a transfer with its reason).
    pub async fn tick(&self, store: &Store, at: i64) -> Result<(), StoreError> {
        let mut engine = self.engine.lock().await;
        let mut out = Vec::new();
        engine.apply(Input::Tick { at }, &mut out).map_err(misfit)?;
        for m in engine.take_overflowed() {
            let to = i64::from(m.to);
            if let Err(e) = store.transfer_contact(m.contact as i64, to, OVERFLOW_REASON, &AuditActor::routing()).await
            {
                tracing::warn!("overflow of contact {} not recorded: {e}", m.contact);
            }
            self.live.publish(LiveEvent::QueueChanged { queue: i64::from(m.from) });
            self.live.publish(LiveEvent::QueueChanged { queue: i64::from(m.to) });
            self.live.publish(LiveEvent::ContactChanged { contact: m.contact as i64, operator: None });
        }
        persist(store, &mut engine, out, &self.live).await;
        Ok(())
    }

    /// Reopens a resolved or closed contact into its queue (or `queue`) and
    /// routes it again as a fresh arrival, so a ready operator is offered it.
    pub async fn reopen(
        &self,
        store: &Store,
        contact: i64,
        queue: Option<i64>,
        reason: &str,
        actor: &AuditActor,
    ) -> Result<Contact, StoreError> {
        let mut engine = self.engine.lock().await;
        let c = store.reopen_contact(contact, queue, reason, actor).await?;
        let mut out = Vec::new();
        if let Some(q) = c.queue_id {
            let required = store.routing_requirements(c.id, q).await?;
            let routed = NewContact { at: store::now_ms(), ..as_routed(&c, q, &required) };
            if let Err(e) = engine.apply(Input::ContactArrived(routed), &mut out) {
                tracing::error!("contact {} reopened but not routed: {e}", c.id);
            }
            self.live.publish(LiveEvent::QueueChanged { queue: q });
        }
        self.live.publish(LiveEvent::ContactChanged { contact, operator: None });
        persist(store, &mut engine, out, &self.live).await;
        Ok(store.contact(contact).await?.unwrap_or(c))
    }

    /// Where the engine has a contact (for the desk and for checks).
    pub async fn routing_status(&self, contact: i64) -> Option<routing::ContactStatus> {
        self.engine.lock().await.contact_status(contact as u64)
    }

    /// Position and estimated wait of a queued contact.
    pub async fn position(&self, contact: i64) -> Option<routing::QueuePosition> {
        self.engine.lock().await.position(contact as u64)
    }

    /// Whether an operator of the queue is ready with room on `channel`.
    pub async fn can_take(&self, queue: i64, channel: Channel) -> bool {
        self.engine.lock().await.can_take(queue as u32, self::channel(channel))
    }

    /// Contacts waiting in a queue.
    pub async fn waiting(&self, queue: i64) -> usize {
        self.engine.lock().await.waiting(queue as u32)
    }
}

/// The key-client rule for a new contact: the operators who should take it
/// first (own manager, other key-account managers, then department heads —
/// supervisors serving the queue), limited to members of its queue, and how
/// long they have. `None` when the rule does not apply.
async fn key_client_rule(
    store: &Store,
    customer_id: Option<i64>,
    queue: i64,
) -> Result<Option<(Vec<u64>, i64)>, StoreError> {
    let Some(customer_id) = customer_id else { return Ok(None) };
    let Some(customer) = store.customer(customer_id).await? else { return Ok(None) };
    if !matches!(customer.client_type.as_str(), "key" | "new") {
        return Ok(None);
    }
    let Some(q) = store.queue(queue).await? else { return Ok(None) };
    if q.rules.key_client_wait_s == 0 {
        return Ok(None);
    }
    let staff = store.queue_staff(queue).await?;
    let heads: Vec<i64> = staff.iter().filter(|(_, head)| *head).map(|(id, _)| *id).collect();
    let managers = store.key_account_managers().await?;
    let order = domain::customer::preferred_operators(&customer.client_type, customer.manager_id, &managers, &heads);
    let preferred: Vec<u64> =
        order.into_iter().filter(|id| staff.iter().any(|(m, _)| m == id)).map(|id| id as u64).collect();
    Ok((!preferred.is_empty()).then_some((preferred, q.rules.key_client_wait_s * 1000)))
}

/// The engine's view of a queue's rules.
fn queue_config(q: &store::Queue) -> QueueConfig {
    let r = &q.rules;
    QueueConfig {
        id: q.id as u32,
        priority: r.priority as i32,
        mode: match r.mode.as_str() {
            "least_occupied" => Mode::LeastOccupied,
            "round_robin" => Mode::RoundRobin,
            _ => Mode::LongestIdle,
        },
        aging_ms_per_level: r.aging_s_per_level.map(|s| s * 1000),
        overflow: match (r.overflow_queue_id, r.overflow_after_s) {
            (Some(to), Some(after)) => Some(Overflow { to: to as u32, after_ms: after * 1000 }),
            _ => None,
        },
        aht_ms: r.aht_s * 1000,
    }
}

/// How often routing's timers (overflow, key-client windows) are checked.
pub const TICK_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Runs [`Dispatcher::tick`] every `every` until the process ends.
pub fn spawn_ticker(st: crate::AppState, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = st.dispatch.tick(&st.store, store::now_ms()).await {
                tracing::warn!("routing tick failed: {e}");
            }
            crate::cti::release_due_callbacks(&st, store::now_ms()).await;
        }
    })
}

/// Feeds the store's state into a fresh engine.
async fn load(store: &Store, engine: &mut Engine, out: &mut Vec<Offer>) -> Result<(), StoreError> {
    let queues = store.list_queues().await?;
    // Backup queues first: the engine refuses an overflow to a queue it does not know.
    let (plain, with_overflow): (Vec<_>, Vec<_>) = queues.iter().partition(|q| q.rules.overflow_queue_id.is_none());
    for q in plain.into_iter().chain(with_overflow) {
        engine.apply(Input::AddQueue(queue_config(q)), out).map_err(misfit)?;
    }
    let mut members: std::collections::BTreeMap<i64, Vec<u32>> = std::collections::BTreeMap::new();
    for (queue, user) in store.queue_members().await? {
        members.entry(user).or_default().push(queue as u32);
    }
    let skills = store.routing_skills().await?;
    for (user, queues) in &members {
        let cfg = AgentConfig {
            id: *user as u64,
            skills: skill_ids(skills.operators.get(user).map_or(&[], Vec::as_slice)),
            queues: queues.clone(),
            capacity: capacity(skills.capacity.get(user)),
        };
        engine.apply(Input::AddAgent(cfg), out).map_err(misfit)?;
    }
    for c in store.open_contacts().await? {
        let Some(queue) = c.queue_id else { continue };
        let none = Vec::new();
        let required = domain::skill::merge(
            skills.contacts.get(&c.id).unwrap_or(&none),
            skills.queues.get(&queue).unwrap_or(&none),
        );
        match (c.status, c.operator_id) {
            (Status::Offered, _) => {
                // Never accepted: back to its place in the queue.
                store.requeue_contact(c.id, "restart").await?;
                let _ = engine.apply(Input::ContactArrived(as_routed(&c, queue, &required)), out);
            }
            (Status::Queued | Status::New, _) => {
                let _ = engine.apply(Input::ContactArrived(as_routed(&c, queue, &required)), out);
            }
            (_, Some(op)) if members.contains_key(&op) => {
                let input = Input::RestoreAssigned { contact: as_routed(&c, queue, &required), agent: op as u64 };
                if let Err(e) = engine.apply(input, out) {
                    tracing::warn!("contact {} stays with operator {op} outside routing: {e}", c.id);
                }
            }
            _ => {} // with an operator who no longer serves a queue: outside routing
        }
    }
    for (user, state, since) in store.operator_states().await? {
        if let (true, Some(s)) = (members.contains_key(&user), parse_state(&state)) {
            engine.apply(Input::SetAgentState { agent: user as u64, state: s, at: since }, out).map_err(misfit)?;
        }
    }
    Ok(())
}

/// Writes the engine's offers to the store and announces them. An offer the
/// store refuses (the contact changed meanwhile) is taken back from the engine.
async fn persist(store: &Store, engine: &mut Engine, offers: Vec<Offer>, live: &LiveHub) {
    let mut pending = offers;
    while !pending.is_empty() {
        let mut next = Vec::new();
        for o in pending {
            // A later step may already have moved it on.
            if engine.contact_status(o.contact) != Some(routing::ContactStatus::Offered { agent: o.agent }) {
                continue;
            }
            match store.present_contact(o.contact as i64, o.agent as i64).await {
                Ok(()) => {
                    live.publish(LiveEvent::Offered { contact: o.contact as i64, operator: o.agent as i64 });
                    live.publish(LiveEvent::QueueChanged { queue: i64::from(o.queue) });
                }
                Err(e) => {
                    tracing::warn!("offer of contact {} to {} not recorded: {e}", o.contact, o.agent);
                    let _ = engine.apply(Input::ContactAbandoned { contact: o.contact, at: o.at }, &mut next);
                }
            }
        }
        pending = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_default_capacity_is_the_engine_default() {
        let engine = Capacity::default();
        for ch in Channel::ALL {
            assert_eq!(i64::from(engine.0[channel(*ch) as usize]), domain::skill::default_capacity(*ch), "{ch:?}");
        }
        assert_eq!(capacity(None), engine);
        let set = vec![(Channel::Chat, 2), (Channel::Voice, 0)];
        let cap = capacity(Some(&set));
        assert_eq!(cap.0[routing::Channel::Chat as usize], 2);
        assert_eq!(cap.0[routing::Channel::Voice as usize], 0);
        assert_eq!(cap.0[routing::Channel::Email as usize], 8);
    }
}
