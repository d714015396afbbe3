-- The council's cartable: referrals between council members and to the
-- municipality. The referrals about one subject form a thread (thread_id
-- is its first referral's id; the first has its own id there).
CREATE TABLE council_referral (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id BIGINT NOT NULL,
    -- complaint, feedback or request
    subject TEXT NOT NULL,
    -- The complaint's or 1888 item's tracking code (NULL for a request).
    subject_code TEXT,
    from_user_id BIGINT NOT NULL REFERENCES app_user (id),
    -- A member; NULL: the municipality (the mayor's office answers).
    to_user_id BIGINT REFERENCES app_user (id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- When the receiver is first reminded.
    due_at BIGINT NOT NULL,
    answer TEXT,
    answered_by BIGINT REFERENCES app_user (id),
    answered_at BIGINT,
    reminders BIGINT NOT NULL DEFAULT 0,
    -- When the next reminder is due (the scheduler's claim moves it on).
    remind_at BIGINT NOT NULL
);
CREATE INDEX council_referral_thread ON council_referral (thread_id, id);
CREATE INDEX council_referral_to ON council_referral (to_user_id, answered_at);
CREATE INDEX council_referral_from ON council_referral (from_user_id, id);
CREATE INDEX council_referral_remind ON council_referral (answered_at, remind_at);
