-- The working week an admin sets on the configuration page (one row, id 1),
-- over the configuration's PASOKH_WORK_HOURS, PASOKH_WEEKEND and
-- PASOKH_THURSDAY_UNTIL. Holidays stay in their own table.
CREATE TABLE work_week (
    id BIGINT PRIMARY KEY,
    -- 07:00-14:00
    hours TEXT NOT NULL,
    -- thu,fri
    weekend TEXT NOT NULL,
    -- 12:00, or '' for a full Thursday
    thursday_until TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
