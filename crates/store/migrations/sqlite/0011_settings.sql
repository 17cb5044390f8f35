-- Centre-wide settings edited by administrators, one JSON document per key
-- (e.g. `service_levels`: SLA targets and legal deadline presets).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id)
);
