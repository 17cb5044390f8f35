-- The topic tree that classifies contacts: at most three levels (the store
-- checks depth and cycles), codes that never change so contacts keep
-- pointing at them, names in three languages, an optional suggested contact
-- type, and an active flag: a deactivated topic is no longer offered for new
-- contacts but stays for the ones that used it.
CREATE TABLE topics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id BIGINT REFERENCES topics(id),
    code TEXT NOT NULL UNIQUE,
    name_ru TEXT NOT NULL,
    name_kk TEXT NOT NULL,
    name_en TEXT NOT NULL,
    contact_type TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    position BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX topics_parent ON topics(parent_id);
