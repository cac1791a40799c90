-- Closing with the reporter: a resolved ticket waits for "Ya, sudah normal" (closed) or
-- "Belum, masih bermasalah" (reopened), or closes by itself at `autoclose_at`. Then a
-- satisfaction survey in the chat, one row per ticket.
ALTER TABLE tickets
    ADD COLUMN autoclose_at TIMESTAMPTZ,
    ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_autoclose ON tickets (autoclose_at) WHERE status = 'resolved';

CREATE TABLE surveys (
    ticket_id   BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    reporter_id BIGINT NOT NULL REFERENCES reporters (id),
    asked_at    TIMESTAMPTZ NOT NULL,
    -- What is being asked now: 'score', 'item:<key>', 'comment'; 'done' when finished.
    step        TEXT NOT NULL DEFAULT 'score',
    -- The overall score on the SOP's scale, 1 (Tidak Memuaskan) to 5 (Sangat Memuaskan).
    score       SMALLINT CHECK (score BETWEEN 1 AND 5),
    -- The optional items answered: {"speed": 4, …}; a skipped item is absent.
    items       JSONB NOT NULL DEFAULT '{}',
    comment     TEXT,
    answered_at TIMESTAMPTZ,
    closed_at   TIMESTAMPTZ
);
CREATE INDEX surveys_open ON surveys (reporter_id) WHERE closed_at IS NULL;
