-- Outbox ids are shown to users (`tidings outbox retry ID`), so one is never given out again
-- (AUTOINCREMENT: SQLite would otherwise reuse the id of a sent and removed item).
CREATE TABLE outbox_v2 (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    rfc_message_id    TEXT    NOT NULL,
    envelope_from     TEXT    NOT NULL,
    -- One address a line.
    recipients        TEXT    NOT NULL,
    raw               BLOB    NOT NULL,
    state             TEXT    NOT NULL DEFAULT 'queued'
                      CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'uncertain')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT    NOT NULL DEFAULT '',
    next_attempt_at   INTEGER NOT NULL DEFAULT 0,
    sent_copy_saved   INTEGER NOT NULL DEFAULT 0 CHECK (sent_copy_saved IN (0, 1)),
    draft_id          INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL DEFAULT (unixepoch()),
    updated_at        INTEGER NOT NULL DEFAULT (unixepoch())
) STRICT;

INSERT INTO outbox_v2 (id, account_id, rfc_message_id, envelope_from, recipients, raw, state,
                       attempts, last_error, next_attempt_at, sent_copy_saved, draft_id,
                       created_at, updated_at)
    SELECT id, account_id, rfc_message_id, envelope_from, recipients, raw, state, attempts,
           last_error, next_attempt_at, sent_copy_saved, draft_id, created_at, updated_at
    FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_v2 RENAME TO outbox;
CREATE INDEX outbox_state ON outbox (state, next_attempt_at);
