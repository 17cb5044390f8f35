//! The planner's records (migration 0014): interval histories, forecasts,
//! staffing plans and schedules. Each write appends its `planning.*` event
//! and an audit row in the same transaction. The maths and the shapes of the
//! JSON documents (backtest report, staffing rows, roster) belong to the
//! server and `wfm`; this module stores them whole.
//!
//! "From the centre": [`Store::arrivals`] counts contacts by creation time
//! per interval, the raw material of a history built from the centre's own
//! contacts.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::{self, AuditActor};
use crate::events::{self, EventRefs, NewEvent};
use crate::{now_ms, Result, Store, StoreError};
use domain::events as kinds;

/// Where a history came from.
pub const SOURCE_UPLOAD: &str = "upload";
pub const SOURCE_CENTRE: &str = "centre";

/// Schedule states.
pub const DRAFT: &str = "draft";
pub const PUBLISHED: &str = "published";

/// One interval of a history: wall-clock seconds of its start (local time of
/// the centre, as the forecast's calendar reads it), contacts, and the
/// average handling time when known.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    pub ts: i64,
    pub calls: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aht_s: Option<f64>,
}

/// A history to store.
#[derive(Debug, Clone)]
pub struct NewSeries {
    pub name: String,
    /// [`SOURCE_UPLOAD`] or [`SOURCE_CENTRE`].
    pub source: &'static str,
    pub interval_s: i64,
    pub points: Vec<SeriesPoint>,
}

/// A stored history.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub id: i64,
    pub name: String,
    pub source: String,
    pub interval_s: i64,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub points: Vec<SeriesPoint>,
}

/// A forecast to store.
#[derive(Debug, Clone)]
pub struct NewForecast {
    pub series_id: i64,
    /// What was asked: `auto` or a model name.
    pub method: String,
    /// The model that made the forecast.
    pub chosen: String,
    pub horizon_days: i64,
    /// The backtest report (per-model WAPE/MASE, excluded days), JSON.
    pub report: serde_json::Value,
    /// (wall-clock seconds, contacts) per interval.
    pub points: Vec<(i64, f64)>,
}

/// A stored forecast.
#[derive(Debug, Clone, Serialize)]
pub struct Forecast {
    pub id: i64,
    pub series_id: i64,
    pub method: String,
    pub chosen: String,
    pub horizon_days: i64,
    pub report: serde_json::Value,
    pub points: Vec<(i64, f64)>,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

/// A stored staffing plan: the targets it was computed for and one row per
/// interval, both JSON documents the server shapes.
#[derive(Debug, Clone, Serialize)]
pub struct Staffing {
    pub id: i64,
    pub forecast_id: i64,
    pub targets: serde_json::Value,
    pub rows: serde_json::Value,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

/// A schedule to store as a draft: the roster JSON and, for each operator
/// it names, the user (RosterOperator.id is the user's login).
#[derive(Debug, Clone)]
pub struct NewSchedule {
    pub name: String,
    pub staffing_id: Option<i64>,
    pub roster: String,
    pub operators: Vec<(String, i64)>,
}

/// A stored schedule.
#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub id: i64,
    pub name: String,
    pub staffing_id: Option<i64>,
    /// A `wfm::roster::Roster` as JSON.
    pub roster: String,
    /// [`DRAFT`] or [`PUBLISHED`].
    pub status: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub published_by: Option<i64>,
    pub published_at: Option<i64>,
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn series_from_row(r: &sqlx::any::AnyRow, with_points: bool) -> Result<Series> {
    let points = if with_points { from_json(&r.try_get::<String, _>("points")?, "series points")? } else { Vec::new() };
    Ok(Series {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        source: r.try_get("source")?,
        interval_s: r.try_get("interval_s")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        points,
    })
}

fn forecast_from_row(r: &sqlx::any::AnyRow, with_points: bool) -> Result<Forecast> {
    let points =
        if with_points { from_json(&r.try_get::<String, _>("points")?, "forecast points")? } else { Vec::new() };
    Ok(Forecast {
        id: r.try_get("id")?,
        series_id: r.try_get("series_id")?,
        method: r.try_get("method")?,
        chosen: r.try_get("chosen")?,
        horizon_days: r.try_get("horizon_days")?,
        report: from_json(&r.try_get::<String, _>("report")?, "forecast report")?,
        points,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

fn staffing_from_row(r: &sqlx::any::AnyRow) -> Result<Staffing> {
    Ok(Staffing {
        id: r.try_get("id")?,
        forecast_id: r.try_get("forecast_id")?,
        targets: from_json(&r.try_get::<String, _>("targets")?, "staffing targets")?,
        rows: from_json(&r.try_get::<String, _>("rows")?, "staffing rows")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

fn schedule_from_row(r: &sqlx::any::AnyRow) -> Result<Schedule> {
    Ok(Schedule {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        staffing_id: r.try_get("staffing_id")?,
        roster: r.try_get("roster")?,
        status: r.try_get("status")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        published_by: r.try_get("published_by")?,
        published_at: r.try_get("published_at")?,
    })
}

const SCHEDULE_COLS: &str =
    "s.id, s.name, s.staffing_id, s.roster, s.status, s.created_by, s.created_at, s.published_by, s.published_at";

impl Store {
    /// Stores a history with its `planning.series_imported` event and audit row.
    pub async fn create_series(&self, new: &NewSeries, actor: &AuditActor) -> Result<Series> {
        let at = now_ms();
        let points = to_json(&new.points)?;
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO planning_series (name, source, interval_s, points, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&new.name)
        .bind(new.source)
        .bind(new.interval_s)
        .bind(&points)
        .bind(actor.user_id)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let payload = serde_json::json!({"series_id": id, "source": new.source, "points": new.points.len()});
        append(&mut tx, at, actor, kinds::PLANNING_SERIES_IMPORTED, payload.clone()).await?;
        audit::record_in(&mut tx, actor, "planning.series_import", &format!("series:{id}"), &payload.to_string(), at)
            .await?;
        tx.commit().await?;
        Ok(Series {
            id,
            name: new.name.clone(),
            source: new.source.to_string(),
            interval_s: new.interval_s,
            created_by: actor.user_id,
            created_at: at,
            points: new.points.clone(),
        })
    }

    /// Every history, newest first, without points.
    pub async fn list_series(&self) -> Result<Vec<Series>> {
        let rows = sqlx::query(
            "SELECT id, name, source, interval_s, created_by, created_at FROM planning_series ORDER BY id DESC",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| series_from_row(r, false)).collect()
    }

    /// One history with its points.
    pub async fn series(&self, id: i64) -> Result<Series> {
        let row = sqlx::query(
            "SELECT id, name, source, interval_s, points, created_by, created_at FROM planning_series WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .ok_or(StoreError::NotFound("series"))?;
        series_from_row(&row, true)
    }

    /// Stores a forecast of an existing history.
    pub async fn create_forecast(&self, new: &NewForecast, actor: &AuditActor) -> Result<Forecast> {
        let at = now_ms();
        let (report, points) = (to_json(&new.report)?, to_json(&new.points)?);
        let mut tx = self.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM planning_series WHERE id = $1")
            .bind(new.series_id)
            .fetch_optional(&mut *tx)
            .await?;
        exists.ok_or(StoreError::NotFound("series"))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO planning_forecasts (series_id, method, chosen, horizon_days, report, points, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(new.series_id)
        .bind(&new.method)
        .bind(&new.chosen)
        .bind(new.horizon_days)
        .bind(&report)
        .bind(&points)
        .bind(actor.user_id)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let payload = serde_json::json!({"forecast_id": id, "series_id": new.series_id, "chosen": new.chosen});
        append(&mut tx, at, actor, kinds::PLANNING_FORECAST_CREATED, payload.clone()).await?;
        audit::record_in(&mut tx, actor, "planning.forecast", &format!("forecast:{id}"), &payload.to_string(), at)
            .await?;
        tx.commit().await?;
        Ok(Forecast {
            id,
            series_id: new.series_id,
            method: new.method.clone(),
            chosen: new.chosen.clone(),
            horizon_days: new.horizon_days,
            report: new.report.clone(),
            points: new.points.clone(),
            created_by: actor.user_id,
            created_at: at,
        })
    }

    /// Forecasts, newest first, without points; of one history when given.
    pub async fn list_forecasts(&self, series_id: Option<i64>) -> Result<Vec<Forecast>> {
        let rows = sqlx::query(
            "SELECT id, series_id, method, chosen, horizon_days, report, created_by, created_at \
             FROM planning_forecasts WHERE ($1 IS NULL OR series_id = $1) ORDER BY id DESC",
        )
        .bind(series_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| forecast_from_row(r, false)).collect()
    }

    /// One forecast with its points.
    pub async fn forecast(&self, id: i64) -> Result<Forecast> {
        let row = sqlx::query(
            "SELECT id, series_id, method, chosen, horizon_days, report, points, created_by, created_at \
             FROM planning_forecasts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .ok_or(StoreError::NotFound("forecast"))?;
        forecast_from_row(&row, true)
    }

    /// Stores a staffing plan of an existing forecast.
    pub async fn create_staffing(
        &self,
        forecast_id: i64,
        targets: &serde_json::Value,
        rows: &serde_json::Value,
        actor: &AuditActor,
    ) -> Result<Staffing> {
        let at = now_ms();
        let (t, r) = (to_json(targets)?, to_json(rows)?);
        let mut tx = self.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM planning_forecasts WHERE id = $1")
            .bind(forecast_id)
            .fetch_optional(&mut *tx)
            .await?;
        exists.ok_or(StoreError::NotFound("forecast"))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO planning_staffing (forecast_id, targets, rows, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(forecast_id)
        .bind(&t)
        .bind(&r)
        .bind(actor.user_id)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let payload = serde_json::json!({"staffing_id": id, "forecast_id": forecast_id});
        append(&mut tx, at, actor, kinds::PLANNING_STAFFING_CREATED, payload.clone()).await?;
        audit::record_in(&mut tx, actor, "planning.staffing", &format!("staffing:{id}"), &t, at).await?;
        tx.commit().await?;
        Ok(Staffing {
            id,
            forecast_id,
            targets: targets.clone(),
            rows: rows.clone(),
            created_by: actor.user_id,
            created_at: at,
        })
    }

    /// One staffing plan.
    pub async fn staffing(&self, id: i64) -> Result<Staffing> {
        let row = sqlx::query(
            "SELECT id, forecast_id, targets, rows, created_by, created_at FROM planning_staffing WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .ok_or(StoreError::NotFound("staffing plan"))?;
        staffing_from_row(&row)
    }

    /// Staffing plans, newest first; of one forecast when given.
    pub async fn list_staffing(&self, forecast_id: Option<i64>) -> Result<Vec<Staffing>> {
        let rows = sqlx::query(
            "SELECT id, forecast_id, targets, '[]' AS rows, created_by, created_at FROM planning_staffing \
             WHERE ($1 IS NULL OR forecast_id = $1) ORDER BY id DESC",
        )
        .bind(forecast_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(staffing_from_row).collect()
    }

    /// Stores a schedule as a draft, with the users it names.
    pub async fn create_schedule(&self, new: &NewSchedule, actor: &AuditActor) -> Result<Schedule> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO planning_schedules (name, staffing_id, roster, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&new.name)
        .bind(new.staffing_id)
        .bind(&new.roster)
        .bind(DRAFT)
        .bind(actor.user_id)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound("staffing plan"),
            _ => StoreError::Db(e),
        })?;
        for (login, user_id) in &new.operators {
            sqlx::query("INSERT INTO planning_schedule_operators (schedule_id, login, user_id) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(login)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(crate::conflict_as("schedule operator"))?;
        }
        let payload = serde_json::json!({"schedule_id": id, "operators": new.operators.len()});
        append(&mut tx, at, actor, kinds::PLANNING_SCHEDULE_CREATED, payload.clone()).await?;
        audit::record_in(&mut tx, actor, "planning.schedule", &format!("schedule:{id}"), &payload.to_string(), at)
            .await?;
        tx.commit().await?;
        self.schedule(id).await
    }

    /// One schedule.
    pub async fn schedule(&self, id: i64) -> Result<Schedule> {
        let row = sqlx::query(&format!("SELECT {SCHEDULE_COLS} FROM planning_schedules s WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("schedule"))?;
        schedule_from_row(&row)
    }

    /// Every schedule, newest first, without the roster.
    pub async fn list_schedules(&self) -> Result<Vec<Schedule>> {
        let cols = SCHEDULE_COLS.replace("s.roster", "'' AS roster");
        let rows = sqlx::query(&format!("SELECT {cols} FROM planning_schedules s ORDER BY s.id DESC"))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(schedule_from_row).collect()
    }

    /// Publishes a draft: from now on the operators it names see their
    /// shifts. A conditional update, so a schedule is published once
    /// (`Conflict` after that); event and audit row in the same transaction.
    pub async fn publish_schedule(&self, id: i64, actor: &AuditActor) -> Result<Schedule> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE planning_schedules SET status = $1, published_by = $2, published_at = $3 \
             WHERE id = $4 AND status = $5",
        )
        .bind(PUBLISHED)
        .bind(actor.user_id)
        .bind(at)
        .bind(id)
        .bind(DRAFT)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM planning_schedules WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            return Err(match exists {
                Some(_) => StoreError::Conflict("published schedule"),
                None => StoreError::NotFound("schedule"),
            });
        }
        let payload = serde_json::json!({"schedule_id": id});
        append(&mut tx, at, actor, kinds::PLANNING_SCHEDULE_PUBLISHED, payload).await?;
        audit::record_in(&mut tx, actor, "planning.schedule_publish", &format!("schedule:{id}"), "", at).await?;
        tx.commit().await?;
        self.schedule(id).await
    }

    /// Published schedules naming `user_id`, newest first, with the login
    /// the roster knows the user by.
    pub async fn published_schedules_of(&self, user_id: i64) -> Result<Vec<(Schedule, String)>> {
        let rows = sqlx::query(&format!(
            "SELECT {SCHEDULE_COLS}, o.login FROM planning_schedules s \
             JOIN planning_schedule_operators o ON o.schedule_id = s.id \
             WHERE o.user_id = $1 AND s.status = $2 ORDER BY s.published_at DESC, s.id DESC"
        ))
        .bind(user_id)
        .bind(PUBLISHED)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| Ok((schedule_from_row(r)?, r.try_get("login")?))).collect()
    }

    /// Contacts created in `[from_ms, to_ms)` counted per interval of
    /// `interval_ms` (aligned to the epoch), optionally of one channel and/or
    /// queue: `(interval start ms, count)` for intervals with any, in order.
    pub async fn arrivals(
        &self,
        from_ms: i64,
        to_ms: i64,
        interval_ms: i64,
        channel: Option<&str>,
        queue_id: Option<i64>,
    ) -> Result<Vec<(i64, i64)>> {
        if interval_ms <= 0 {
            return Err(StoreError::Invalid(domain::validate::Invalid { field: "interval", code: "invalid-interval" }));
        }
        let rows = sqlx::query(
            "SELECT (created_at / $1) * $1 AS slot, COUNT(*) AS n FROM contacts \
             WHERE created_at >= $2 AND created_at < $3 AND ($4 IS NULL OR channel = $4) \
             AND ($5 IS NULL OR queue_id = $5) GROUP BY slot ORDER BY slot",
        )
        .bind(interval_ms)
        .bind(from_ms)
        .bind(to_ms)
        .bind(channel)
        .bind(queue_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("slot")?, r.try_get("n")?))).collect()
    }
}

async fn append(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    at: i64,
    actor: &AuditActor,
    kind: &'static str,
    payload: serde_json::Value,
) -> Result<()> {
    let refs = EventRefs { agent_id: actor.user_id, ..EventRefs::default() };
    events::append(tx, &NewEvent { at, kind, refs, payload }).await
}
