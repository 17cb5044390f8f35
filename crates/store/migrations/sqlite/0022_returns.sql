-- Returns, exchanges and claims of orders (issue 6, docs/ORDERS.md
-- "Returns and claims"). A request is decided at once by
-- `retail::returns::decide` under the jurisdiction's presets; a refused one
-- is kept with its reason, an accepted one moved stock and money in the
-- same transaction (refund rows: `order_payments` with `return_id`).
CREATE TABLE order_returns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders(id),
    -- 'return' or 'exchange'.
    kind TEXT NOT NULL,
    -- What the customer said, free text.
    reason TEXT NOT NULL,
    -- 'proper' or 'defective' (as the customer states it).
    quality TEXT NOT NULL,
    written_terms_given BIGINT NOT NULL,
    -- The jurisdiction whose presets decided it ('KZ', 'RU').
    jurisdiction TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    -- 'accepted' or 'refused'.
    decision TEXT NOT NULL,
    -- retail::returns::Refusal code and the legal basis quoted to the customer.
    refusal_code TEXT,
    refusal_text TEXT NOT NULL DEFAULT '',
    -- The preset id (or 'warranty') an accepted request was decided under.
    basis TEXT NOT NULL DEFAULT '',
    -- The last day of the window that applied (YYYY-MM-DD), if any.
    last_day TEXT,
    -- Who registered the request (the decision is automatic); NULL for API tokens of no user.
    decided_by BIGINT REFERENCES users(id),
    -- Value given back (money refunded + debt written off), the money part, the debt part.
    refund BIGINT NOT NULL DEFAULT 0,
    refund_paid BIGINT NOT NULL DEFAULT 0,
    debt_reduced BIGINT NOT NULL DEFAULT 0,
    -- The seller's cost of getting goods of proper quality back, deducted from the refund.
    return_shipping BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX order_returns_order ON order_returns(order_id);
CREATE INDEX order_returns_requested ON order_returns(requested_at);

CREATE TABLE order_return_lines (
    return_id BIGINT NOT NULL REFERENCES order_returns(id),
    sku TEXT NOT NULL,
    qty BIGINT NOT NULL CHECK (qty > 0),
    -- What the customer paid per unit (after discounts).
    unit_paid BIGINT NOT NULL,
    -- Accepted: 'sellable' (back to `warehouse` on hand) or 'defective'
    -- (kept out of sellable stock: recorded here only). NULL when refused.
    stock_to TEXT,
    warehouse TEXT NOT NULL DEFAULT '',
    -- An accepted exchange: units of the same SKU reserved for the replacement.
    replacement_reserved BIGINT NOT NULL DEFAULT 0,
    replacement_warehouse TEXT NOT NULL DEFAULT '',
    refund BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (return_id, sku)
);

-- Claims (претензии) about an order: each is a complaint contact with the
-- legal answer deadline of the jurisdiction's consumer-claim preset.
CREATE TABLE order_claims (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders(id),
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    text TEXT NOT NULL,
    preset_id TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX order_claims_order ON order_claims(order_id);
