-- Dispatch's look-up of due migrations (Migrations.lockDue), made to read migrations_due in
-- next_attempt_at order and stop at its limit, whatever the table's statistics say. Planned
-- freely, it takes a bitmap of the index and a sort whenever the statistics expect few due rows
-- (a fresh store, analyzed empty; a store of long standing, its migrations mostly ended). A bitmap
-- reads every entry of the index that passes its condition, and the index keeps an entry for each
-- migration dispatched since the last vacuum (its old row version, still due): after a burst of
-- 10,000 requests, every look-up read 10,000 entries to return 200. An ordered scan stops at the
-- limit and marks the dead entries it passes, so the next look-up skips them. With sorting off,
-- the ordered scan is the only plan left that is not penalized; the setting holds only while the
-- function runs. PL/pgSQL keeps the query's plan for the session (re-planned, with the setting,
-- when the table's statistics change); an SQL function would plan it again at every call.
CREATE FUNCTION lock_due_migrations(max_rows integer) RETURNS SETOF migrations
    LANGUAGE plpgsql
    SET enable_sort = off
AS $$
BEGIN
    RETURN QUERY
        SELECT * FROM migrations
        WHERE next_attempt_at <= now() AND state IN ('PENDING', 'RUNNING')
          AND attempt < max_attempts
        ORDER BY next_attempt_at
        LIMIT max_rows
        FOR UPDATE SKIP LOCKED;
END
$$;
