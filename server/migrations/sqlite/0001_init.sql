-- Pasokh schema. One text for both backends: `INTEGER PRIMARY KEY AUTOINCREMENT` becomes the
-- auto-increment key type of the backend (see gen.sh); everything else is
-- portable SQL. Times are Unix seconds (BIGINT), booleans are 0/1 BIGINT so
-- both backends read them as i64 through sqlx's Any driver.

-- District (منطقه): a polygon; routing picks the unit for (category, district).
CREATE TABLE district (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL,
    -- GeoJSON Polygon geometry (rings of [lon, lat]).
    geometry TEXT NOT NULL,
    -- Bounding box, so point-in-polygon runs only on candidates.
    min_lon DOUBLE PRECISION NOT NULL,
    min_lat DOUBLE PRECISION NOT NULL,
    max_lon DOUBLE PRECISION NOT NULL,
    max_lat DOUBLE PRECISION NOT NULL
);

-- Unit: a district office, an organisation (waste, parks, traffic…) or an
-- emergency unit. Each has a cartable (کارتابل) of what is referred to it.
CREATE TABLE unit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL,
    district_id BIGINT REFERENCES district (id)
);

CREATE TABLE category (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    group_fa TEXT NOT NULL,
    group_en TEXT NOT NULL,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL,
    urgent BIGINT NOT NULL DEFAULT 0,
    first_response_hours BIGINT NOT NULL,
    resolution_hours BIGINT NOT NULL,
    -- 0 = not place-bound: no "already reported nearby?" check.
    nearby_radius_m BIGINT NOT NULL,
    unit_kind TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    sort_order BIGINT NOT NULL DEFAULT 0
);

-- Which unit answers a category in a district.
CREATE TABLE routing_rule (
    category_id BIGINT NOT NULL REFERENCES category (id),
    district_id BIGINT NOT NULL REFERENCES district (id),
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    PRIMARY KEY (category_id, district_id)
);

-- Citizens (by phone) and staff (by username and password).
CREATE TABLE app_user (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone TEXT UNIQUE,
    username TEXT UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    role TEXT NOT NULL,
    unit_id BIGINT REFERENCES unit (id),
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Sessions: only a hash of the cookie's token is stored.
CREATE TABLE user_session (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX user_session_user ON user_session (user_id);

CREATE TABLE complaint (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tracking_code TEXT NOT NULL UNIQUE,
    category_id BIGINT NOT NULL REFERENCES category (id),
    description TEXT NOT NULL,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    accuracy_m DOUBLE PRECISION,
    address TEXT,
    -- app, web, kiosk, phone, in_person
    channel TEXT NOT NULL,
    citizen_id BIGINT REFERENCES app_user (id),
    district_id BIGINT REFERENCES district (id),
    unit_id BIGINT REFERENCES unit (id),
    status TEXT NOT NULL,
    duplicate_of BIGINT REFERENCES complaint (id),
    support_count BIGINT NOT NULL DEFAULT 0,
    sla_due_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX complaint_location ON complaint (lat, lon);
CREATE INDEX complaint_unit_status ON complaint (unit_id, status);
CREATE INDEX complaint_citizen ON complaint (citizen_id);
CREATE INDEX complaint_category_status ON complaint (category_id, status);

-- The timeline: every change, answer and note, in order.
CREATE TABLE complaint_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id BIGINT NOT NULL REFERENCES complaint (id),
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    actor_user_id BIGINT REFERENCES app_user (id),
    actor_role TEXT NOT NULL,
    unit_id BIGINT REFERENCES unit (id),
    note TEXT,
    -- 1 when the public tracking page shows it.
    public BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX complaint_event_complaint ON complaint_event (complaint_id, id);

-- Photos, re-encoded on upload; keys name objects in the object store.
CREATE TABLE photo (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id BIGINT NOT NULL REFERENCES complaint (id),
    event_id BIGINT REFERENCES complaint_event (id),
    -- citizen or proof (proof of fix)
    kind TEXT NOT NULL,
    object_key TEXT NOT NULL,
    thumb_key TEXT NOT NULL,
    content_type TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX photo_complaint ON photo (complaint_id);

-- One rating per complaint, by its filer.
CREATE TABLE rating (
    complaint_id BIGINT PRIMARY KEY REFERENCES complaint (id),
    stars BIGINT NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment TEXT,
    created_at BIGINT NOT NULL
);

-- "Me too": one support per person per complaint.
CREATE TABLE support (
    complaint_id BIGINT NOT NULL REFERENCES complaint (id),
    supporter TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (complaint_id, supporter)
);

-- A retried write returns its first answer.
CREATE TABLE idempotency_key (
    scope TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status BIGINT NOT NULL,
    response_body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
