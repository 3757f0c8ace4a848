-- Cancel: a migration remembers that a cancel was asked for, and the outbox carries the
-- CancelMigration command for the agent of a running attempt.

-- When and why a cancel was requested; null when none was. A migration whose attempt is with its
-- agent stays RUNNING until that attempt ends, then ends CANCELLED instead of being retried.
ALTER TABLE migrations
    ADD COLUMN cancel_requested_at timestamptz,
    ADD COLUMN cancel_reason       text;

-- V1 named the check on outbox.kind by PostgreSQL's default: <table>_<column>_check.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
    CHECK (kind IN ('START_MIGRATION', 'CANCEL_MIGRATION', 'EVENT'));

-- Never two cancels for one attempt: a repeated cancel request changes nothing.
CREATE UNIQUE INDEX outbox_one_cancel_per_attempt
    ON outbox (migration_id, attempt) WHERE kind = 'CANCEL_MIGRATION';
