//! Loading the demo into an empty store.

use domain::Role;
use store::contacts::PastContact;
use store::topics::NewTopic;
use store::{AuditActor, NewUser, Store};

use crate::bank::parse_bank_calls;
use crate::history::{history, HistorySpec};
use crate::live::open_contact;
use crate::people::{customers, duplicates, manager_login, queue_codes, queues, users, DemoUser};
use crate::topics::{past_subject, TOPICS};

/// Customers created by [`seed`].
const CUSTOMERS: usize = 2_000;
/// Days of past contacts created by [`seed`].
const HISTORY_DAYS: u32 = 90;
/// The demo centre is a thirtieth of the bank's size: ~1,100 contacts a weekday.
const HISTORY_SCALE: f64 = 1.0 / 30.0;
/// Seeds of the generators, fixed so every demo looks the same.
const CUSTOMER_SEED: u64 = 0x5b0a_2d01;
const HISTORY_SEED: u64 = 0x5b0a_2d02;
const OPEN_SEED: u64 = 0x5b0a_2d03;
const SHOP_SEED: u64 = 0x5b0a_2d04;
const TRADE_SEED: u64 = 0x5b0a_2d05;
/// Days of past orders created by [`seed`].
const TRADE_DAYS: u32 = 365;
/// Who takes orders by phone, chat and e-mail (the sales desk; the
/// operators twice as often as the seniors).
const SALES_DESK: [&str; 6] = ["operator5", "operator6", "operator5", "operator6", "senior1", "senior2"];
/// Contacts waiting in the queues when the demo first starts.
pub const OPEN_CONTACTS: usize = 30;

/// What seeding created, for the CLI to print.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The accounts created, with their plain-text passwords.
    pub users: Vec<DemoUser>,
    /// Customers registered, the duplicates among them included.
    pub customers: usize,
    /// Customers registered a second time ([`crate::DUPLICATED`]), to merge.
    pub duplicates: usize,
    /// Customers with an assigned manager.
    pub managed: usize,
    /// Past contacts of the call history (the orders' contacts come on top: one per order).
    pub contacts: usize,
    /// (queue, user) memberships created.
    pub members: usize,
    /// Open contacts registered in the queues ([`OPEN_CONTACTS`]).
    pub open_contacts: usize,
    /// Items in the catalogue ([`crate::shop`]).
    pub catalogue_items: usize,
    /// Past orders (a year of trade), each in a contact of its own.
    pub orders: usize,
    /// Receivables rows of trade clients.
    pub accounts: usize,
    /// Every event appended while seeding (accounts, queues, customers, contacts, orders).
    pub events: usize,
}

/// Seeds an empty store: the demo users (passwords hashed with `hash`), the
/// queues and who serves them ([`queue_codes`]), the topic tree ([`TOPICS`]),
/// 2,000 customers (managers assigned to key clients, most with consent) and a
/// few of them registered a second time as duplicates ([`duplicates`]), 90 days of
/// contact history at 1/30 of the bank's volume, the named clients of the
/// order desk ([`crate::SHOWCASE`]), the shop's catalogue ([`crate::shop()`],
/// one `catalogue.imported`), a year of orders ([`crate::trade()`]: their
/// sale-order contacts numbered after the history, `order.created` and the
/// final status event of each, the trade clients' receivables) and
/// [`OPEN_CONTACTS`] open contacts waiting in the queues, all attributed to
/// [`AuditActor::demo`].
/// Refuses a store that already has users. History is answered by users
/// holding the operator or senior operator role. Operators get no state, so
/// they start offline: the server routes the open contacts once someone
/// goes ready.
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
    let mut user_ids = Vec::with_capacity(demo_users.len());
    for u in &demo_users {
        let new = NewUser {
            login: u.login.clone(),
            name: u.name.clone(),
            password_hash: hash(&u.password),
            locale: u.locale.to_string(),
            roles: u.roles.clone(),
        };
        let created = store.create_user(&new, &actor).await?;
        user_ids.push(created.id);
        if u.roles.iter().any(|r| matches!(r, Role::Operator | Role::SeniorOperator)) {
            agent_ids.push(created.id);
        }
    }

    let mut queue_ids = Vec::new();
    for q in queues() {
        let created = store.create_queue(q.code, q.name_ru, q.name_kk, q.name_en).await?;
        queue_ids.push((created.id, q.code));
    }
    let queue_id = |code: &str| queue_ids.iter().find(|&&(_, c)| c == code).map(|&(id, _)| id);

    let mut members = 0;
    for (u, &user_id) in demo_users.iter().zip(&user_ids) {
        for code in queue_codes(u) {
            let q = queue_id(code).ok_or_else(|| format!("demo queue {code} missing"))?;
            store.add_queue_member(q, user_id).await?;
            members += 1;
        }
    }

    // Skills with levels and capacities on the staff, so routing shows them.
    for s in crate::skills::SKILLS {
        store.create_skill(s.code, s.name_ru, s.name_kk, s.name_en, &actor).await?;
    }
    for (u, &user_id) in demo_users.iter().zip(&user_ids) {
        let held: Vec<domain::skill::SkillLevel> = crate::skills::skills_of(&u.login)
            .iter()
            .map(|(skill, level)| domain::skill::SkillLevel { skill: skill.to_string(), level: *level })
            .collect();
        let capacity = crate::skills::capacity_of(&u.login);
        if !held.is_empty() || !capacity.is_empty() {
            store.set_operator_profile(user_id, Some(&held), Some(capacity), &actor).await?;
        }
    }

    // The topic tree, parents first so children find their parent's id.
    let mut topic_ids: Vec<(&str, i64)> = Vec::with_capacity(TOPICS.len());
    for (position, t) in TOPICS.iter().enumerate() {
        let parent_id = match t.parent {
            Some(code) => {
                Some(topic_ids.iter().find(|(c, _)| *c == code).map(|(_, id)| *id).ok_or("demo topic parent missing")?)
            }
            None => None,
        };
        let new = NewTopic {
            parent_id,
            code: t.code.into(),
            name_ru: t.name_ru.into(),
            name_kk: t.name_kk.into(),
            name_en: t.name_en.into(),
            contact_type: t.contact_type,
            position: position as i64,
        };
        topic_ids.push((t.code, store.create_topic(&new, &actor).await?.id));
    }

    let people = customers(CUSTOMERS, CUSTOMER_SEED, now_ms);
    let mut customer_ids = store.create_customers(&people).await?;
    let user_id = |login: &str| demo_users.iter().zip(&user_ids).find(|(u, _)| u.login == login).map(|(_, &id)| id);
    let mut managed = 0;
    for (i, (c, &id)) in people.iter().zip(&customer_ids).enumerate() {
        if let Some(login) = manager_login(i, c) {
            let manager = user_id(login).ok_or_else(|| format!("demo manager {login} missing"))?;
            store.set_customer_manager(id, Some(manager), &actor).await?;
            managed += 1;
        }
    }
    // Second registrations of a few people: they get history of their own,
    // which a merge then moves to the first card.
    let dup_ids = store.create_customers(&duplicates(&people, now_ms)).await?;
    let dup_count = dup_ids.len();
    customer_ids.extend(dup_ids);
    // The named clients of the order desk (crate::SHOWCASE), with their managers.
    let showcase = crate::clients::showcase_customers(now_ms);
    let showcase_ids = store.create_customers(&showcase).await?;
    for (s, &id) in crate::SHOWCASE.iter().zip(&showcase_ids) {
        if let Some(login) = s.manager {
            let manager = user_id(login).ok_or_else(|| format!("demo manager {login} missing"))?;
            store.set_customer_manager(id, Some(manager), &actor).await?;
            managed += 1;
        }
    }
    customer_ids.extend(&showcase_ids);

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
    let past = past_contacts(&events, &queue_ids);
    let contacts = past.len();
    store.import_history(&past, &events).await?;

    // The shop: its catalogue, then a year of orders in contacts of their own.
    let shop = crate::shop::shop(SHOP_SEED, now_ms);
    store.apply_catalogue_import(&shop.catalogue, &actor, &|_, _| {}).await?;
    let mut buyers: Vec<crate::Buyer> = people
        .iter()
        .zip(&customer_ids)
        .map(|(c, &id)| crate::Buyer {
            id,
            client_type: &c.client_type,
            created_at: c.created_at,
            name: &c.full_name,
            phone: &c.phone,
            standing: crate::Standing::Usual,
            city: "",
        })
        .collect();
    for ((s, c), &id) in crate::SHOWCASE.iter().zip(&showcase).zip(&showcase_ids) {
        buyers.push(crate::Buyer {
            id,
            client_type: s.client_type,
            created_at: c.created_at,
            name: s.full_name,
            phone: s.phone,
            standing: s.standing,
            city: s.city,
        });
    }
    let desk: Vec<i64> = SALES_DESK.iter().filter_map(|l| user_id(l)).collect();
    let trade = crate::trade::trade(&crate::TradeSpec {
        shop: &shop,
        buyers: &buyers,
        operators: &desk,
        sales_queue: queue_id("sales"),
        now_ms,
        days: TRADE_DAYS,
        seed: TRADE_SEED,
        first_order_id: 1,
        first_contact_id: contacts as i64 + 1,
    });
    store.import_history(&trade.contacts, &[]).await?;
    store.import_order_history(&trade.orders, &trade.accounts, &trade.events, now_ms).await?;

    // The knowledge base: every demo article as its first stored version.
    let articles = kb::demo_articles().map_err(|e| format!("demo articles: {e}"))?;
    for a in &articles {
        let document = serde_json::to_string(a)?;
        let version =
            store::kb::ArticleVersion { id: a.id, version: i64::from(a.version), updated_at: a.updated_at, document };
        store.put_article(&version).await?;
    }

    for n in 0..OPEN_CONTACTS as u64 {
        let draft = open_contact(OPEN_SEED, n, &customer_ids);
        let q = queue_id(draft.queue).ok_or_else(|| format!("demo queue {} missing", draft.queue))?;
        store.create_contact(&draft.into_new(q), &actor).await?;
    }

    let events_after = store.count_events(None).await?;
    Ok(Seeded {
        users: demo_users,
        customers: customer_ids.len(),
        duplicates: dup_count,
        managed,
        contacts,
        catalogue_items: shop.catalogue.items.len(),
        orders: trade.orders.len(),
        accounts: trade.accounts.len(),
        members,
        open_contacts: OPEN_CONTACTS,
        events: usize::try_from(events_after - events_before).unwrap_or(0),
    })
}

/// The contact rows behind the history's events: one closed contact per
/// `contact.offered`, with its queue, customer, channel, the operator who
/// answered (none when abandoned) and when it ended.
fn past_contacts(events: &[store::NewEvent], queue_ids: &[(i64, &str)]) -> Vec<PastContact> {
    use domain::contact::Channel;
    use domain::events as ev;
    let mut by_id: std::collections::BTreeMap<i64, PastContact> = std::collections::BTreeMap::new();
    for e in events {
        let Some(id) = e.refs.contact_id else { continue };
        match e.kind {
            k if k == ev::CONTACT_OFFERED => {
                let code = queue_ids.iter().find(|(q, _)| Some(*q) == e.refs.queue_id).map(|(_, c)| *c).unwrap_or("");
                let (contact_type, topic, subject) = past_subject(code, id);
                let channel = e.payload["channel"].as_str().and_then(Channel::parse).unwrap_or(Channel::Voice);
                by_id.insert(
                    id,
                    PastContact {
                        id,
                        channel,
                        contact_type,
                        topic: topic.to_string(),
                        queue_id: e.refs.queue_id,
                        operator_id: None,
                        customer_id: e.refs.customer_id,
                        subject: subject.to_string(),
                        created_at: e.at,
                        closed_at: e.at,
                    },
                );
            }
            k if k == ev::CONTACT_ANSWERED => {
                if let Some(c) = by_id.get_mut(&id) {
                    c.operator_id = e.refs.agent_id;
                }
            }
            k if k == ev::CONTACT_CLOSED || k == ev::CONTACT_ABANDONED => {
                if let Some(c) = by_id.get_mut(&id) {
                    c.closed_at = e.at;
                }
            }
            _ => {}
        }
    }
    by_id.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank_csv() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/bank_calls_5min.csv");
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    #[tokio::test]
    async fn seeds_an_empty_store_once_on_every_database() {
        for db in testkit::databases().await {
            seeds_an_empty_store_once(&db.url).await;
        }
    }

    async fn seeds_an_empty_store_once(url: &str) {
        let store = Store::connect(url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let now = 1_750_000_000_000;
        let cheap_hash = |p: &str| format!("plain:{p}");

        let seeded = seed(&store, &bank_csv(), now, &cheap_hash).await.expect("seed");
        // Every past contact is a closed row its events point at, and the
        // open contacts number after the history.
        let first = store.contact(1).await.expect("load").expect("history contact 1");
        assert_eq!(first.status, domain::contact::Status::Closed);
        let events_of_first = store.contact_events(1).await.expect("events");
        assert_eq!(events_of_first[0].kind, "contact.offered");
        // Every contact, past or open, is classified by a topic of the tree.
        let tree = store.list_topics().await.expect("topics");
        assert_eq!(tree.len(), TOPICS.len());
        let known = |code: &str| tree.iter().any(|t| t.code == code && t.active && t.parent_id.is_some());
        for id in [1, 2, 3, 500, 5_000, 40_000] {
            let c = store.contact(id).await.expect("load").expect("history contact");
            assert!(known(&c.topic), "history contact {id}: {:?}", c.topic);
        }
        assert!(events_of_first.iter().all(|e| e.at >= first.created_at && e.at <= first.updated_at + 1));
        assert!(store.current_articles().await.expect("articles").len() >= 50, "knowledge base seeded");
        let open = store.open_contacts().await.expect("open");
        assert!(
            open.iter().all(|c| c.id > (seeded.contacts + seeded.orders) as i64),
            "open contacts must not reuse history or order contact ids"
        );
        assert_eq!(seeded.users.len(), users().len());
        assert_eq!(seeded.customers, 2000 + crate::DUPLICATED.len() + crate::SHOWCASE.len());
        assert_eq!(seeded.duplicates, crate::DUPLICATED.len());
        assert!(seeded.contacts > 50_000 && seeded.contacts < 90_000, "{} contacts", seeded.contacts);

        assert_eq!(store.count_users().await.expect("users"), seeded.users.len() as i64);
        let all_customers = seeded.customers as i64;
        assert_eq!(store.count_customers().await.expect("customers"), all_customers);
        assert_eq!(store.count_events(None).await.expect("events"), seeded.events as i64);
        let offered = store.count_events(Some(domain::events::CONTACT_OFFERED)).await.expect("offered");
        assert_eq!(offered, (seeded.contacts + OPEN_CONTACTS) as i64);
        let created = store.count_events(Some(domain::events::CONTACT_CREATED)).await.expect("created");
        assert_eq!(created, OPEN_CONTACTS as i64);
        let answered = store.count_events(Some(domain::events::CONTACT_ANSWERED)).await.expect("answered");
        let abandoned = store.count_events(Some(domain::events::CONTACT_ABANDONED)).await.expect("abandoned");
        let closed = store.count_events(Some(domain::events::CONTACT_CLOSED)).await.expect("closed");
        assert_eq!(answered + abandoned, offered - created, "every past contact answered or abandoned");
        assert_eq!(closed, answered);
        assert_eq!(store.count_events(Some(domain::events::CUSTOMER_CREATED)).await.expect("customers"), all_customers);
        let managers = store.count_events(Some(domain::events::CUSTOMER_MANAGER_CHANGED)).await.expect("managers");
        assert_eq!(managers, seeded.managed as i64);
        assert_eq!(
            seeded.events as i64,
            seeded.users.len() as i64
                + 3
                + TOPICS.len() as i64
                + seeded.members as i64
                + all_customers
                + managers
                + created
                + offered
                + answered
                + abandoned
                + closed
                + store.count_events(Some("kb.article_changed")).await.expect("articles")
                + crate::skills::SKILLS.len() as i64
                + store.count_events(Some(domain::events::OPERATOR_SKILLS_CHANGED)).await.expect("skills")
                + store.count_events(Some(domain::events::OPERATOR_CAPACITY_CHANGED)).await.expect("capacity")
                + 1 // catalogue.imported
                + 2 * seeded.orders as i64, // order.created and the final status
            "nothing else appended"
        );
        // The shop: its catalogue and a year of orders, each in a sale-order contact.
        assert!(seeded.catalogue_items >= 500);
        assert_eq!(store.catalogue_count().await.expect("items"), seeded.catalogue_items as i64);
        assert_eq!(store.count_events(Some(domain::events::CATALOGUE_IMPORTED)).await.expect("imported"), 1);
        assert!(
            seeded.orders > 5_000 && seeded.accounts > 300,
            "{} orders, {} accounts",
            seeded.orders,
            seeded.accounts
        );
        assert_eq!(store.count_orders().await.expect("orders"), seeded.orders as i64);
        assert_eq!(store.count_events(Some("order.created")).await.expect("created"), seeded.orders as i64);
        let first_order_contact = seeded.contacts as i64 + 1;
        let c = store.contact(first_order_contact).await.expect("load").expect("order contact");
        assert_eq!(c.contact_type, domain::contact::ContactType::SaleOrder);
        assert!(c.customer_id.is_some() && known(&c.topic));
        let kinds: Vec<String> =
            store.contact_events(first_order_contact).await.expect("events").into_iter().map(|e| e.kind).collect();
        assert_eq!(kinds.first().map(String::as_str), Some("order.created"), "{kinds:?}");
        assert_eq!(kinds.len(), 2, "{kinds:?}");
        let everyone = store.list_customers(3000, 0).await.expect("customers");
        for named in crate::SHOWCASE {
            let c = everyone.iter().find(|c| c.full_name == named.full_name).expect("named client");
            assert_eq!(c.client_type, named.client_type);
            assert_eq!(c.manager_id.is_some(), named.manager.is_some(), "{}", named.full_name);
        }
        let milk = store.catalogue_item("MLK-0102").await.expect("read").expect("milk");
        assert_eq!(milk.item.name.kk, "Сүт 3,2% Food Master 1 л");
        // Skills and capacities are on the staff.
        let skills = store.routing_skills().await.expect("skills");
        let lang_kk = store.list_skills().await.expect("list").into_iter().find(|s| s.code == "lang_kk").expect("kk");
        let operator1 = store.user_by_login("operator1").await.expect("read").expect("operator1").id;
        assert!(skills.operators[&operator1].contains(&(lang_kk.id, 5)), "operator1 speaks Kazakh");
        let senior1 = store.user_by_login("senior1").await.expect("read").expect("senior1").id;
        assert!(skills.capacity[&senior1].contains(&(domain::contact::Channel::Chat, 5)), "seniors take more chats");

        let admin = store.credentials("admin").await.expect("read").expect("admin exists");
        assert_eq!(admin.1, "plain:demo-admin");
        assert!(admin.0.roles.contains(&Role::Administrator));
        let coach = store.user_by_login("coach").await.expect("read").expect("coach exists");
        assert_eq!(coach.roles.len(), 2);
        let queues = store.list_queues().await.expect("queues");
        assert_eq!(queues.len(), 3);

        // Who serves which queue.
        let members = store.queue_members().await.expect("members");
        assert_eq!(members.len(), seeded.members);
        assert_eq!(
            store.count_events(Some(domain::events::QUEUE_MEMBER_ADDED)).await.expect("member events"),
            seeded.members as i64
        );
        let login_of: std::collections::HashMap<i64, String> =
            store.list_users().await.expect("users").into_iter().map(|u| (u.id, u.login)).collect();
        let logins_in = |code: &str| -> Vec<String> {
            let q = queues.iter().find(|q| q.code == code).expect("queue").id;
            let mut logins: Vec<String> =
                members.iter().filter(|&&(queue, _)| queue == q).map(|&(_, user)| login_of[&user].clone()).collect();
            logins.sort();
            logins
        };
        let leads = ["coach", "senior1", "senior2", "supervisor1", "supervisor2"];
        let mut support = vec!["operator1", "operator2", "operator3", "operator4"];
        support.extend(leads);
        support.sort_unstable();
        assert_eq!(logins_in("support"), support);
        let mut sales = vec!["operator5", "operator6"];
        sales.extend(leads);
        sales.sort_unstable();
        assert_eq!(logins_in("sales"), sales);
        let mut complaints = vec!["operator7", "operator8"];
        complaints.extend(leads);
        complaints.sort_unstable();
        assert_eq!(logins_in("complaints"), complaints);
        assert!(store.operator_states().await.expect("states").is_empty(), "everyone starts offline");

        // Open contacts wait in the queue that fits them, linked to customers.
        assert!(store.current_articles().await.expect("articles").len() >= 50, "knowledge base seeded");
        let open = store.open_contacts().await.expect("open");
        assert_eq!(open.len(), OPEN_CONTACTS);
        assert_eq!(seeded.open_contacts, OPEN_CONTACTS);
        for c in &open {
            assert_eq!(c.status, domain::contact::Status::Queued);
            assert!(c.operator_id.is_none());
            let code = queues.iter().find(|q| Some(q.id) == c.queue_id).map(|q| q.code.as_str());
            let fits = match code {
                Some("complaints") => c.contact_type == domain::contact::ContactType::Complaint,
                Some("sales") | Some("support") => c.contact_type != domain::contact::ContactType::Complaint,
                _ => false,
            };
            assert!(fits, "{:?} in {code:?}", c.contact_type);
            let customer = c.customer_id.expect("customer linked");
            assert!(store.customer(customer).await.expect("read").is_some());
            assert!(!c.subject.is_empty());
            assert!(known(&c.topic), "open contact topic {:?}", c.topic);
        }
        assert_eq!(
            open.iter().map(|c| c.queue_id).collect::<std::collections::HashSet<_>>().len(),
            3,
            "every queue has work"
        );

        // Key clients have their managers; the seeded duplicates are found.
        let first_page = store.list_customers(2000, 0).await.expect("customers");
        let key: Vec<_> = first_page.iter().filter(|c| c.client_type == "key").collect();
        assert!(!key.is_empty() && key.iter().all(|c| c.manager_id.is_some()), "key clients managed");
        assert!(first_page.iter().filter(|c| c.consent).count() > 1700, "most consented");
        for i in crate::DUPLICATED {
            let original = first_page[i].id;
            let dups = store.customer_duplicates(original).await.expect("duplicates");
            assert!(dups.iter().any(|d| d.customer.id > 2000), "customer {original} has its duplicate");
        }

        let again = seed(&store, &bank_csv(), now, &cheap_hash).await;
        assert!(again.is_err(), "a second seed is refused");
        assert_eq!(store.count_customers().await.expect("customers"), all_customers);
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
