-- The report card's "open" and "overdue" as a running gauge: how many
-- complaints each unit holds unresolved (status referred, in_progress or
-- reopened), split by the Tehran day of their resolution deadline
-- (`due_day`, days since 1970-01-01; -1 for none). A month's card then sums
-- a few thousand gauge rows instead of counting every open complaint
-- (400,000 index entries at ten million complaints). Triggers keep it, so
-- every write path that moves a complaint (status, unit or deadline) counts
-- in its own transaction, and no code path can forget it. A row that falls
-- to zero is deleted, so the table holds only live (unit, day) pairs.
CREATE TABLE unit_open (
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    due_day BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (unit_id, due_day)
);

INSERT INTO unit_open (unit_id, due_day, n)
SELECT unit_id, COALESCE((sla_due_at + 12600) / 86400, -1), COUNT(*) FROM complaint
WHERE unit_id IS NOT NULL AND status IN ('referred', 'in_progress', 'reopened')
GROUP BY unit_id, COALESCE((sla_due_at + 12600) / 86400, -1);

-- The part of today that has passed: open complaints due between the start
-- of the Tehran day and now, read from this small index of open items only.
CREATE INDEX complaint_open_due ON complaint (sla_due_at)
    WHERE status IN ('referred', 'in_progress', 'reopened');

CREATE TRIGGER unit_open_insert AFTER INSERT ON complaint
WHEN NEW.unit_id IS NOT NULL AND NEW.status IN ('referred', 'in_progress', 'reopened')
BEGIN
    INSERT INTO unit_open (unit_id, due_day, n)
    VALUES (NEW.unit_id, COALESCE((NEW.sla_due_at + 12600) / 86400, -1), 1)
    ON CONFLICT (unit_id, due_day) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER unit_open_leave AFTER UPDATE OF status, unit_id, sla_due_at ON complaint
WHEN OLD.unit_id IS NOT NULL AND OLD.status IN ('referred', 'in_progress', 'reopened')
    AND (OLD.status IS NOT NEW.status OR OLD.unit_id IS NOT NEW.unit_id
        OR OLD.sla_due_at IS NOT NEW.sla_due_at)
BEGIN
    UPDATE unit_open SET n = n - 1
    WHERE unit_id = OLD.unit_id AND due_day = COALESCE((OLD.sla_due_at + 12600) / 86400, -1);
    DELETE FROM unit_open
    WHERE unit_id = OLD.unit_id AND due_day = COALESCE((OLD.sla_due_at + 12600) / 86400, -1)
        AND n = 0;
END;

CREATE TRIGGER unit_open_enter AFTER UPDATE OF status, unit_id, sla_due_at ON complaint
WHEN NEW.unit_id IS NOT NULL AND NEW.status IN ('referred', 'in_progress', 'reopened')
    AND (OLD.status IS NOT NEW.status OR OLD.unit_id IS NOT NEW.unit_id
        OR OLD.sla_due_at IS NOT NEW.sla_due_at)
BEGIN
    INSERT INTO unit_open (unit_id, due_day, n)
    VALUES (NEW.unit_id, COALESCE((NEW.sla_due_at + 12600) / 86400, -1), 1)
    ON CONFLICT (unit_id, due_day) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER unit_open_delete AFTER DELETE ON complaint
WHEN OLD.unit_id IS NOT NULL AND OLD.status IN ('referred', 'in_progress', 'reopened')
BEGIN
    UPDATE unit_open SET n = n - 1
    WHERE unit_id = OLD.unit_id AND due_day = COALESCE((OLD.sla_due_at + 12600) / 86400, -1);
    DELETE FROM unit_open
    WHERE unit_id = OLD.unit_id AND due_day = COALESCE((OLD.sla_due_at + 12600) / 86400, -1)
        AND n = 0;
END;

