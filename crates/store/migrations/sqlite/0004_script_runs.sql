-- The script an operator runs inside a contact and the path taken (QA reads it).
CREATE TABLE contact_script_runs (
    contact_id BIGINT PRIMARY KEY REFERENCES contacts(id),
    script_id TEXT NOT NULL,
    script_version BIGINT NOT NULL,
    path TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
