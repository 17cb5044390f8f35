//! What the public pages read: a contact shown to whoever proves they are
//! its customer (the number plus one of the customer's identities), and
//! counts of recent attempts for rate limits (kept in the audit log, so they
//! survive restarts and every attempt is on record).

use domain::customer::Identity;

use crate::contacts::Contact;
use crate::{Result, Store};

impl Store {
    /// Contact `id` when its customer has `identity`; `None` for an unknown
    /// number and for a wrong pair alike.
    pub async fn contact_for_identity(&self, id: i64, identity: &Identity) -> Result<Option<Contact>> {
        let owned: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM contacts c JOIN customer_identities i ON i.customer_id = c.customer_id \
             WHERE c.id = $1 AND i.kind = $2 AND i.value = $3",
        )
        .bind(id)
        .bind(identity.kind.as_str())
        .bind(&identity.value)
        .fetch_one(self.reader())
        .await?;
        if owned == 0 {
            return Ok(None);
        }
        self.contact(id).await
    }

    /// How many audit rows of `action` came from `ip` since `since_ms`.
    pub async fn recent_actions_from(&self, action: &str, ip: &str, since_ms: i64) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1 AND ip = $2 AND at >= $3")
            .bind(action)
            .bind(ip)
            .bind(since_ms)
            .fetch_one(self.reader())
            .await?)
    }
}
