-- Accountability: first-response deadlines, escalations of missed
-- deadlines, and the training clock. Same conventions as 0001.

-- When the responsible unit must first act on it (accept, return, answer):
-- the category's first-response time on the working calendar, counted from
-- the referral. NULL while it waits for dispatch.
ALTER TABLE complaint ADD COLUMN response_due_at BIGINT;
-- The escalation job reads open complaints past a deadline.
CREATE INDEX complaint_status_response_due ON complaint (status, response_due_at);
CREATE INDEX complaint_status_sla_due ON complaint (status, sla_due_at);

-- A missed deadline, raised once per (complaint, unit, deadline, level):
-- level 1 flags it in the unit manager's cartable, level 2 (after a grace)
-- sends it to inspection. The unique key makes the job idempotent across
-- retries, crashes and several server processes.
CREATE TABLE escalation (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id BIGINT NOT NULL REFERENCES complaint (id),
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    -- 'response' or 'resolution'
    deadline TEXT NOT NULL,
    level BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    at BIGINT NOT NULL,
    UNIQUE (complaint_id, unit_id, deadline, level)
);
CREATE INDEX escalation_level_at ON escalation (level, at);
CREATE INDEX escalation_unit_at ON escalation (unit_id, at);

-- An inspector's finding on a complaint, which the manager of the unit
-- holding it must answer; one open (not closed) finding per complaint,
-- which the partial unique index holds under parallel requests.
CREATE TABLE inspection_finding (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id BIGINT NOT NULL REFERENCES complaint (id),
    unit_id BIGINT REFERENCES unit (id),
    inspector_id BIGINT NOT NULL REFERENCES app_user (id),
    finding TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    answer TEXT,
    answered_by BIGINT REFERENCES app_user (id),
    answered_at BIGINT,
    closed_by BIGINT REFERENCES app_user (id),
    closed_at BIGINT
);
CREATE UNIQUE INDEX inspection_finding_open ON inspection_finding (complaint_id)
    WHERE closed_at IS NULL;
CREATE INDEX inspection_finding_unit ON inspection_finding (unit_id, closed_at);

-- Holidays an admin keeps (beside PASOKH_HOLIDAYS): Jalali dates written
-- with Latin digits, `1405/01/01`. Deadlines skip them from the next filing
-- or referral on, without a restart.
CREATE TABLE holiday (
    day TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

-- The training clock's offset from real time (PASOKH_CLOCK=simulated).
CREATE TABLE simulated_clock (
    id BIGINT PRIMARY KEY,
    offset_s BIGINT NOT NULL
);
