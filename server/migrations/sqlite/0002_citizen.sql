-- Phone sign-in and the citizen's side of the loop (rating, objection,
-- support). Same conventions as 0001: Unix seconds, 0/1 BIGINT booleans.

-- One live one-time-code challenge per phone number. Only a hash of the code
-- is kept. `sends` counts codes sent since `window_start` (resend limit);
-- `attempts` counts wrong guesses against the current code; after too many,
-- `locked_until` refuses both sending and checking for a while.
CREATE TABLE otp_challenge (
    phone TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    window_start BIGINT NOT NULL,
    sends BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    -- 1 once the code was used: a code signs in once.
    used BIGINT NOT NULL DEFAULT 0
);

-- Why a citizen objected ("not fixed"); the reason is for the unit, not the
-- public page.
CREATE TABLE objection (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id BIGINT NOT NULL REFERENCES complaint (id),
    citizen_id BIGINT NOT NULL REFERENCES app_user (id),
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX objection_complaint ON objection (complaint_id);

-- Nearby lookups filter by category and open status, then by box.
CREATE INDEX complaint_category_location ON complaint (category_id, lat, lon);
