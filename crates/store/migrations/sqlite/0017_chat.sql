-- Web chat: a session per visitor (its token stored as SHA-256; the contact
-- of channel chat it belongs to; who the visitor said they are) and its
-- messages numbered 1..n per session. `cid` is the widget's own id of a
-- visitor message: unique per session, so a resend stores nothing new.
CREATE TABLE chat_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    queue_id BIGINT NOT NULL REFERENCES queues(id),
    visitor_name TEXT NOT NULL,
    visitor_email TEXT NOT NULL,
    visitor_phone TEXT NOT NULL,
    locale TEXT NOT NULL,
    page_url TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX chat_sessions_contact ON chat_sessions(contact_id);

CREATE TABLE chat_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id BIGINT NOT NULL REFERENCES chat_sessions(id),
    seq BIGINT NOT NULL,
    sender TEXT NOT NULL,
    author_id BIGINT REFERENCES users(id),
    body TEXT NOT NULL,
    attachment_id BIGINT REFERENCES contact_attachments(id),
    cid TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (session_id, seq),
    UNIQUE (session_id, cid)
);
