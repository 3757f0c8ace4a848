-- The dead-letter registry: every message that reached the requests' dead-letter queue, recorded
-- by the coordinator (which acks it only after the commit) so it can be listed, replayed and
-- dropped. No row holds a password: it is removed before a request is dead-lettered, and again
-- before a row is written, for dead letters the broker made itself.

CREATE TABLE dead_letters (
    dead_letter_id    uuid PRIMARY KEY,
    -- Orders the listing (newest first) and is its paging cursor.
    position          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    -- malformed, invalid, instance_busy, delivery_limit, or the broker's x-death reason.
    reason            text NOT NULL,
    -- The sentence behind the reason, password masked.
    detail            text NOT NULL,
    first_failed_at   timestamptz NOT NULL DEFAULT now(),
    -- How often the request reached the dead-letter queue: 1, plus one for each failed replay.
    delivery_count    integer NOT NULL DEFAULT 1 CHECK (delivery_count >= 1),
    replays           integer NOT NULL DEFAULT 0 CHECK (replays >= 0),
    -- The AMQP message id of the last dead letter recorded, so a redelivery counts once.
    last_message_id   text,
    -- Read from the body when it is a request; null otherwise.
    request_id        text,
    instance_id       text,
    -- The body without its password: JSON here when it parsed, else the text in raw_body.
    -- json, not jsonb: kept as written, and jsonb refuses \u0000.
    request           json,
    raw_body          text,
    -- Whether a password was removed: a replay must supply it again.
    password_removed  boolean NOT NULL DEFAULT false,
    CHECK ((request IS NULL) <> (raw_body IS NULL))
);

CREATE INDEX dead_letters_by_reason ON dead_letters (reason, position DESC);
CREATE INDEX dead_letters_by_instance ON dead_letters (instance_id, position DESC);
