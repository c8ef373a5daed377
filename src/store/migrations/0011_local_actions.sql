-- Flag changes and moves of POP3 downloads were queued for a server that never had them: their
-- replay selected the local folder's empty name, failed, and stopped the account's sync. They
-- go; the local changes they were queued with stay. A new kind, 'upload', files a downloaded
-- message in a server folder (a move out of the POP3 folder).
DELETE FROM pending_actions
 WHERE kind IN ('set_flags', 'move')
   AND folder_id IN (SELECT id FROM folders WHERE source = 'local');

CREATE TABLE pending_actions_new (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL
                      CHECK (kind IN ('set_flags', 'move', 'delete', 'append', 'pop3_delete',
                                      'upload')),
    -- No foreign keys below: the action must outlive a local delete of its message.
    message_id        INTEGER NOT NULL DEFAULT 0,
    folder_id         INTEGER NOT NULL DEFAULT 0,
    uidvalidity       INTEGER NOT NULL DEFAULT 0,
    uid               INTEGER NOT NULL DEFAULT 0,
    pop3_uidl         TEXT    NOT NULL DEFAULT '',
    target_folder_id  INTEGER NOT NULL DEFAULT 0,
    flags_add         TEXT    NOT NULL DEFAULT '',
    flags_remove      TEXT    NOT NULL DEFAULT '',
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT    NOT NULL DEFAULT '',
    not_before        INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL DEFAULT (unixepoch())
) STRICT;
INSERT INTO pending_actions_new (id, account_id, kind, message_id, folder_id, uidvalidity, uid,
    pop3_uidl, target_folder_id, flags_add, flags_remove, attempts, last_error, not_before,
    created_at)
SELECT id, account_id, kind, message_id, folder_id, uidvalidity, uid, pop3_uidl,
    target_folder_id, flags_add, flags_remove, attempts, last_error, not_before, created_at
  FROM pending_actions;
DROP TABLE pending_actions;
ALTER TABLE pending_actions_new RENAME TO pending_actions;
CREATE INDEX pending_actions_account ON pending_actions (account_id, id);
