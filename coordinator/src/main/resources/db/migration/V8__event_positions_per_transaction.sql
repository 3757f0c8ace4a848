-- V4's trigger gave each event its position in a statement of its own at commit: an UPDATE, a
-- nextval and a notification per event, 30-40 us of store CPU per event while the advisory lock
-- serializes every folding transaction's commit (bench/event-positions.sh). Now the first firing
-- in a transaction gives every event the transaction stored a position, in one UPDATE under the
-- same lock, and sends one notification; the later firings find their event done and return after
-- one look-up by its key. The guarantee is V4's: positions are given under the lock at commit, so
-- they commit in the order they were given. Within a transaction, events are numbered by
-- (migration, attempt, seq), the order V4 gave events stored before it, so each migration's
-- events keep their order.
--
-- Only this transaction's events can have no position: every committed event got one before its
-- commit, and other transactions' uncommitted rows are invisible here.
CREATE OR REPLACE FUNCTION give_event_position() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
AS $$
BEGIN
    PERFORM 1 FROM events
    WHERE migration_id = NEW.migration_id AND attempt = NEW.attempt AND seq = NEW.seq
      AND position IS NULL;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(8099569347333483569);
    WITH numbered AS (
        SELECT migration_id, attempt, seq, nextval('event_positions') AS position
        FROM (SELECT migration_id, attempt, seq FROM events WHERE position IS NULL
              ORDER BY migration_id, attempt, seq) AS unnumbered
    )
    UPDATE events SET position = numbered.position
    FROM numbered
    WHERE events.migration_id = numbered.migration_id AND events.attempt = numbered.attempt
      AND events.seq = numbered.seq;
    -- Wakes the coordinator's event streams.
    PERFORM pg_notify('pgshuttle_events', '');
    RETURN NULL;
END;
$$;
