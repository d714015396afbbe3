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


-- Leaving runs before entering, so a move within one unit and day nets
-- zero on one row. Row locks on the gauge rows are held to commit, like the
-- complaint's own. A move between two rows locks the lower (unit, day)
-- first, so two moves in opposite directions at once cannot deadlock. The
-- delete at zero cannot race an increment, which waits for the lock and
-- then inserts afresh (ON CONFLICT decides atomically).
CREATE FUNCTION unit_open_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    leaving BOOLEAN := TG_OP <> 'INSERT' AND OLD.unit_id IS NOT NULL
        AND OLD.status IN ('referred', 'in_progress', 'reopened');
    entering BOOLEAN := TG_OP <> 'DELETE' AND NEW.unit_id IS NOT NULL
        AND NEW.status IN ('referred', 'in_progress', 'reopened');
    old_day BIGINT;
    new_day BIGINT;
BEGIN
    IF leaving THEN
        old_day := COALESCE((OLD.sla_due_at + 12600) / 86400, -1);
    END IF;
    IF entering THEN
        new_day := COALESCE((NEW.sla_due_at + 12600) / 86400, -1);
    END IF;
    IF leaving AND entering AND (NEW.unit_id, new_day) < (OLD.unit_id, old_day) THEN
        PERFORM 1 FROM unit_open WHERE unit_id = NEW.unit_id AND due_day = new_day
            FOR UPDATE;
    END IF;
    IF leaving THEN
        UPDATE unit_open SET n = n - 1 WHERE unit_id = OLD.unit_id AND due_day = old_day;
        DELETE FROM unit_open WHERE unit_id = OLD.unit_id AND due_day = old_day AND n = 0;
    END IF;
    IF entering THEN
        INSERT INTO unit_open (unit_id, due_day, n) VALUES (NEW.unit_id, new_day, 1)
        ON CONFLICT (unit_id, due_day) DO UPDATE SET n = unit_open.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER unit_open_insert AFTER INSERT ON complaint FOR EACH ROW
    WHEN (NEW.unit_id IS NOT NULL AND NEW.status IN ('referred', 'in_progress', 'reopened'))
    EXECUTE FUNCTION unit_open_count();

CREATE TRIGGER unit_open_update AFTER UPDATE OF status, unit_id, sla_due_at ON complaint
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.unit_id IS DISTINCT FROM NEW.unit_id
        OR OLD.sla_due_at IS DISTINCT FROM NEW.sla_due_at)
    EXECUTE FUNCTION unit_open_count();

CREATE TRIGGER unit_open_delete AFTER DELETE ON complaint FOR EACH ROW
    WHEN (OLD.unit_id IS NOT NULL AND OLD.status IN ('referred', 'in_progress', 'reopened'))
    EXECUTE FUNCTION unit_open_count();
