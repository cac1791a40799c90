-- Level 0: knowledge-base offers, the end of every report (for deflection), and what a
-- ticket records of the articles tried and of its resolution.

CREATE TABLE kb_offers (
    id              BIGSERIAL PRIMARY KEY,
    article_id      TEXT NOT NULL,
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    reporter_id     BIGINT NOT NULL REFERENCES reporters(id),
    inbound_id      BIGINT NOT NULL REFERENCES inbound_messages(id),
    service         TEXT,
    score           REAL NOT NULL,
    offered_at      TIMESTAMPTZ NOT NULL,
    helped          BOOLEAN,
    answered_at     TIMESTAMPTZ,
    -- One message offers an article once: a replayed message cannot count twice.
    UNIQUE (inbound_id, article_id)
);
CREATE INDEX kb_offers_open ON kb_offers (conversation_id, article_id) WHERE answered_at IS NULL;
CREATE INDEX kb_offers_article ON kb_offers (article_id, offered_at);

-- One row per report that came to an end: fixed at Level 0, made a ticket, or cancelled.
CREATE TABLE contacts (
    id              BIGSERIAL PRIMARY KEY,
    channel         TEXT NOT NULL,
    reporter_id     BIGINT NOT NULL REFERENCES reporters(id),
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    -- The message that ended it; a report ends once per message at most.
    inbound_id      BIGINT NOT NULL UNIQUE REFERENCES inbound_messages(id),
    started_at      TIMESTAMPTZ NOT NULL,
    ended_at        TIMESTAMPTZ NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('level0', 'ticket', 'cancelled')),
    ticket_type     TEXT NOT NULL,
    category        TEXT NOT NULL,
    service         TEXT,
    article_id      TEXT,
    ticket_id       BIGINT REFERENCES tickets(id),
    CHECK ((outcome = 'level0') = (article_id IS NOT NULL)),
    CHECK ((outcome = 'ticket') = (ticket_id IS NOT NULL))
);
CREATE INDEX contacts_ended ON contacts (ended_at);

ALTER TABLE tickets
    ADD COLUMN kb_tried        TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN resolution_note TEXT;
