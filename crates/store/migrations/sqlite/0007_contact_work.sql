-- Work on a contact: internal notes, attachments (stored in the database),
-- links to other contacts and orders, written replies waiting for their
-- channel, and the notices a customer is sent on each visible status change
-- (written with the change, delivered later by the channels).
CREATE TABLE contact_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    author_id BIGINT REFERENCES users(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX contact_notes_contact ON contact_notes(contact_id);

CREATE TABLE contact_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    author_id BIGINT REFERENCES users(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    content BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX contact_attachments_contact ON contact_attachments(contact_id);

CREATE TABLE contact_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    kind TEXT NOT NULL,
    target_contact_id BIGINT REFERENCES contacts(id),
    order_ref TEXT,
    author_id BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX contact_links_contact ON contact_links(contact_id);
CREATE INDEX contact_links_target ON contact_links(target_contact_id);

CREATE TABLE contact_replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    author_id BIGINT REFERENCES users(id),
    channel TEXT NOT NULL,
    template_id BIGINT,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX contact_replies_contact ON contact_replies(contact_id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    channel TEXT NOT NULL,
    template_key TEXT NOT NULL,
    locale TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX notifications_contact ON notifications(contact_id);
CREATE INDEX notifications_status ON notifications(status);
