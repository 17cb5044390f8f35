-- Contacts, their redirection trace, notes; who serves which queue; operator states.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    direction TEXT NOT NULL,
    contact_type TEXT NOT NULL,
    topic TEXT NOT NULL,
    priority BIGINT NOT NULL,
    status TEXT NOT NULL,
    queue_id BIGINT REFERENCES queues(id),
    operator_id BIGINT REFERENCES users(id),
    customer_id BIGINT REFERENCES customers(id),
    subject TEXT NOT NULL,
    wrapup TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_status ON contacts(status);
CREATE INDEX contacts_customer ON contacts(customer_id);
CREATE INDEX contacts_operator ON contacts(operator_id);

CREATE TABLE contact_hops (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    at BIGINT NOT NULL,
    from_queue_id BIGINT,
    to_queue_id BIGINT,
    from_operator_id BIGINT,
    to_operator_id BIGINT,
    reason TEXT NOT NULL,
    by_user_id BIGINT
);
CREATE INDEX contact_hops_contact ON contact_hops(contact_id);

CREATE TABLE queue_members (
    queue_id BIGINT NOT NULL REFERENCES queues(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (queue_id, user_id)
);

CREATE TABLE operator_states (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    state TEXT NOT NULL,
    since BIGINT NOT NULL
);
