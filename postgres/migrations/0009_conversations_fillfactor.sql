-- 0009: every inbound message updates its conversation's row. Leaving a
-- fifth of each page free lets PostgreSQL write the new version beside the
-- old one (a heap-only update) without a new entry in each of the table's
-- five indexes, and prune the old version without waiting for a vacuum.
-- Pages written before this keep their fill until they are next rewritten.
ALTER TABLE conversations SET (fillfactor = 80);
