-- Every message a sender handed to a platform, by chat, at the moment the platform
-- answered (the database's clock): the sender that takes over after a restart or from
-- another replica reads the last window of it, so the platform's limits hold across the
-- change. A row is written, in a commit of its own, before the call, and moved to the
-- answer's moment with the outcome: a process killed in between leaves the call counted.
-- The sender deletes rows older than any window as it goes.
CREATE TABLE outbox_sends (
    id      BIGSERIAL PRIMARY KEY,
    channel TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX outbox_sends_recent ON outbox_sends (channel, sent_at);
