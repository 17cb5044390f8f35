-- Knowledge base: every version of every article (the document as JSON), and
-- operators' read acknowledgements of versions.
CREATE TABLE kb_articles (
    id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE kb_acks (
    user_id BIGINT NOT NULL REFERENCES users(id),
    article_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (user_id, article_id, version)
);
