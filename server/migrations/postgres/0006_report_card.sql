-- The report card (کارنامه): running figures per unit and Tehran day, kept
-- in the same transaction as the timeline events they count, so a month's
-- card sums a few thousand rows whatever the number of complaints. Same
-- conventions as 0001.

-- When the current unit received it, and when that unit first acted on it
-- (NULL until it does). A new referral resets both.
ALTER TABLE complaint ADD COLUMN referred_at BIGINT;
ALTER TABLE complaint ADD COLUMN responded_at BIGINT;
UPDATE complaint SET referred_at = (SELECT MAX(e.at) FROM complaint_event e
    WHERE e.complaint_id = complaint.id AND e.kind = 'referred')
    WHERE unit_id IS NOT NULL;
UPDATE complaint SET responded_at = updated_at
    WHERE unit_id IS NOT NULL AND status NOT IN ('submitted', 'referred');

-- Who of that unit first opened it, and when (NULL until someone does): a
-- unit that saw an item and let its deadline pass goes to inspection
-- without waiting for the manager's grace.
ALTER TABLE complaint ADD COLUMN seen_at BIGINT;
ALTER TABLE complaint ADD COLUMN seen_by BIGINT REFERENCES app_user (id);

-- One counter: `metric` names the figure, `bucket` splits it (the stars of
-- a rating, the duration class of a response time; 0 when unused), `n`
-- counts and `total` sums (seconds, stars). `day` is the Tehran calendar
-- day as days since 1970-01-01.
CREATE TABLE unit_stat (
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    day BIGINT NOT NULL,
    metric TEXT NOT NULL,
    bucket BIGINT NOT NULL,
    n BIGINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (day, unit_id, metric, bucket)
);

-- Open and overdue per unit, now: read from an index alone.
CREATE INDEX complaint_status_unit_due ON complaint (status, unit_id, sla_due_at);
