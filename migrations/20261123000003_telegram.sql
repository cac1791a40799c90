-- Telegram and the war room: technicians' chat identities, each ticket's card, prompts
-- waiting for a technician's note, reporters who blocked the bot, and an outbox that can
-- also edit messages, answer button presses and give up on a message (dead letter).

ALTER TABLE technicians
    ADD COLUMN telegram_user_id BIGINT UNIQUE,
    ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();

-- Where the ticket's card sits in the war room, once posted: it is edited in place.
ALTER TABLE tickets
    ADD COLUMN card_chat_id    TEXT,
    ADD COLUMN card_message_id TEXT,
    ADD COLUMN cancel_reason   TEXT;

-- A technician asked for a resolution note or a cancel reason: their next words are it.
CREATE TABLE desk_prompts (
    technician_id BIGINT PRIMARY KEY REFERENCES technicians (id),
    ticket_id     BIGINT NOT NULL REFERENCES tickets (id),
    action        TEXT NOT NULL CHECK (action IN ('resolve', 'cancel')),
    chat_id       TEXT NOT NULL,
    asked_at      TIMESTAMPTZ NOT NULL
);

-- The platform refused to deliver to this identity (the bot was blocked).
ALTER TABLE reporter_identities ADD COLUMN unreachable_at TIMESTAMPTZ;

-- op: send a message; edit one (target = its id); post-or-edit a ticket's card (latest
-- wins); answer a button press (target = the query id). A dead row is never retried.
ALTER TABLE outbox
    ADD COLUMN op          TEXT NOT NULL DEFAULT 'send' CHECK (op IN ('send', 'edit', 'card', 'answer')),
    ADD COLUMN target      TEXT,
    ADD COLUMN reply_to    TEXT,
    ADD COLUMN dead_at     TIMESTAMPTZ,
    ADD COLUMN platform_id TEXT;

DROP INDEX outbox_pending;
CREATE INDEX outbox_due ON outbox (channel, available_at, id) WHERE sent_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_card ON outbox (ticket_id, id) WHERE op = 'card' AND sent_at IS NULL AND dead_at IS NULL;
CREATE INDEX tickets_queue ON tickets (priority, created_at) WHERE assignee_id IS NULL AND status IN ('new', 'in_progress');
CREATE INDEX tickets_assignee ON tickets (assignee_id, status);

-- When a technician last sent the ticket on to the next level (routing comes later).
ALTER TABLE tickets ADD COLUMN escalated_at TIMESTAMPTZ;
