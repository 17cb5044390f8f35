-- SLA and legal-deadline alerts: one row per contact, clock and level, so a
-- scanner that runs every few seconds raises each alert once.
CREATE TABLE contact_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    clock TEXT NOT NULL,
    level TEXT NOT NULL,
    due_at BIGINT,
    raised_at BIGINT NOT NULL,
    acknowledged_by BIGINT REFERENCES users(id),
    acknowledged_at BIGINT,
    UNIQUE (contact_id, clock, level)
);
CREATE INDEX contact_alerts_open ON contact_alerts(acknowledged_at);
