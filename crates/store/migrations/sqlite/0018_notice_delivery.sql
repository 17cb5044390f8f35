-- Delivery of customer notices through the customer's channel: the status
-- pending → sending → sent | failed | undeliverable, the way it went (via)
-- and the address used, attempts with the next attempt time (back-off), the
-- last error, and when it was sent. `claimed_at` marks a claim: a worker
-- that took a notice and vanished is overtaken after a timeout.
ALTER TABLE notifications ADD COLUMN via TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN claimed_at BIGINT;
ALTER TABLE notifications ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN sent_at BIGINT;
CREATE INDEX notifications_due ON notifications(status, next_attempt_at);

-- SMS / messenger gateways: a webhook the notice sender POSTs to, with an
-- optional authorisation header value sealed by the server (never in clear).
CREATE TABLE notice_gateways (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    auth_header TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
