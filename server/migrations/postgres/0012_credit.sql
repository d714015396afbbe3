-- 1888 thanks credited to a staff member: whoever answers a thanks may pick
-- the employee it is about from the unit's staff, and it counts in that
-- employee's figures. Same conventions as 0006's unit_stat: `day` is the
-- Tehran day (of the thanks' filing), `metric` names the figure.
ALTER TABLE feedback ADD COLUMN credited_to BIGINT REFERENCES app_user (id);

CREATE TABLE staff_stat (
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    day BIGINT NOT NULL,
    metric TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, user_id, metric)
);
