-- The coordinator's status store, in schema pgshuttle. Times are timestamptz from the database's
-- clock (now()), except step timings, which come from the agent's event timestamps.

-- Grows with every dispatch, across all migrations: an agent refuses a command whose token is
-- lower than one it has already seen.
CREATE SEQUENCE fencing_tokens;

CREATE TABLE migrations (
    migration_id      uuid PRIMARY KEY,
    request_id        text NOT NULL UNIQUE,
    instance_id       text NOT NULL,
    state             text NOT NULL
        CHECK (state IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    -- The current attempt; 0 until the first dispatch.
    attempt           integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts      integer NOT NULL CHECK (max_attempts >= 1),
    fencing_token     bigint,
    -- The request as received, WITHOUT the target password, so it can be shown and logged.
    request           jsonb NOT NULL,
    -- The target password, apart from the request; null when the target needs none.
    -- Stored in clear for now: issue 7 encrypts it.
    target_password   text,
    -- The last error: of the failed migration, or of the last failed attempt while retrying.
    error             text,
    -- VERIFY's summary, once the migration succeeded.
    verification      text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- When the next attempt is due; null when none is.
    next_attempt_at   timestamptz,
    -- The last sign of life (heartbeat or any event) of the current attempt's agent.
    last_heartbeat_at timestamptz
);

-- One live migration per instance: an agent runs one migration at a time.
CREATE UNIQUE INDEX migrations_one_live_per_instance
    ON migrations (instance_id) WHERE state IN ('PENDING', 'RUNNING');
CREATE INDEX migrations_due ON migrations (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX migrations_newest ON migrations (created_at DESC);
CREATE INDEX migrations_by_instance ON migrations (instance_id, created_at DESC);

CREATE TABLE attempts (
    migration_id  uuid NOT NULL REFERENCES migrations ON DELETE CASCADE,
    attempt       integer NOT NULL CHECK (attempt >= 1),
    state         text NOT NULL CHECK (state IN ('DISPATCHED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    fencing_token bigint NOT NULL,
    -- When the coordinator committed the attempt.
    dispatched_at timestamptz NOT NULL DEFAULT now(),
    -- When the broker confirmed the StartMigration; null while it waits in the outbox.
    published_at  timestamptz,
    finished_at   timestamptz,
    error         text,
    retryable     boolean,
    PRIMARY KEY (migration_id, attempt)
);

CREATE TABLE steps (
    migration_id uuid NOT NULL,
    attempt      integer NOT NULL,
    step         text NOT NULL,
    state        text NOT NULL CHECK (state IN ('RUNNING', 'SUCCEEDED', 'FAILED')),
    started_at   timestamptz,
    finished_at  timestamptz,
    -- {percent, bytesDone, bytesTotal, tablesDone, tablesTotal, detail}, each optional.
    progress     jsonb,
    -- The seq of the event that wrote progress, so that a late, older report is ignored.
    progress_seq bigint,
    summary      text,
    error        text,
    PRIMARY KEY (migration_id, attempt, step),
    FOREIGN KEY (migration_id, attempt) REFERENCES attempts ON DELETE CASCADE
);

-- Every event received or emitted, once: the key makes folding idempotent.
CREATE TABLE events (
    migration_id uuid NOT NULL REFERENCES migrations ON DELETE CASCADE,
    attempt      integer NOT NULL,
    seq          bigint NOT NULL,
    type         text NOT NULL,
    message_id   uuid NOT NULL,
    emitted_at   timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    -- False for an event of an attempt that was already over: stored, but it changed nothing.
    applied      boolean NOT NULL,
    -- The whole envelope. json, not jsonb: kept as sent, and jsonb refuses \u0000.
    envelope     json NOT NULL,
    PRIMARY KEY (migration_id, attempt, seq)
);

-- Messages the coordinator must publish, written in the transaction that decides them and marked
-- once the broker confirmed them, so that none is lost when the broker or the coordinator is down.
-- A StartMigration row carries no body: it is built from the attempt at publish time, so that the
-- target password is not copied here.
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    message_id   uuid NOT NULL UNIQUE,
    kind         text NOT NULL CHECK (kind IN ('START_MIGRATION', 'EVENT')),
    migration_id uuid NOT NULL REFERENCES migrations ON DELETE CASCADE,
    attempt      integer NOT NULL,
    event_seq    bigint,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    outcome      text CHECK (outcome IN ('ROUTED', 'UNROUTABLE', 'SKIPPED')),
    CHECK ((kind = 'EVENT') = (event_seq IS NOT NULL)),
    FOREIGN KEY (migration_id, attempt, event_seq) REFERENCES events
);

CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
-- Never two commands for one attempt.
CREATE UNIQUE INDEX outbox_one_command_per_attempt
    ON outbox (migration_id, attempt) WHERE kind = 'START_MIGRATION';
