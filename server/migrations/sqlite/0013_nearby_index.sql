-- "Already reported nearby?" looks for open complaints of one category in a
-- small box around a point. At ten million complaints the (lat, lon) index
-- walks every complaint, open or long closed, in the box's band of
-- latitude. This index holds only the open ones, by category first, so the
-- lookup reads the few open complaints of that category in the band. Its
-- WHERE is written exactly as the query writes it (`Status::open_statuses`,
-- in `Status::ALL`'s order): SQLite uses a partial index only when the
-- query's terms match the index's.
CREATE INDEX complaint_open_place ON complaint (category_id, lat, lon)
    WHERE status IN ('submitted', 'referred', 'in_progress', 'returned', 'reopened');
