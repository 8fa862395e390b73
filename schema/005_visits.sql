-- 005: cemetery visit slots and bookings; proxy grave-sweeping orders with
-- their captured items, state history, proof media; satisfaction ratings.

-- A visiting time of a cemetery with a cap in persons. booked is the sum of
-- the persons of the slot's active bookings, kept by visit.c in the
-- transaction that books or cancels (UPDATE ... WHERE booked + n <=
-- capacity), so the CHECK below is a last line of defence, not the rule.
CREATE TABLE visit_slots (
	id           INTEGER PRIMARY KEY,
	cemetery_id  INTEGER NOT NULL REFERENCES cemeteries(id),
	date         TEXT NOT NULL CHECK (date GLOB
	                 '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	start_time   TEXT NOT NULL CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
	end_time     TEXT NOT NULL CHECK (end_time GLOB '[0-2][0-9]:[0-5][0-9]'
	                 AND end_time > start_time),
	capacity     INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 100000),
	booked       INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND
	                 booked <= capacity),
	created_by   INTEGER REFERENCES users(id),
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	UNIQUE (cemetery_id, date, start_time)
) STRICT;

-- One booking covers 1 to 5 persons. booked_by is the staff member who
-- booked on the visitor's behalf (phone booking for the elderly), NULL when
-- the visitor booked. The contact phone is sealed (phone_enc) and masked
-- (phone_masked); never in clear. code is the random ticket code shown as
-- a QR code and scanned at the gate.
CREATE TABLE bookings (
	id             INTEGER PRIMARY KEY,
	slot_id        INTEGER NOT NULL REFERENCES visit_slots(id),
	cemetery_id    INTEGER NOT NULL REFERENCES cemeteries(id),
	plot_id        INTEGER NOT NULL REFERENCES plots(id),
	user_id        INTEGER NOT NULL REFERENCES users(id),
	booked_by      INTEGER REFERENCES users(id),
	persons        INTEGER NOT NULL CHECK (persons BETWEEN 1 AND 5),
	phone_enc      TEXT NOT NULL,
	phone_masked   TEXT NOT NULL,
	code           TEXT NOT NULL UNIQUE,
	state          TEXT NOT NULL DEFAULT 'booked' CHECK (state IN ('booked',
	                   'cancelled', 'checked_in')),
	checked_in_at  TEXT,
	checked_in_by  INTEGER REFERENCES users(id),
	cancelled_at   TEXT,
	created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	CHECK ((state = 'checked_in') = (checked_in_at IS NOT NULL))
) STRICT;
-- One active (not cancelled) booking per account and slot.
CREATE UNIQUE INDEX bookings_active ON bookings(slot_id, user_id)
	WHERE state != 'cancelled';
CREATE INDEX bookings_user ON bookings(user_id, id);
CREATE INDEX bookings_cemetery ON bookings(cemetery_id, slot_id);

-- A proxy grave-sweeping order. State rules live in sweeping.c; reason is
-- the cemetery's (rejected) or the family's (disputed).
CREATE TABLE sweeping_orders (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users(id),
	cemetery_id  INTEGER NOT NULL REFERENCES cemeteries(id),
	plot_id      INTEGER NOT NULL REFERENCES plots(id),
	date         TEXT NOT NULL CHECK (date GLOB
	                 '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	state        TEXT NOT NULL DEFAULT 'placed' CHECK (state IN ('placed',
	                 'accepted', 'in_progress', 'completed', 'confirmed',
	                 'cancelled', 'rejected', 'disputed')),
	note         TEXT NOT NULL DEFAULT '',
	reason       TEXT NOT NULL DEFAULT '',
	total_cents  INTEGER NOT NULL CHECK (total_cents >= 0),
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
CREATE INDEX sweeping_orders_user ON sweeping_orders(user_id, id);
CREATE INDEX sweeping_orders_cemetery ON sweeping_orders(cemetery_id, date,
	state);

-- What was ordered, with the name and price CAPTURED from the cemetery's
-- service list when the order was placed: later price changes do not
-- touch existing orders.
CREATE TABLE sweeping_items (
	id           INTEGER PRIMARY KEY,
	order_id     INTEGER NOT NULL REFERENCES sweeping_orders(id)
	                 ON DELETE CASCADE,
	service_id   INTEGER NOT NULL REFERENCES services(id),
	name         TEXT NOT NULL,
	price_cents  INTEGER NOT NULL CHECK (price_cents >= 0),
	quantity     INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
	UNIQUE (order_id, service_id)
) STRICT;

-- Every state change: who, when, why. from_state is NULL for the placing.
CREATE TABLE sweeping_events (
	id          INTEGER PRIMARY KEY,
	order_id    INTEGER NOT NULL REFERENCES sweeping_orders(id)
	                ON DELETE CASCADE,
	from_state  TEXT,
	to_state    TEXT NOT NULL,
	actor_id    INTEGER REFERENCES users(id),
	note        TEXT NOT NULL DEFAULT '',
	at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX sweeping_events_o ON sweeping_events(order_id, id);

-- Photos and short videos proving the work, stored by SHA-256 of the bytes
-- served. kept_location: the uploader asked to keep EXIF location and time;
-- otherwise they were stripped before hashing and storing.
CREATE TABLE sweeping_proofs (
	id             INTEGER PRIMARY KEY,
	order_id       INTEGER NOT NULL REFERENCES sweeping_orders(id)
	                   ON DELETE CASCADE,
	kind           TEXT NOT NULL CHECK (kind IN ('image', 'video')),
	hash           TEXT NOT NULL,
	mime           TEXT NOT NULL CHECK (mime IN ('image/jpeg', 'image/png',
	                   'image/webp', 'video/mp4', 'video/webm')),
	bytes          INTEGER NOT NULL,
	kept_location  INTEGER NOT NULL DEFAULT 0 CHECK (kept_location IN (0, 1)),
	uploaded_by    INTEGER NOT NULL REFERENCES users(id),
	created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
CREATE INDEX sweeping_proofs_o ON sweeping_proofs(order_id, id);

-- Satisfaction, 1 to 5 stars, of an agency or a cemetery; one per order.
-- order_id is NULL for ratings that come from elsewhere (ceremonies).
CREATE TABLE ratings (
	id            INTEGER PRIMARY KEY,
	subject_kind  TEXT NOT NULL CHECK (subject_kind IN ('agency',
	                  'cemetery')),
	subject_id    INTEGER NOT NULL,
	order_id      INTEGER UNIQUE REFERENCES sweeping_orders(id),
	user_id       INTEGER NOT NULL REFERENCES users(id),
	stars         INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
	comment       TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
CREATE INDEX ratings_subject ON ratings(subject_kind, subject_id);
