//! Knowledge-base storage: versions of articles kept whole (the document is
//! JSON the server's `kb` crate reads), and who has read which version. The
//! store does not interpret documents; search lives in the index.

use serde_json::json;
use sqlx::Row;

use crate::events::{self, EventRefs, NewEvent};
use crate::{now_ms, Result, Store, StoreError};

/// One stored version of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleVersion {
    pub id: i64,
    pub version: i64,
    pub updated_at: i64,
    pub document: String,
}

impl Store {
    /// Stores a version of an article; the version must be new for that id.
    pub async fn put_article(&self, a: &ArticleVersion) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO kb_articles (id, version, updated_at, document) VALUES ($1, $2, $3, $4)")
            .bind(a.id)
            .bind(a.version)
            .bind(a.updated_at)
            .bind(&a.document)
            .execute(&mut *tx)
            .await
            .map_err(crate::conflict_as("article version"))?;
        let payload = json!({"article_id": a.id, "version": a.version});
        events::append(
            &mut tx,
            &NewEvent { at: a.updated_at, kind: "kb.article_changed", refs: EventRefs::default(), payload },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The newest version of every article, leaving out articles whose newest version is archived.
    pub async fn current_articles(&self) -> Result<Vec<ArticleVersion>> {
        let rows = sqlx::query(
            "SELECT a.id, a.version, a.updated_at, a.document FROM kb_articles a \
             JOIN (SELECT id, MAX(version) AS v FROM kb_articles GROUP BY id) m ON m.id = a.id AND m.v = a.version \
             WHERE a.status <> 'archived' ORDER BY a.id",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ArticleVersion {
                    id: r.try_get("id")?,
                    version: r.try_get("version")?,
                    updated_at: r.try_get("updated_at")?,
                    document: r.try_get("document")?,
                })
            })
            .collect()
    }

    /// Records that an operator read a version (idempotent).
    pub async fn ack_article(&self, user_id: i64, article_id: i64, version: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kb_articles WHERE id = $1 AND version = $2")
            .bind(article_id)
            .bind(version)
            .fetch_one(&mut *tx)
            .await?;
        if known == 0 {
            return Err(StoreError::NotFound("article version"));
        }
        let done: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM kb_acks WHERE user_id = $1 AND article_id = $2 AND version = $3")
                .bind(user_id)
                .bind(article_id)
                .bind(version)
                .fetch_one(&mut *tx)
                .await?;
        if done == 0 {
            let at = now_ms();
            sqlx::query("INSERT INTO kb_acks (user_id, article_id, version, at) VALUES ($1, $2, $3, $4)")
                .bind(user_id)
                .bind(article_id)
                .bind(version)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            let refs = EventRefs { agent_id: Some(user_id), ..Default::default() };
            let payload = json!({"article_id": article_id, "version": version});
            events::append(&mut tx, &NewEvent { at, kind: "kb.article_read", refs, payload }).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// (operator id, version) of every acknowledgement of one article.
    pub async fn article_readers(&self, article_id: i64) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query("SELECT user_id, version FROM kb_acks WHERE article_id = $1")
            .bind(article_id)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(|r| Ok((r.try_get("user_id")?, r.try_get("version")?))).collect()
    }

    /// (article id, version, at) an operator has acknowledged.
    pub async fn article_acks(&self, user_id: i64) -> Result<Vec<(i64, i64, i64)>> {
        let rows = sqlx::query("SELECT article_id, version, at FROM kb_acks WHERE user_id = $1 ORDER BY article_id")
            .bind(user_id)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(|r| Ok((r.try_get("article_id")?, r.try_get("version")?, r.try_get("at")?))).collect()
    }
}
