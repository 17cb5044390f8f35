//! Customers of the centre. Their phones, e-mails and names are personal
//! data: the server masks them for lists and audits every unmasked view.
//!
//! A customer has any number of normalised identities (`customer_identities`:
//! phones, e-mails, chat handles; see `domain::customer`), an assigned
//! manager, a personal-data consent flag, and a folded name (`name_norm`) so
//! search is case-insensitive for Cyrillic too (SQLite's `LOWER` is ASCII
//! only). Duplicates are found by shared identities and merged into a
//! survivor; a merged customer keeps its row with `merged_into` set and drops
//! out of lists and search.

use domain::customer::{
    duplicate_score, normalize_name, DuplicateReason, Identity, IdentityKind, Profile, SearchQuery,
};
use domain::validate::Invalid;
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use crate::audit::{record_in, AuditActor};
use crate::events::{self, EventRefs, NewEvent};
use crate::{now_ms, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Customer {
    pub id: i64,
    pub full_name: String,
    /// The main phone as entered (all phones are identities).
    pub phone: String,
    /// The main e-mail as entered (all e-mails are identities).
    pub email: String,
    /// retail, key, regional, new … (004:219; `domain::customer::CLIENT_TYPES`)
    pub client_type: String,
    pub locale: String,
    pub created_at: i64,
    /// The assigned manager (a user), if any.
    pub manager_id: Option<i64>,
    /// Consent to the processing of personal data.
    pub consent: bool,
    /// When consent was last given or withdrawn.
    pub consent_at: Option<i64>,
    /// Set when this customer was merged into another: the survivor.
    pub merged_into: Option<i64>,
}

/// A customer to register (no id yet). Its phone and e-mail become
/// identities when they normalise.
#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub full_name: String,
    pub phone: String,
    pub email: String,
    pub client_type: String,
    pub locale: String,
    pub created_at: i64,
    /// When consent to personal-data processing was given, if it was.
    pub consent_at: Option<i64>,
}

/// An identity as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredIdentity {
    pub id: i64,
    pub customer_id: i64,
    pub kind: IdentityKind,
    pub value: String,
    pub created_at: i64,
}

/// A possible duplicate of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateCandidate {
    pub customer: Customer,
    /// 0–100, higher is likelier (`domain::customer::duplicate_score`).
    pub score: u32,
    pub reasons: Vec<DuplicateReason>,
}

/// What a merge moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MergeOutcome {
    pub survivor: i64,
    pub duplicate: i64,
    pub identities_moved: i64,
    pub contacts_moved: i64,
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Customer> {
    Ok(Customer {
        id: r.try_get("id")?,
        full_name: r.try_get("full_name")?,
        phone: r.try_get("phone")?,
        email: r.try_get("email")?,
        client_type: r.try_get("client_type")?,
        locale: r.try_get("locale")?,
        created_at: r.try_get("created_at")?,
        manager_id: r.try_get("manager_id")?,
        consent: crate::to_bool(r.try_get("consent")?),
        consent_at: r.try_get("consent_at")?,
        merged_into: r.try_get("merged_into")?,
    })
}

fn identity_from_row(r: &sqlx::any::AnyRow) -> Result<StoredIdentity> {
    let kind: String = r.try_get("kind")?;
    Ok(StoredIdentity {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        kind: IdentityKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("identity kind {kind}")))?,
        value: r.try_get("value")?,
        created_at: r.try_get("created_at")?,
    })
}

const COLUMNS: &str =
    "id, full_name, phone, email, client_type, locale, created_at, manager_id, consent, consent_at, merged_into";
const IDENTITY_COLUMNS: &str = "id, customer_id, kind, value, created_at";

/// The identities a new customer's phone and e-mail give, where they normalise.
fn implied_identities(phone: &str, email: &str) -> Vec<Identity> {
    let mut out = Vec::new();
    if let Ok(p) = Identity::new(IdentityKind::Phone, phone) {
        out.push(p);
    }
    if let Ok(e) = Identity::new(IdentityKind::Email, email) {
        out.push(e);
    }
    out
}

/// Adds identities to a customer, skipping any it already has.
pub(crate) async fn add_identities(
    tx: &mut Transaction<'static, Any>,
    customer_id: i64,
    identities: &[Identity],
    at: i64,
) -> Result<()> {
    for i in identities {
        sqlx::query(
            "INSERT INTO customer_identities (customer_id, kind, value, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(customer_id)
        .bind(i.kind.as_str())
        .bind(&i.value)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub(crate) async fn insert_customer(
    tx: &mut Transaction<'static, Any>,
    c: &NewCustomer,
    identities: &[Identity],
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customers (full_name, phone, email, client_type, locale, created_at, name_norm, consent, \
         consent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&c.full_name)
    .bind(&c.phone)
    .bind(&c.email)
    .bind(&c.client_type)
    .bind(&c.locale)
    .bind(c.created_at)
    .bind(normalize_name(&c.full_name))
    .bind(i64::from(c.consent_at.is_some()))
    .bind(c.consent_at)
    .fetch_one(&mut **tx)
    .await?;
    add_identities(tx, id, identities, c.created_at).await?;
    events::append(
        tx,
        &NewEvent {
            at: c.created_at,
            kind: domain::events::CUSTOMER_CREATED,
            refs: EventRefs { customer_id: Some(id), ..Default::default() },
            payload: serde_json::json!({
                "client_type": c.client_type,
                "identities": identities.len(),
                "consent": c.consent_at.is_some(),
            }),
        },
    )
    .await?;
    Ok(id)
}

/// Locks a customer's row for the rest of the transaction (PostgreSQL; SQLite
/// has one writer) and reads whether it was merged; `None` when missing.
async fn lock_customer(tx: &mut Transaction<'static, Any>, id: i64) -> Result<Option<Option<i64>>> {
    let row = sqlx::query("UPDATE customers SET merged_into = merged_into WHERE id = $1 RETURNING merged_into")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match row {
        Some(r) => Some(r.try_get::<Option<i64>, _>("merged_into")?),
        None => None,
    })
}

/// Locks a customer that exists and was not merged (a merged card is
/// read-only: its survivor is the one to change).
async fn lock_live_customer(tx: &mut Transaction<'static, Any>, id: i64) -> Result<()> {
    match lock_customer(tx, id).await? {
        None => Err(StoreError::NotFound("customer")),
        Some(Some(_)) => Err(Invalid { field: "id", code: "customer-merged" }.into()),
        Some(None) => Ok(()),
    }
}

/// Customers per batch when filling in folded names and identities.
const BACKFILL_BATCH: i64 = 500;

impl Store {
    /// Registers customers in one transaction, one `customer.created` event
    /// each; phones and e-mails that normalise become identities. Returns
    /// their ids in order.
    pub async fn create_customers(&self, customers: &[NewCustomer]) -> Result<Vec<i64>> {
        let mut tx = self.begin().await?;
        let mut ids = Vec::with_capacity(customers.len());
        for c in customers {
            let identities = implied_identities(&c.phone, &c.email);
            ids.push(insert_customer(&mut tx, c, &identities).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Registers one customer with its identities (already normalised by
    /// `domain::customer::Identity::new`); the main phone and e-mail are the
    /// first of each kind. Audited.
    pub async fn register_customer(&self, c: &NewCustomer, identities: &[Identity], actor: &AuditActor) -> Result<i64> {
        let mut all = implied_identities(&c.phone, &c.email);
        for i in identities {
            if !all.contains(i) {
                all.push(i.clone());
            }
        }
        let first = |k: IdentityKind, given: &str| {
            if given.trim().is_empty() {
                all.iter().find(|i| i.kind == k).map(|i| i.value.clone()).unwrap_or_default()
            } else {
                given.trim().to_string()
            }
        };
        let c = NewCustomer {
            phone: first(IdentityKind::Phone, &c.phone),
            email: first(IdentityKind::Email, &c.email),
            ..c.clone()
        };
        let mut tx = self.begin().await?;
        let id = insert_customer(&mut tx, &c, &all).await?;
        let detail = format!("identities: {}, consent: {}", all.len(), c.consent_at.is_some());
        record_in(&mut tx, actor, "customer.create", &format!("customer:{id}"), &detail, c.created_at).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn customer(&self, id: i64) -> Result<Option<Customer>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM customers WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// A page of customers (not merged ones) ordered by id.
    pub async fn list_customers(&self, limit: i64, offset: i64) -> Result<Vec<Customer>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM customers WHERE merged_into IS NULL ORDER BY id LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Customers not merged into another.
    pub async fn count_customers(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE merged_into IS NULL")
            .fetch_one(self.reader())
            .await?)
    }

    /// A customer's identities, by kind then age.
    pub async fn customer_identities(&self, customer_id: i64) -> Result<Vec<StoredIdentity>> {
        let rows = sqlx::query(&format!(
            "SELECT {IDENTITY_COLUMNS} FROM customer_identities WHERE customer_id = $1 ORDER BY kind, id"
        ))
        .bind(customer_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(identity_from_row).collect()
    }

    /// Quick search: by phone in any format, e-mail, a fragment of the name
    /// (case-insensitive, Cyrillic too) or a contact's number (its customer).
    /// Merged customers are left out. The caller masks what it lists.
    pub async fn search_customers(&self, query: &SearchQuery, limit: i64) -> Result<Vec<Customer>> {
        let limit = limit.clamp(1, 500);
        let rows = match query {
            SearchQuery::Phone(v) | SearchQuery::Email(v) => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM customers WHERE merged_into IS NULL AND id IN \
                     (SELECT customer_id FROM customer_identities WHERE kind = $1 AND value = $2) ORDER BY id LIMIT $3"
                ))
                .bind(query.key())
                .bind(v.as_str())
                .bind(limit)
                .fetch_all(self.reader())
                .await?
            }
            SearchQuery::ContactNumber(n) => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM customers WHERE merged_into IS NULL AND id IN \
                     (SELECT customer_id FROM contacts WHERE id = $1) ORDER BY id LIMIT $2"
                ))
                .bind(*n)
                .bind(limit)
                .fetch_all(self.reader())
                .await?
            }
            SearchQuery::Name(fragment) => {
                let escaped = fragment.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM customers WHERE merged_into IS NULL AND name_norm LIKE $1 ESCAPE '\\' \
                     ORDER BY id LIMIT $2"
                ))
                .bind(format!("%{escaped}%"))
                .bind(limit)
                .fetch_all(self.reader())
                .await?
            }
        };
        rows.iter().map(from_row).collect()
    }

    /// Customers that look like the same person as `id`: they share a
    /// normalised identity (scored higher when the folded name matches too),
    /// likeliest first. Empty for a merged customer.
    pub async fn customer_duplicates(&self, id: i64) -> Result<Vec<DuplicateCandidate>> {
        let Some(me) = self.customer(id).await? else { return Err(StoreError::NotFound("customer")) };
        if me.merged_into.is_some() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM customers WHERE merged_into IS NULL AND id <> $1 AND id IN \
             (SELECT o.customer_id FROM customer_identities o JOIN customer_identities m \
              ON m.kind = o.kind AND m.value = o.value WHERE m.customer_id = $1) ORDER BY id LIMIT 100"
        ))
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        let others: Vec<Customer> = rows.iter().map(from_row).collect::<Result<_>>()?;
        let profile = |c: &Customer, ids: Vec<StoredIdentity>| Profile {
            name_norm: normalize_name(&c.full_name),
            identities: ids.into_iter().map(|i| Identity { kind: i.kind, value: i.value }).collect(),
        };
        let mine = profile(&me, self.customer_identities(id).await?);
        let mut out = Vec::new();
        for c in others {
            let theirs = profile(&c, self.customer_identities(c.id).await?);
            if let Some(s) = duplicate_score(&mine, &theirs) {
                out.push(DuplicateCandidate { customer: c, score: s.score, reasons: s.reasons });
            }
        }
        out.sort_by(|a, b| b.score.cmp(&a.score).then(a.customer.id.cmp(&b.customer.id)));
        Ok(out)
    }

    /// Merges `duplicate` into `survivor` in one transaction: the duplicate's
    /// identities (those the survivor lacks) and contacts move to the
    /// survivor, the survivor takes the duplicate's manager and consent where
    /// it has none, the duplicate is marked `merged_into`, and a
    /// `customer.merged` event and a `customer.merge` audit entry are written.
    /// Merging a customer into itself, or to or from a merged one, is
    /// refused and changes nothing.
    pub async fn merge_customers(&self, survivor: i64, duplicate: i64, actor: &AuditActor) -> Result<MergeOutcome> {
        if survivor == duplicate {
            return Err(Invalid { field: "duplicate_id", code: "merge-into-itself" }.into());
        }
        let mut tx = self.begin().await?;
        // Lock in id order so two opposite merges cannot deadlock.
        let (lo, hi) = (survivor.min(duplicate), survivor.max(duplicate));
        let first = lock_customer(&mut tx, lo).await?;
        let second = lock_customer(&mut tx, hi).await?;
        let (Some(a), Some(b)) = (first, second) else { return Err(StoreError::NotFound("customer")) };
        if a.is_some() || b.is_some() {
            return Err(Invalid { field: "duplicate_id", code: "merge-already-merged" }.into());
        }
        let identities_moved = sqlx::query(
            "UPDATE customer_identities SET customer_id = $1 WHERE customer_id = $2 AND NOT EXISTS \
             (SELECT 1 FROM customer_identities s WHERE s.customer_id = $1 \
              AND s.kind = customer_identities.kind AND s.value = customer_identities.value)",
        )
        .bind(survivor)
        .bind(duplicate)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // What is left on the duplicate the survivor already has.
        sqlx::query("DELETE FROM customer_identities WHERE customer_id = $1").bind(duplicate).execute(&mut *tx).await?;
        let contacts_moved = sqlx::query("UPDATE contacts SET customer_id = $1 WHERE customer_id = $2")
            .bind(survivor)
            .bind(duplicate)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query(
            "UPDATE customers SET \
             manager_id = COALESCE(manager_id, (SELECT d.manager_id FROM customers d WHERE d.id = $2)), \
             consent_at = CASE WHEN consent = 0 AND (SELECT d.consent FROM customers d WHERE d.id = $2) = 1 \
                 THEN (SELECT d.consent_at FROM customers d WHERE d.id = $2) ELSE consent_at END, \
             consent = CASE WHEN consent = 0 THEN (SELECT d.consent FROM customers d WHERE d.id = $2) \
                 ELSE consent END \
             WHERE id = $1",
        )
        .bind(survivor)
        .bind(duplicate)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE customers SET merged_into = $1 WHERE id = $2")
            .bind(survivor)
            .bind(duplicate)
            .execute(&mut *tx)
            .await?;
        let at = now_ms();
        let outcome = MergeOutcome {
            survivor,
            duplicate,
            identities_moved: i64::try_from(identities_moved).unwrap_or(i64::MAX),
            contacts_moved: i64::try_from(contacts_moved).unwrap_or(i64::MAX),
        };
        events::append(
            &mut tx,
            &NewEvent {
                at,
                kind: domain::events::CUSTOMER_MERGED,
                refs: EventRefs { customer_id: Some(survivor), agent_id: actor.user_id, ..Default::default() },
                payload: serde_json::json!({
                    "duplicate_id": duplicate,
                    "identities_moved": outcome.identities_moved,
                    "contacts_moved": outcome.contacts_moved,
                }),
            },
        )
        .await?;
        let detail = format!(
            "merged customer:{duplicate} ({} identities, {} contacts moved)",
            outcome.identities_moved, outcome.contacts_moved
        );
        record_in(&mut tx, actor, "customer.merge", &format!("customer:{survivor}"), &detail, at).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Assigns a customer's manager (an active user holding one of
    /// `domain::customer::MANAGER_ROLES`) or clears it; an event and an audit
    /// entry in the same transaction.
    pub async fn set_customer_manager(&self, id: i64, manager_id: Option<i64>, actor: &AuditActor) -> Result<()> {
        let mut tx = self.begin().await?;
        lock_live_customer(&mut tx, id).await?;
        if let Some(m) = manager_id {
            let active: Option<i64> =
                sqlx::query_scalar("SELECT active FROM users WHERE id = $1").bind(m).fetch_optional(&mut *tx).await?;
            if active != Some(1) {
                return Err(StoreError::NotFound("manager"));
            }
            let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1")
                .bind(m)
                .fetch_all(&mut *tx)
                .await?;
            let roles: Vec<domain::Role> = roles.iter().filter_map(|r| domain::Role::parse(r)).collect();
            if !domain::customer::can_be_manager(&roles) {
                return Err(Invalid { field: "manager_id", code: "manager-not-eligible" }.into());
            }
        }
        sqlx::query("UPDATE customers SET manager_id = $1 WHERE id = $2")
            .bind(manager_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let at = now_ms();
        events::append(
            &mut tx,
            &NewEvent {
                at,
                kind: domain::events::CUSTOMER_MANAGER_CHANGED,
                refs: EventRefs { customer_id: Some(id), agent_id: manager_id, ..Default::default() },
                payload: serde_json::json!({"manager_id": manager_id}),
            },
        )
        .await?;
        let detail = manager_id.map(|m| format!("manager user:{m}")).unwrap_or_else(|| "manager cleared".into());
        record_in(&mut tx, actor, "customer.manager", &format!("customer:{id}"), &detail, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that a customer gave (or withdrew) consent to the processing
    /// of personal data at `at`; an event and an audit entry.
    pub async fn set_customer_consent(&self, id: i64, consent: bool, at: i64, actor: &AuditActor) -> Result<()> {
        let mut tx = self.begin().await?;
        lock_live_customer(&mut tx, id).await?;
        sqlx::query("UPDATE customers SET consent = $1, consent_at = $2 WHERE id = $3")
            .bind(i64::from(consent))
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        events::append(
            &mut tx,
            &NewEvent {
                at,
                kind: domain::events::CUSTOMER_CONSENT_CHANGED,
                refs: EventRefs { customer_id: Some(id), ..Default::default() },
                payload: serde_json::json!({"consent": consent}),
            },
        )
        .await?;
        let detail = if consent { "consent given" } else { "consent withdrawn" };
        record_in(&mut tx, actor, "customer.consent", &format!("customer:{id}"), detail, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Fills in the folded name and the phone and e-mail identities of
    /// customers stored before they existed (migration 0006); run by
    /// [`Store::migrate`]. Idempotent and safe to run from several nodes at
    /// once. Returns how many customers it filled in.
    pub(crate) async fn backfill_customers(&self) -> Result<u64> {
        let mut done = 0;
        loop {
            let rows = sqlx::query(
                "SELECT id, full_name, phone, email, created_at FROM customers WHERE name_norm IS NULL \
                 ORDER BY id LIMIT $1",
            )
            .bind(BACKFILL_BATCH)
            .fetch_all(&self.write)
            .await?;
            if rows.is_empty() {
                return Ok(done);
            }
            let mut tx = self.begin().await?;
            for r in &rows {
                let id: i64 = r.try_get("id")?;
                let name: String = r.try_get("full_name")?;
                let phone: String = r.try_get("phone")?;
                let email: String = r.try_get("email")?;
                let created_at: i64 = r.try_get("created_at")?;
                add_identities(&mut tx, id, &implied_identities(&phone, &email), created_at).await?;
                sqlx::query("UPDATE customers SET name_norm = $1 WHERE id = $2")
                    .bind(normalize_name(&name))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                done += 1;
            }
            tx.commit().await?;
        }
    }
}

impl Store {
    /// Users who manage at least one (unmerged) key client: the key-account
    /// managers of the routing rule.
    pub async fn key_account_managers(&self) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT manager_id FROM customers WHERE client_type = 'key' AND manager_id IS NOT NULL \
             AND merged_into IS NULL ORDER BY manager_id",
        )
        .fetch_all(self.reader())
        .await?)
    }
}
