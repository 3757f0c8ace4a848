-- The audit log: who did what to which migration or instance, and when. Rows are only added.

CREATE TABLE audit_log (
    audit_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Who: the HTTP caller's token name, "coordinator" for its own work, "agent <instance>" for a
    -- command an agent refused.
    actor        text NOT NULL,
    -- What: an AuditAction name, such as COMMAND_ISSUED or CANCEL_REQUESTED.
    action       text NOT NULL,
    -- No foreign keys: an entry may name a migration or instance the store does not know.
    migration_id uuid,
    instance_id  text,
    -- The action's particulars (command type, attempt, outcome, reason, ...). json, not jsonb:
    -- kept as written, and jsonb refuses \u0000.
    detail       json NOT NULL
);
CREATE INDEX audit_log_by_migration ON audit_log (migration_id, audit_id);
CREATE INDEX audit_log_by_action ON audit_log (action, audit_id);
CREATE INDEX audit_log_by_time ON audit_log (recorded_at);
