-- Every message a sender handed to a platform, by chat, by the database's clock: the sender
-- that takes over after a restart or from another replica reads the last window of it, so
-- the platform's limits hold across the change. A row is written, in a commit of its own,
-- before the call (requested_at) and given the moment of the answer with the outcome
-- (answered_at): a call whose process was killed in between stays on record, unanswered,
-- and is counted as made at the moment the next sender starts, since the platform may have
-- seen it at any time until then. A refusal for speed keeps the wait the platform asked
-- for (retry_after_ms; for every chat when all_chats), so a restart inside that wait keeps
-- it too. The sender deletes rows older than any window, and any wait, as it goes.
CREATE TABLE outbox_sends (
    id             BIGSERIAL PRIMARY KEY,
    channel        TEXT NOT NULL,
    chat_id        TEXT NOT NULL,
    requested_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    answered_at    TIMESTAMPTZ,
    retry_after_ms BIGINT,
    all_chats      BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX outbox_sends_recent ON outbox_sends (channel, requested_at);
