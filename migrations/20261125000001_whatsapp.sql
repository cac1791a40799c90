-- WhatsApp: how many parts of a row are out already; what the platform later says became of a message (sent, delivered, read,
-- failed with a reason), found by the platform's message id; the moment a reporter last
-- wrote on a channel (WhatsApp allows free-form messages only within 24 hours of it); and
-- a message that must go as the platform's pre-approved form (a template).

ALTER TABLE outbox
    ADD COLUMN delivery_status TEXT CHECK (delivery_status IN ('sent', 'delivered', 'read', 'failed')),
    ADD COLUMN delivery_at     TIMESTAMPTZ,
    ADD COLUMN delivery_error  TEXT,
    -- A message that leaves as several (a long text split, a list of lists) goes one
    -- part per transaction; this many are out, so a retry never repeats one.
    ADD COLUMN parts_sent      INTEGER NOT NULL DEFAULT 0;

ALTER TABLE outbox DROP CONSTRAINT outbox_op_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_op_check CHECK (op IN ('send', 'edit', 'card', 'answer', 'template'));

CREATE INDEX outbox_platform_id ON outbox (channel, platform_id) WHERE platform_id IS NOT NULL;
CREATE INDEX inbound_messages_chat ON inbound_messages (channel, chat_id, received_at DESC);
