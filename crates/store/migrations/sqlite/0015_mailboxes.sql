-- The email channel: mailboxes an administrator configures (IMAP in, SMTP
-- out; passwords sealed by the server with its secret key, never in clear),
-- the ingestion cursor (UIDVALIDITY + highest processed UID) advanced in the
-- same transaction as the contacts a letter creates, and every letter in or
-- out by Message-ID so answers thread into their contact.
CREATE TABLE mailboxes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    address TEXT NOT NULL UNIQUE,
    imap_host TEXT NOT NULL,
    imap_port BIGINT NOT NULL,
    imap_tls TEXT NOT NULL,
    imap_user TEXT NOT NULL,
    imap_password TEXT NOT NULL,
    imap_folder TEXT NOT NULL,
    smtp_host TEXT NOT NULL,
    smtp_port BIGINT NOT NULL,
    smtp_tls TEXT NOT NULL,
    smtp_user TEXT NOT NULL,
    smtp_password TEXT NOT NULL,
    queue_id BIGINT NOT NULL REFERENCES queues(id),
    topic TEXT NOT NULL,
    contact_type TEXT NOT NULL,
    signature TEXT NOT NULL,
    active BIGINT NOT NULL,
    uid_validity BIGINT NOT NULL DEFAULT 0,
    last_uid BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE email_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox_id BIGINT NOT NULL REFERENCES mailboxes(id),
    contact_id BIGINT REFERENCES contacts(id),
    reply_id BIGINT REFERENCES contact_replies(id),
    direction TEXT NOT NULL,
    message_id TEXT NOT NULL,
    in_reply_to TEXT NOT NULL,
    references_ids TEXT NOT NULL,
    uid_validity BIGINT,
    uid BIGINT,
    from_address TEXT NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT,
    disposition TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (mailbox_id, uid_validity, uid)
);
CREATE INDEX email_messages_message_id ON email_messages(message_id);
CREATE INDEX email_messages_contact ON email_messages(contact_id);
CREATE INDEX email_messages_outbox ON email_messages(direction, disposition);

-- Inline images of letters: the Content-ID that `cid:` URLs in the HTML body name.
ALTER TABLE contact_attachments ADD COLUMN content_id TEXT;
