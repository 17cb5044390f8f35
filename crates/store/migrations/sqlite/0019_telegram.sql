-- The messenger channel (Telegram bots): bots (token sealed by the server,
-- webhook secret as its SHA-256), every processed update once (bot,
-- update_id), and the messages in and out of each messenger contact.
CREATE TABLE telegram_bots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    token_sealed TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    api_base TEXT NOT NULL,
    queue_id BIGINT NOT NULL REFERENCES queues(id),
    greeting TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE telegram_updates (
    bot_id BIGINT NOT NULL REFERENCES telegram_bots(id),
    update_id BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    contact_id BIGINT REFERENCES contacts(id),
    received_at BIGINT NOT NULL,
    PRIMARY KEY (bot_id, update_id)
);

CREATE TABLE messenger_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bot_id BIGINT NOT NULL REFERENCES telegram_bots(id),
    contact_id BIGINT REFERENCES contacts(id),
    reply_id BIGINT REFERENCES contact_replies(id),
    direction TEXT NOT NULL,
    chat_id BIGINT NOT NULL,
    message_id BIGINT,
    body TEXT NOT NULL,
    attachment_id BIGINT REFERENCES contact_attachments(id),
    status TEXT NOT NULL,
    error TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX messenger_messages_contact ON messenger_messages(contact_id);
CREATE INDEX messenger_messages_reply ON messenger_messages(reply_id);
