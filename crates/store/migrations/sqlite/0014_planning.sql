-- The planner's room: interval histories (uploaded or counted from the
-- centre's own contacts), forecasts with their backtest report, staffing
-- plans, and schedules (a `wfm::roster::Roster` as JSON) that are drafted,
-- then published to the operators they name. Series points, forecast points,
-- staffing rows and rosters are JSON documents read whole, never queried by
-- range, so each is one column.
CREATE TABLE planning_series (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    interval_s BIGINT NOT NULL,
    points TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE TABLE planning_forecasts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    series_id BIGINT NOT NULL REFERENCES planning_series(id),
    method TEXT NOT NULL,
    chosen TEXT NOT NULL,
    horizon_days BIGINT NOT NULL,
    report TEXT NOT NULL,
    points TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX planning_forecasts_series ON planning_forecasts(series_id);
CREATE TABLE planning_staffing (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    forecast_id BIGINT NOT NULL REFERENCES planning_forecasts(id),
    targets TEXT NOT NULL,
    rows TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX planning_staffing_forecast ON planning_staffing(forecast_id);
CREATE TABLE planning_schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    staffing_id BIGINT REFERENCES planning_staffing(id),
    roster TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    published_by BIGINT REFERENCES users(id),
    published_at BIGINT
);
-- Who a schedule names: RosterOperator.id is the user's login.
CREATE TABLE planning_schedule_operators (
    schedule_id BIGINT NOT NULL REFERENCES planning_schedules(id),
    login TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (schedule_id, login)
);
CREATE INDEX planning_schedule_operators_user ON planning_schedule_operators(user_id);
-- Arrivals per interval ("from the centre") scan contacts by creation time.
CREATE INDEX IF NOT EXISTS contacts_created_at ON contacts(created_at);
