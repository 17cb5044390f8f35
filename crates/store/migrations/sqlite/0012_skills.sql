-- The skill catalogue (codes never change; skills are deactivated, not
-- deleted), operators' skills and capacity, and the skills queues and
-- contacts require. Routing offers a contact only to an operator with every
-- required skill at its minimum level and room on the contact's channel.
CREATE TABLE skills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name_ru TEXT NOT NULL,
    name_kk TEXT NOT NULL,
    name_en TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
-- Operators' capacity per channel: a missing row means the default
-- (`domain::skill::default_capacity`).
CREATE TABLE operator_capacity (
    user_id BIGINT NOT NULL REFERENCES users(id),
    channel TEXT NOT NULL,
    max_contacts BIGINT NOT NULL,
    PRIMARY KEY (user_id, channel)
);
-- Operators' skills with levels 1–5.
CREATE TABLE operator_skills (
    user_id BIGINT NOT NULL REFERENCES users(id),
    skill_id BIGINT NOT NULL REFERENCES skills(id),
    level BIGINT NOT NULL,
    PRIMARY KEY (user_id, skill_id)
);
-- Skills every contact of a queue requires (merged with the contact's own).
CREATE TABLE queue_skills (
    queue_id BIGINT NOT NULL REFERENCES queues(id),
    skill_id BIGINT NOT NULL REFERENCES skills(id),
    min_level BIGINT NOT NULL,
    PRIMARY KEY (queue_id, skill_id)
);
-- Skills a contact itself requires (set at registration, edited by supervisors).
CREATE TABLE contact_skills (
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    skill_id BIGINT NOT NULL REFERENCES skills(id),
    min_level BIGINT NOT NULL,
    PRIMARY KEY (contact_id, skill_id)
);
