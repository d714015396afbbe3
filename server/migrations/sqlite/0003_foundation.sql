-- Foundation mends: stored objects a job may sweep, shared rate-limit
-- counters, and first-start admin accounts. Same conventions as 0001.

-- Every photo object a writer is about to store is claimed here first (in
-- its own committed transaction), and the claim is renewed on every upload
-- of the same content. The orphan sweeper deletes an object only while it
-- holds this row locked (a conditional UPDATE), only when the claim is older
-- than its grace period and no photo row refers to the key; a writer that
-- claims the key meanwhile waits for the sweeper's commit and then stores
-- the object again. So an object a concurrent filing references is never
-- deleted under it.
CREATE TABLE media_object (
    object_key TEXT PRIMARY KEY,
    claimed_at BIGINT NOT NULL
);
CREATE INDEX media_object_claimed ON media_object (claimed_at);
CREATE INDEX photo_object_key ON photo (object_key);

-- Fixed-window counters shared by every server process (per client
-- address, per account, …): `bucket` names what is counted, e.g.
-- `otp:addr:203.0.113.7`. Incremented with one atomic upsert.
CREATE TABLE rate_counter (
    bucket TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
CREATE INDEX rate_counter_window ON rate_counter (window_start);

-- 1 when the password was set by someone else (first start, an admin's
-- reset): it must be changed at the next sign-in.
ALTER TABLE app_user ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
