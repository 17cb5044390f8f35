-- The catalogue (issue 6): items keyed by SKU with the columns queries use
-- and the whole `retail::catalogue::Item` / `Price` as JSON documents, stock
-- per (SKU, warehouse), and promotions as JSON documents by id.
CREATE TABLE catalogue_items (
    sku TEXT PRIMARY KEY,
    name_ru TEXT NOT NULL,
    name_kk TEXT NOT NULL,
    name_en TEXT NOT NULL,
    category TEXT NOT NULL,
    unit TEXT NOT NULL,
    listed BIGINT NOT NULL,
    price_retail BIGINT,
    item TEXT NOT NULL,
    price TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX catalogue_items_category ON catalogue_items(category);

CREATE TABLE catalogue_stock (
    sku TEXT NOT NULL REFERENCES catalogue_items(sku),
    warehouse TEXT NOT NULL,
    on_hand BIGINT NOT NULL CHECK (on_hand >= 0),
    reserved BIGINT NOT NULL CHECK (reserved >= 0 AND reserved <= on_hand),
    PRIMARY KEY (sku, warehouse)
);

CREATE TABLE catalogue_promotions (
    id TEXT PRIMARY KEY,
    promotion TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
