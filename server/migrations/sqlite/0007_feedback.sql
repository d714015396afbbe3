-- 1888: criticism, suggestions and thanks, each with a tracking code, for a
-- unit or for the 1888 desk (unit_id NULL). Same conventions as 0001.
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tracking_code TEXT NOT NULL UNIQUE,
    -- criticism, suggestion, thanks
    kind TEXT NOT NULL,
    unit_id BIGINT REFERENCES unit (id),
    employee TEXT,
    body TEXT NOT NULL,
    citizen_id BIGINT REFERENCES app_user (id),
    -- Made when the form opened: a retried post files once.
    form_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    answer TEXT,
    answered_by BIGINT REFERENCES app_user (id),
    answered_at BIGINT
);
-- The desks read what waits, oldest first.
CREATE INDEX feedback_waiting ON feedback (answered_at, unit_id, created_at);
