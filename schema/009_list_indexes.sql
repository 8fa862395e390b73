-- 009: an index for every list statement, so that none reads a whole table
-- that grows (tests/unit/test_store_plans.c checks every statement's plan).

-- The latest tributes of one kind on a memorial ("latest messages" on every
-- page view): equality on memorial, state and kind, newest first. The list
-- statement used to make kind optional inside its WHERE, which kept the
-- planner on tributes_m and read every published tribute of the memorial;
-- it now names kind, and this index has the columns in the statement's
-- order. It replaces tributes_mk (memorial, kind, state, id).
DROP INDEX tributes_mk;
CREATE INDEX tributes_msk ON tributes(memorial_id, state, kind, id);

-- Public ceremonies, latest first (GET /api/ceremonies).
CREATE INDEX ceremonies_public ON ceremonies(visibility, scheduled_start);
-- A ceremony's invite links.
CREATE INDEX ceremony_invites_c ON ceremony_invites(ceremony_id, id);
-- The memorials showing an image as their portrait (who may see it).
CREATE INDEX memorials_portrait ON memorials(portrait_hash);
-- Uses of a right, by action.
CREATE INDEX audit_log_action ON audit_log(action, id);
