//! Loading the demo into an empty store.

use domain::Role;
use store::{AuditActor, NewUser, Store};

use crate::bank::parse_bank_calls;
use crate::history::{history, HistorySpec};
use crate::people::{customers, queues, users, DemoUser};

/// Customers created by [`seed`].
const CUSTOMERS: usize = 2_000;
/// Days of past contacts created by [`seed`].
const HISTORY_DAYS: u32 = 90;
/// The demo centre is a thirtieth of the bank's size: ~1,100 contacts a weekday.
const HISTORY_SCALE: f64 = 1.0 / 30.0;
/// Seeds of the generators, fixed so every demo looks the same.
const CUSTOMER_SEED: u64 = 0x5b0a_2d01;
const HISTORY_SEED: u64 = 0x5b0a_2d02;

/// What seeding created, for the CLI to print.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The accounts created, with their plain-text passwords.
    pub users: Vec<DemoUser>,
    pub customers: usize,
    pub contacts: usize,
    /// Every event appended while seeding (accounts, queues, customers, contacts).
    pub events: usize,
}

/// Seeds an empty store: the demo users (passwords hashed with `hash`), the
/// queues, 2,000 customers and 90 days of contact history at 1/30 of the bank's
/// volume, all attributed to [`AuditActor::demo`]. Refuses a store that
/// already has users. History is answered by users holding the operator or
/// senior operator role.
pub async fn seed(
    store: &Store,
    bank_csv: &str,
    now_ms: i64,
    hash: &(dyn Fn(&str) -> String + Sync),
) -> Result<Seeded, Box<dyn std::error::Error + Send + Sync>> {
    if store.count_users().await? > 0 {
        return Err("the store already has users; demo data goes only into an empty database".into());
    }
    // Parse first so a bad file leaves the store untouched.
    let bank = parse_bank_calls(bank_csv).map_err(|e| format!("bank call profile: {e}"))?;
    let events_before = store.count_events(None).await?;
    let actor = AuditActor::demo();

    let demo_users = users();
    let mut agent_ids = Vec::new();
    for u in &demo_users {
        let new = NewUser {
            login: u.login.clone(),
            name: u.name.clone(),
            password_hash: hash(&u.password),
            locale: u.locale.to_string(),
            roles: u.roles.clone(),
        };
        let created = store.create_user(&new, &actor).await?;
        if u.roles.iter().any(|r| matches!(r, Role::Operator | Role::SeniorOperator)) {
            agent_ids.push(created.id);
        }
    }

    let mut queue_ids = Vec::new();
    for q in queues() {
        let created = store.create_queue(q.code, q.name_ru, q.name_kk, q.name_en).await?;
        queue_ids.push((created.id, q.code));
    }

    let customer_ids = store.create_customers(&customers(CUSTOMERS, CUSTOMER_SEED, now_ms)).await?;

    let events = history(&HistorySpec {
        bank: &bank,
        days: HISTORY_DAYS,
        now_ms,
        scale: HISTORY_SCALE,
        seed: HISTORY_SEED,
        queue_ids: &queue_ids,
        customer_ids: &customer_ids,
        agent_ids: &agent_ids,
        first_contact_id: 1,
    });
    let contacts = events.iter().filter(|e| e.kind == domain::events::CONTACT_OFFERED).count();
    store.append_events(&events).await?;

    let events_after = store.count_events(None).await?;
    Ok(Seeded {
        users: demo_users,
        customers: customer_ids.len(),
        contacts,
        events: usize::try_from(events_after - events_before).unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank_csv() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/bank_calls_5min.csv");
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    #[tokio::test]
    async fn seeds_an_empty_sqlite_store_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("demo.db").display());
        let store = Store::connect(&url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let now = 1_750_000_000_000;
        let cheap_hash = |p: &str| format!("plain:{p}");

        let seeded = seed(&store, &bank_csv(), now, &cheap_hash).await.expect("seed");
        assert_eq!(seeded.users.len(), users().len());
        assert_eq!(seeded.customers, 2000);
        assert!(seeded.contacts > 50_000 && seeded.contacts < 90_000, "{} contacts", seeded.contacts);

        assert_eq!(store.count_users().await.expect("users"), seeded.users.len() as i64);
        assert_eq!(store.count_customers().await.expect("customers"), 2000);
        assert_eq!(store.count_events(None).await.expect("events"), seeded.events as i64);
        let offered = store.count_events(Some(domain::events::CONTACT_OFFERED)).await.expect("offered");
        assert_eq!(offered, seeded.contacts as i64);
        let answered = store.count_events(Some(domain::events::CONTACT_ANSWERED)).await.expect("answered");
        let abandoned = store.count_events(Some(domain::events::CONTACT_ABANDONED)).await.expect("abandoned");
        let closed = store.count_events(Some(domain::events::CONTACT_CLOSED)).await.expect("closed");
        assert_eq!(answered + abandoned, offered);
        assert_eq!(closed, answered);
        assert_eq!(store.count_events(Some(domain::events::CUSTOMER_CREATED)).await.expect("customers"), 2000);
        assert_eq!(
            seeded.events as i64,
            seeded.users.len() as i64 + 3 + 2000 + offered + answered + abandoned + closed,
            "nothing else appended"
        );

        let admin = store.credentials("admin").await.expect("read").expect("admin exists");
        assert_eq!(admin.1, "plain:demo-admin");
        assert!(admin.0.roles.contains(&Role::Administrator));
        let coach = store.user_by_login("coach").await.expect("read").expect("coach exists");
        assert_eq!(coach.roles.len(), 2);
        assert_eq!(store.list_queues().await.expect("queues").len(), 3);

        let again = seed(&store, &bank_csv(), now, &cheap_hash).await;
        assert!(again.is_err(), "a second seed is refused");
        assert_eq!(store.count_customers().await.expect("customers"), 2000);
        store.close().await;
    }

    #[tokio::test]
    async fn bad_profile_leaves_the_store_empty() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("demo.db").display());
        let store = Store::connect(&url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let err = seed(&store, "timestamp,calls\nnot,a,line\n", 0, &|p: &str| p.to_string()).await;
        assert!(err.is_err());
        assert_eq!(store.count_users().await.expect("users"), 0);
        store.close().await;
    }
}
