-- The knowledge editor: who saved each article version, their summary of
-- what changed, and whether the version is published or archived (an
-- archived newest version takes the article out of search and the feed).
ALTER TABLE kb_articles ADD COLUMN author_id BIGINT REFERENCES users(id);
ALTER TABLE kb_articles ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE kb_articles ADD COLUMN status TEXT NOT NULL DEFAULT 'published';

-- Every version of every edited call script (the document is the
-- `domain::script::Script` as JSON). Runs saved on contacts name the
-- (script_id, version) they used, so old versions are never changed.
CREATE TABLE kb_scripts (
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    document TEXT NOT NULL,
    summary TEXT NOT NULL,
    author_id BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (id, version)
);

-- Reply templates edited in the room; a stored template replaces the
-- built-in one with the same id.
CREATE TABLE reply_templates (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    lang TEXT NOT NULL,
    body TEXT NOT NULL,
    active BIGINT NOT NULL,
    author_id BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL
);

-- Script actions performed, at most once per (contact, script, node, step):
-- re-submitting the step finds the row and creates nothing.
CREATE TABLE script_actions (
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    script_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    step_no BIGINT NOT NULL,
    action TEXT NOT NULL,
    created_contact_id BIGINT NOT NULL REFERENCES contacts(id),
    at BIGINT NOT NULL,
    PRIMARY KEY (contact_id, script_id, node_id, step_no)
);
