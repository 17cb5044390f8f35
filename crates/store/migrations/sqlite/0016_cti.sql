-- Voice through CTI: PBX integrations (token stored as its SHA-256), the
-- extensions they map to operators, each call's state keyed by the PBX's
-- callId, recordings (a link, or an uploaded file kept as an attachment),
-- and callback requests: outbound tasks released into their queue when due.
CREATE TABLE cti_integrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    dial_url TEXT NOT NULL,
    caller_id TEXT NOT NULL,
    blocked TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE cti_extensions (
    integration_id BIGINT NOT NULL REFERENCES cti_integrations(id),
    extension TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (integration_id, extension)
);

CREATE TABLE cti_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    integration_id BIGINT NOT NULL REFERENCES cti_integrations(id),
    call_id TEXT NOT NULL,
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (integration_id, call_id)
);
CREATE INDEX cti_calls_contact ON cti_calls(contact_id);

CREATE TABLE call_recordings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    url TEXT,
    attachment_id BIGINT REFERENCES contact_attachments(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX call_recordings_contact ON call_recordings(contact_id);

CREATE TABLE callbacks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    number TEXT NOT NULL,
    queue_id BIGINT NOT NULL REFERENCES queues(id),
    due_at BIGINT NOT NULL,
    source TEXT NOT NULL,
    request_key TEXT NOT NULL,
    released_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (source, request_key)
);
CREATE INDEX callbacks_due ON callbacks(released_at, due_at);
