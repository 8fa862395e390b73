-- 015: paying for proxy sweeping. An order's payment has its own state,
-- apart from the order's (sweeping_orders.state): unpaid, paid, refunded.
-- Rules live in pay.c; providers (today only "office": at the cemetery's
-- office or by bank transfer, confirmed by staff) behind pay_provider.

-- How a cemetery is paid: the text it writes for families (payee, bank
-- account, office hours), and whether staff may start work before payment.
CREATE TABLE payment_settings (
	cemetery_id   INTEGER PRIMARY KEY REFERENCES cemeteries(id),
	provider      TEXT NOT NULL DEFAULT 'office' CHECK (provider IN ('office')),
	instructions  TEXT NOT NULL DEFAULT '',
	pay_later     INTEGER NOT NULL DEFAULT 0 CHECK (pay_later IN (0, 1)),
	updated_by    INTEGER REFERENCES users(id),
	updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- The payment of an order; no row: unpaid. amount_fen is what was paid
-- (the order's total when it was marked). paid_reference: the receipt or
-- transfer number staff typed; refund_reference likewise for the refund.
CREATE TABLE order_payments (
	order_id          INTEGER PRIMARY KEY REFERENCES sweeping_orders(id)
	                      ON DELETE CASCADE,
	provider          TEXT NOT NULL CHECK (provider IN ('office')),
	state             TEXT NOT NULL CHECK (state IN ('paid', 'refunded')),
	amount_fen        INTEGER NOT NULL CHECK (amount_fen >= 0),
	paid_reference    TEXT NOT NULL,
	paid_by           INTEGER REFERENCES users(id),
	paid_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	refund_reference  TEXT NOT NULL DEFAULT '',
	refunded_by       INTEGER REFERENCES users(id),
	refunded_at       TEXT
) STRICT;
