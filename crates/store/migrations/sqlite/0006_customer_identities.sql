-- The customer card: identities (phones, e-mails, chat handles, normalised), the
-- assigned manager, personal-data consent, and merging of duplicates.
-- `name_norm` (the name folded for search) and the identities of customers that
-- existed before this migration are filled in by the store right after migrating
-- (`Store::migrate`), since folding Cyrillic case and normalising phones is done
-- in Rust (domain::customer), not in SQL.
ALTER TABLE customers ADD COLUMN name_norm TEXT;
ALTER TABLE customers ADD COLUMN manager_id BIGINT REFERENCES users(id);
ALTER TABLE customers ADD COLUMN consent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN consent_at BIGINT;
ALTER TABLE customers ADD COLUMN merged_into BIGINT REFERENCES customers(id);
CREATE INDEX customers_name_norm ON customers(name_norm);
CREATE INDEX customers_manager ON customers(manager_id);

CREATE TABLE customer_identities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (customer_id, kind, value)
);
CREATE INDEX customer_identities_value ON customer_identities(kind, value);
