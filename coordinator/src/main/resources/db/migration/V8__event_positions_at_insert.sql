-- A writer may also give its events their positions itself, as it inserts them: under the same
-- transaction-level advisory lock as give_event_position(), taken after every other lock the
-- transaction takes and held until its commit, with positions from the same sequence (see
-- EventLog.appendNumbered). Positions then still commit in the order they were given. The
-- deferred trigger now numbers only the rows inserted without a position: it was a second version
-- of every event row, with its index entries, at commit.
--
-- A constraint trigger's WHEN is checked when the row is inserted, not at commit, so a numbered
-- row queues no trigger event at all.

DROP TRIGGER events_position_at_commit ON events;

CREATE CONSTRAINT TRIGGER events_position_at_commit
    AFTER INSERT ON events
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NEW.position IS NULL)
    EXECUTE FUNCTION give_event_position();
