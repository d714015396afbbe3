-- The admin's configuration: a category's icon, its extra questions, and
-- the answers each filing gives to them.

ALTER TABLE category ADD COLUMN icon TEXT NOT NULL DEFAULT '';

-- A question a category asks on the filing forms. Removing one sets
-- `active` to 0: answers already given keep pointing at it.
CREATE TABLE category_question (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    category_id BIGINT NOT NULL REFERENCES category (id),
    position BIGINT NOT NULL,
    -- text, number or choice
    kind TEXT NOT NULL,
    label_fa TEXT NOT NULL,
    label_en TEXT NOT NULL,
    -- A choice's options as JSON: [{"fa": …, "en": …}, …]; '[]' otherwise.
    choices TEXT NOT NULL DEFAULT '[]',
    required BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX category_question_category ON category_question (category_id, active, position);

-- An answer, with a copy of the question's label and the answer's text in
-- both languages as they were when it was given.
CREATE TABLE complaint_answer (
    complaint_id BIGINT NOT NULL REFERENCES complaint (id),
    question_id BIGINT NOT NULL REFERENCES category_question (id),
    label_fa TEXT NOT NULL,
    label_en TEXT NOT NULL,
    value_fa TEXT NOT NULL,
    value_en TEXT NOT NULL,
    PRIMARY KEY (complaint_id, question_id)
);
