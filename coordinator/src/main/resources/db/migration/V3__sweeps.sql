-- The orphan sweeper: which ended migrations' leftovers are known to be gone, and the sweeps that
-- asked agents to remove them, with the agents' reports.

-- When the migration's agent reported that nothing of it is left (or, for a migration no attempt
-- of which ever reached an agent, when a sweep found that out); null while that is not known.
-- Only FAILED and CANCELLED migrations are swept.
ALTER TABLE migrations ADD COLUMN swept_at timestamptz;
CREATE INDEX migrations_unswept ON migrations (instance_id, finished_at)
    WHERE swept_at IS NULL AND state IN ('FAILED', 'CANCELLED');

CREATE TABLE sweeps (
    sweep_id     uuid PRIMARY KEY,
    -- REQUEST: POST /v1/gc; PERIODIC: coordinator.sweepInterval; AGENT: an agent's own sweep,
    -- recorded when its report arrives.
    trigger      text NOT NULL CHECK (trigger IN ('REQUEST', 'PERIODIC', 'AGENT')),
    -- The instance a request named; null for every instance.
    instance_id  text,
    requested_at timestamptz NOT NULL DEFAULT now()
);

-- One row per instance a sweep went to.
CREATE TABLE sweep_instances (
    sweep_id      uuid NOT NULL REFERENCES sweeps ON DELETE CASCADE,
    instance_id   text NOT NULL,
    -- The ended migrations the SweepLeftovers named.
    migration_ids uuid[] NOT NULL,
    -- SENDING: recorded, not confirmed by the broker yet; SENT: the control queue took it;
    -- NO_AGENT: no control queue took it; NOT_SENT: the broker failed; REPORTED: the agent's
    -- report is in.
    state         text NOT NULL
        CHECK (state IN ('SENDING', 'SENT', 'NO_AGENT', 'NOT_SENT', 'REPORTED')),
    error         text,
    reported_at   timestamptz,
    -- The LeftoversSwept body. json, not jsonb: kept as written, and jsonb refuses \u0000.
    report        json,
    PRIMARY KEY (sweep_id, instance_id)
);
