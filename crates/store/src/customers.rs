//! Customers of the centre. Their phones, e-mails and names are personal
//! data: the server masks them for roles without `ViewCustomerData` and
//! audits every unmasked view.

use serde::Serialize;
use sqlx::Row;

use crate::events::{self, EventRefs, NewEvent};
use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Customer {
    pub id: i64,
    pub full_name: String,
    pub phone: String,
    pub email: String,
    /// retail, key, regional, new … (004:219)
    pub client_type: String,
    pub locale: String,
    pub created_at: i64,
}

/// A customer to register (no id yet).
#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub full_name: String,
    pub phone: String,
    pub email: String,
    pub client_type: String,
    pub locale: String,
    pub created_at: i64,
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
    })
}

const COLUMNS: &str = "id, full_name, phone, email, client_type, locale, created_at";

impl Store {
    /// Registers customers in one transaction, one `customer.created` event
    /// each; returns their ids in order.
    pub async fn create_customers(&self, customers: &[NewCustomer]) -> Result<Vec<i64>> {
        let mut tx = self.begin().await?;
        let mut ids = Vec::with_capacity(customers.len());
        for c in customers {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO customers (full_name, phone, email, client_type, locale, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(&c.full_name)
            .bind(&c.phone)
            .bind(&c.email)
            .bind(&c.client_type)
            .bind(&c.locale)
            .bind(c.created_at)
            .fetch_one(&mut *tx)
            .await?;
            events::append(
                &mut tx,
                &NewEvent {
                    at: c.created_at,
                    kind: domain::events::CUSTOMER_CREATED,
                    refs: EventRefs { customer_id: Some(id), ..Default::default() },
                    payload: serde_json::json!({"client_type": c.client_type}),
                },
            )
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    pub async fn customer(&self, id: i64) -> Result<Option<Customer>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM customers WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// A page of customers ordered by id.
    pub async fn list_customers(&self, limit: i64, offset: i64) -> Result<Vec<Customer>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM customers ORDER BY id LIMIT $1 OFFSET $2"))
            .bind(limit)
            .bind(offset)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn count_customers(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM customers").fetch_one(self.reader()).await?)
    }
}
