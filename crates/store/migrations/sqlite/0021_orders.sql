-- Orders (issue 6). An order is always taken in a contact: the operator's
-- call, chat or letter, or the contact an API / web-form order opens. Money
-- is integer minor units (tiyn, kopecks), prices include VAT
-- (`retail::money`, docs/RETAIL.md). Every change of an order appends an
-- `order.*` event with `order_id`, `contact_id` and `customer_id` set, so the
-- customer's timeline shows it.

-- Receivables and credit terms of a customer (the credit gate, 004:225-227).
CREATE TABLE customer_accounts (
    customer_id BIGINT PRIMARY KEY REFERENCES customers(id),
    -- Everything the customer owes now.
    balance BIGINT NOT NULL DEFAULT 0,
    -- The part of `balance` past its due date.
    overdue BIGINT NOT NULL DEFAULT 0,
    -- NULL: the customer buys with prepayment only.
    credit_limit BIGINT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    -- The operator who took it (NULL for API / web-form orders).
    operator_id BIGINT REFERENCES users(id),
    -- retail::order::Source: call, chat, email, messenger, web_form, api.
    source TEXT NOT NULL,
    -- The customer's client type when the order was priced.
    client_type TEXT NOT NULL,
    -- retail::order::Status.
    status TEXT NOT NULL,
    -- retail::order::DeliveryMethod: courier, post, pickup_point, self_pickup.
    delivery_method TEXT NOT NULL,
    address TEXT NOT NULL,
    pickup_point TEXT NOT NULL,
    slot_from BIGINT,
    slot_until BIGINT,
    receiver_name TEXT NOT NULL,
    receiver_phone TEXT NOT NULL,
    -- retail::order::PaymentMethod: card_link, cash_on_delivery, bank_transfer.
    payment_method TEXT NOT NULL,
    -- 'prepaid', 'on_delivery' or 'deferred:DAYS'.
    terms TEXT NOT NULL,
    -- Sum of line totals (after tier and promotion discounts).
    goods_total BIGINT NOT NULL,
    -- Sum of tier and promotion discounts of the lines.
    discount_total BIGINT NOT NULL,
    delivery_cost BIGINT NOT NULL,
    -- VAT included in `total` (lines plus delivery).
    vat_total BIGINT NOT NULL,
    -- goods_total + delivery_cost: what the customer pays.
    total BIGINT NOT NULL,
    -- Money received so far, and money given back.
    paid BIGINT NOT NULL DEFAULT 0,
    refunded BIGINT NOT NULL DEFAULT 0,
    carrier TEXT NOT NULL DEFAULT '',
    tracking TEXT NOT NULL DEFAULT '',
    -- retail::order::CancelReason when cancelled.
    cancel_reason TEXT,
    -- When the operator read the order back to the customer on the call.
    read_back_at BIGINT,
    -- The confirmation call's contact (an outbound callback), when one was needed.
    confirmation_contact_id BIGINT REFERENCES contacts(id),
    -- Extra items offered while the order was built (004:229) and the threshold then.
    offers_count BIGINT NOT NULL DEFAULT 0,
    offers_threshold BIGINT NOT NULL DEFAULT 0,
    -- Idempotency key of an API / web-form order (unique when set).
    request_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX orders_customer ON orders(customer_id, created_at);
CREATE INDEX orders_contact ON orders(contact_id);
CREATE INDEX orders_status ON orders(status, updated_at);
CREATE INDEX orders_created ON orders(created_at);

CREATE TABLE order_lines (
    order_id BIGINT NOT NULL REFERENCES orders(id),
    line_no BIGINT NOT NULL,
    sku TEXT NOT NULL REFERENCES catalogue_items(sku),
    -- The item's name (ru) when ordered, for documents and history.
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    qty BIGINT NOT NULL CHECK (qty > 0),
    -- Price per unit for the client type, before discounts.
    unit_price BIGINT NOT NULL,
    -- Cost per unit when ordered (0 when the catalogue has none): margin.
    unit_cost BIGINT NOT NULL DEFAULT 0,
    tier_discount BIGINT NOT NULL,
    promotion_id TEXT,
    promotion_discount BIGINT NOT NULL,
    total BIGINT NOT NULL,
    vat_bp BIGINT NOT NULL,
    vat BIGINT NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_sku ON order_lines(sku);

-- Stock held for an order, per warehouse (catalogue_stock.reserved holds the sum).
CREATE TABLE order_reservations (
    order_id BIGINT NOT NULL REFERENCES orders(id),
    sku TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    qty BIGINT NOT NULL CHECK (qty > 0),
    PRIMARY KEY (order_id, sku, warehouse)
);

-- Money in and out of an order: payments, cash at delivery, refunds.
CREATE TABLE order_payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders(id),
    -- 'payment' or 'refund'.
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    method TEXT NOT NULL,
    -- Why (a refund's cancellation or return), free text.
    note TEXT NOT NULL DEFAULT '',
    -- The return request a refund belongs to, if any (issue 6 returns).
    return_id BIGINT,
    by_user BIGINT REFERENCES users(id),
    at BIGINT NOT NULL
);
CREATE INDEX order_payments_order ON order_payments(order_id);

-- What was offered while the order was built (004:229).
CREATE TABLE order_offers (
    order_id BIGINT NOT NULL REFERENCES orders(id),
    sku TEXT NOT NULL,
    -- retail::offers::Why: special, new, usual, complement, alternative.
    why TEXT NOT NULL,
    accepted BIGINT NOT NULL,
    PRIMARY KEY (order_id, sku)
);
