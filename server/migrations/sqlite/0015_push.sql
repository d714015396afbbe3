-- Web Push, the optional second channel beside SMS (issue 11).
--
-- The server's VAPID key pair (RFC 8292): one row, made at the first start
-- (INSERT ... ON CONFLICT DO NOTHING, then read back, so two nodes starting
-- at once end with the same key). The private key is the P-256 scalar and
-- the public key the uncompressed point, both base64url without padding.
CREATE TABLE vapid_key (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    private_key TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A browser's push subscription to one complaint, made on its tracking
-- page. The same browser (one endpoint) may follow several complaints.
-- `lang` is the page's language at subscription time: the pushes are
-- written in it.
CREATE TABLE push_subscription (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id BIGINT NOT NULL REFERENCES complaint (id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    lang TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (complaint_id, endpoint)
);
CREATE INDEX push_subscription_endpoint ON push_subscription (endpoint);

-- Subscriptions a complaint holds, kept beside the rows: a subscribe raises
-- it with a conditional UPDATE (at most the limit), which takes the
-- complaint's row lock on PostgreSQL, so parallel subscribes cannot pass
-- the limit together (SQLite has one writer anyway).
ALTER TABLE complaint ADD COLUMN push_subscriptions BIGINT NOT NULL DEFAULT 0;

-- Pushes to send, written in the same transaction as the status change
-- they announce and sent by a leased job with backoff, as sms_outbox.
-- `payload` is the JSON {title, body, url} the service worker shows.
-- A subscription gone (unsubscribed, or 404/410 from its push service)
-- takes its pending pushes with it.
CREATE TABLE push_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id BIGINT NOT NULL REFERENCES push_subscription (id) ON DELETE CASCADE,
    payload TEXT NOT NULL,
    complaint_id BIGINT REFERENCES complaint (id),
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    sent_at BIGINT,
    failed_at BIGINT,
    last_error TEXT
);
CREATE INDEX push_outbox_due ON push_outbox (sent_at, failed_at, next_at);
CREATE INDEX push_outbox_subscription ON push_outbox (subscription_id);
