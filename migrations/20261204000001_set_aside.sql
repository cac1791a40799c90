-- Deliveries set aside: an update or webhook message that failed for a reason that will not
-- go away (data PostgreSQL refuses, a bug), kept with its raw bytes and the reason so the
-- channel can move on to the next one and a person can look at this one later. The same
-- delivery again (Telegram or Meta resending it) is recognised by its id and kept once.
CREATE TABLE set_aside (
    id           BIGSERIAL PRIMARY KEY,
    channel      TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    chat_id      TEXT,
    raw          BYTEA NOT NULL,
    reason       TEXT NOT NULL,
    set_aside_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (channel, external_id)
);
