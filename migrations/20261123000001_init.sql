-- Sigap's first schema: reporters, conversations, inbound messages, tickets, events, outbox.
-- Statuses, types and levels are stable English/Indonesian slugs checked here; their labels
-- live in locales/.

CREATE TABLE reporters (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT,
    unit        TEXT,
    locale      TEXT NOT NULL DEFAULT 'id',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One person may reach us on several channels; each channel identity maps to one reporter.
CREATE TABLE reporter_identities (
    channel       TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    reporter_id   BIGINT NOT NULL REFERENCES reporters (id),
    display_name  TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, external_id)
);
CREATE INDEX reporter_identities_reporter ON reporter_identities (reporter_id);

-- The dialogue state of one chat. Each inbound message locks its row, so messages of
-- one chat are handled one after another even across processes.
CREATE TABLE conversations (
    id           BIGSERIAL PRIMARY KEY,
    channel      TEXT NOT NULL,
    chat_id      TEXT NOT NULL,
    reporter_id  BIGINT NOT NULL REFERENCES reporters (id),
    state        JSONB NOT NULL DEFAULT '{"state":"idle"}',
    version      BIGINT NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (channel, chat_id)
);

-- Every message received, keyed by the channel's own id: a repeat delivery is a no-op.
CREATE TABLE inbound_messages (
    id              BIGSERIAL PRIMARY KEY,
    channel         TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    chat_id         TEXT NOT NULL,
    sender_id       TEXT NOT NULL,
    payload         JSONB NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    conversation_id BIGINT REFERENCES conversations (id),
    UNIQUE (channel, external_id)
);

-- Technicians (L1/L2) who handle tickets; their chat identities come with the war room.
CREATE TABLE technicians (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    team        TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT true,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Per type prefix and month, the last number handed out (INC-2611-0042).
CREATE TABLE ticket_counters (
    prefix  TEXT NOT NULL,
    period  TEXT NOT NULL,
    last    INTEGER NOT NULL,
    PRIMARY KEY (prefix, period)
);

CREATE TABLE tickets (
    id                 BIGSERIAL PRIMARY KEY,
    number             TEXT NOT NULL UNIQUE,
    ticket_type        TEXT NOT NULL CHECK (ticket_type IN ('insiden', 'permintaan', 'akses')),
    category           TEXT NOT NULL,
    service            TEXT,
    title              TEXT NOT NULL,
    description        TEXT NOT NULL,
    what               TEXT,
    location           TEXT,
    occurred           TEXT,
    occurred_at        TIMESTAMPTZ,
    affected           TEXT,
    cause              TEXT,
    tried              TEXT,
    application        TEXT,
    scope              TEXT NOT NULL CHECK (scope IN ('individual', 'group', 'mass', 'unknown')),
    urgency            TEXT NOT NULL CHECK (urgency IN ('tinggi', 'menengah', 'rendah')),
    impact             TEXT NOT NULL CHECK (impact IN ('tinggi', 'menengah', 'rendah')),
    priority           SMALLINT NOT NULL CHECK (priority BETWEEN 1 AND 3),
    response_due       TIMESTAMPTZ NOT NULL,
    resolution_due     TIMESTAMPTZ NOT NULL,
    status             TEXT NOT NULL DEFAULT 'new'
                       CHECK (status IN ('new', 'in_progress', 'resolved', 'closed', 'cancelled')),
    assignee_id        BIGINT REFERENCES technicians (id),
    reporter_id        BIGINT NOT NULL REFERENCES reporters (id),
    reporter_name      TEXT,
    reporter_unit      TEXT,
    channel            TEXT NOT NULL,
    chat_id            TEXT NOT NULL,
    conversation_id    BIGINT REFERENCES conversations (id),
    source_inbound_id  BIGINT UNIQUE REFERENCES inbound_messages (id),
    attachments        JSONB NOT NULL DEFAULT '[]',
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    responded_at       TIMESTAMPTZ,
    resolved_at        TIMESTAMPTZ,
    closed_at          TIMESTAMPTZ
);
CREATE INDEX tickets_reporter ON tickets (reporter_id, created_at DESC);
CREATE INDEX tickets_open ON tickets (status, priority) WHERE status IN ('new', 'in_progress');

-- Every change to a ticket: who, what, when, through which channel.
CREATE TABLE ticket_events (
    id          BIGSERIAL PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id),
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('reporter', 'technician', 'system')),
    actor_id    BIGINT,
    channel     TEXT,
    kind        TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    data        JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, at);

-- Messages to send. Written in the same transaction as the change that causes them;
-- senders claim rows with FOR UPDATE SKIP LOCKED and mark them sent.
CREATE TABLE outbox (
    id            BIGSERIAL PRIMARY KEY,
    channel       TEXT NOT NULL,
    chat_id       TEXT NOT NULL,
    payload       JSONB NOT NULL,
    ticket_id     BIGINT REFERENCES tickets (id),
    inbound_id    BIGINT REFERENCES inbound_messages (id),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    available_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at       TIMESTAMPTZ,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT
);
CREATE INDEX outbox_pending ON outbox (channel, available_at, id) WHERE sent_at IS NULL;
