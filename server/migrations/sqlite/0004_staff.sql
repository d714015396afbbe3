-- The back office: staff roles per unit, assignment, the SMS outbox and
-- the audit log. Same conventions as 0001: Unix seconds, 0/1 BIGINT booleans.

-- The roles a staff member holds; unit-scoped roles (unit_staff,
-- unit_manager) name their unit, city-wide ones have unit_id 0 (no unit):
-- 0 rather than NULL so the primary key forbids the same grant twice.
CREATE TABLE staff_role (
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    role TEXT NOT NULL,
    unit_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, role, unit_id)
);
CREATE INDEX staff_role_unit ON staff_role (unit_id, role);

-- Who in the unit works on it (a unit manager assigns; accepting takes it).
ALTER TABLE complaint ADD COLUMN assigned_to BIGINT REFERENCES app_user (id);
CREATE INDEX complaint_assigned ON complaint (assigned_to, status);
-- Dispatch and verification read by status, oldest first.
CREATE INDEX complaint_status_created ON complaint (status, created_at);
-- Cartables read by unit, most overdue first.
CREATE INDEX complaint_unit_due ON complaint (unit_id, sla_due_at);

-- The other complaint of a duplicate link, on both timelines.
ALTER TABLE complaint_event ADD COLUMN linked_id BIGINT REFERENCES complaint (id);

-- Staff sessions are shorter than citizens' and may be revoked together.
ALTER TABLE user_session ADD COLUMN kind TEXT NOT NULL DEFAULT 'citizen';

-- The language a citizen's text messages are written in.
ALTER TABLE app_user ADD COLUMN lang TEXT NOT NULL DEFAULT 'fa';

-- Text messages to citizens, written in the same transaction as the change
-- they announce and sent by a job with retries, so a failing provider never
-- blocks a staff action and a restart loses nothing. A sender leases a row
-- (lease_until) before sending; an expired lease is taken over.
CREATE TABLE sms_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone TEXT NOT NULL,
    body TEXT NOT NULL,
    complaint_id BIGINT REFERENCES complaint (id),
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    sent_at BIGINT,
    -- Set when the job gave up after its last attempt.
    failed_at BIGINT,
    last_error TEXT
);
CREATE INDEX sms_outbox_due ON sms_outbox (sent_at, failed_at, next_at);

-- Append-only: every staff action and sign-in. Nothing updates or deletes it.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    actor_user_id BIGINT REFERENCES app_user (id),
    -- The username at the time, or '-' (a failed sign-in names no account).
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT,
    client_addr TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_target ON audit_log (target, at);

-- Known places (squares, streets, landmarks) an operator can pick as the
-- address of a caller's complaint; picking one gives the point.
CREATE TABLE place (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL
);
CREATE INDEX place_name_fa ON place (name_fa);
