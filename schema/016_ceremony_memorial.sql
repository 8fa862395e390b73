-- 016: a memorial's ceremonies, latest first, for its family (the
-- ceremonies card of the memorial admin page,
-- GET /api/memorials/{id}/ceremonies). Without it that list read the whole
-- ceremonies table.
CREATE INDEX ceremonies_memorial ON ceremonies(memorial_id, scheduled_start);
