-- Every stored event gets a store-wide position, by which event streams (GET /v1/events,
-- GET /v1/migrations/{id}/events) order events and resume after the last one a client saw.
--
-- A position taken from a sequence on insert could commit out of order: transaction A takes 10, B
-- takes 11 and commits first, and a reader that has seen 11 never looks at 10 again. So a
-- position is given at commit instead, by a deferred trigger that holds a transaction-level
-- advisory lock from then until the commit is done: positions commit in the order they were given,
-- and a reader that sees a position also sees every smaller one. The lock is the last one the
-- transaction takes, so it cannot be part of a deadlock, and it is held only while committing.
-- Until its transaction commits, an event's position is null, and no other transaction sees it.

CREATE SEQUENCE event_positions;

ALTER TABLE events ADD COLUMN position bigint;

-- Events stored before: in the order they were received.
UPDATE events
SET position = ordered.position
FROM (SELECT migration_id, attempt, seq,
             row_number() OVER (ORDER BY received_at, migration_id, attempt, seq) AS position
      FROM events) AS ordered
WHERE events.migration_id = ordered.migration_id
  AND events.attempt = ordered.attempt
  AND events.seq = ordered.seq;

SELECT setval('event_positions', COALESCE(max(position), 0) + 1, false) FROM events;

CREATE UNIQUE INDEX events_by_position ON events (position);
CREATE INDEX events_of_migration_by_position ON events (migration_id, position);

-- Runs once per inserted event, in insert order, when its transaction commits. The lock's key is
-- 'pgshutl1' in ASCII.
CREATE FUNCTION give_event_position() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(8099569347333483569);
    UPDATE events SET position = nextval('event_positions')
    WHERE migration_id = NEW.migration_id AND attempt = NEW.attempt AND seq = NEW.seq
      AND position IS NULL;
    -- Wakes the coordinator's event streams; one notification per transaction reaches them.
    PERFORM pg_notify('pgshuttle_events', '');
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER events_position_at_commit
    AFTER INSERT ON events
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION give_event_position();
