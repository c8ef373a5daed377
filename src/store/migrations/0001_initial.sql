-- Schema v1. Append-only: later changes are new numbered files, never edits to this one.

CREATE TABLE accounts (
    id                    INTEGER PRIMARY KEY,
    display_name          TEXT    NOT NULL DEFAULT '',
    address               TEXT    NOT NULL,
    provider_id           TEXT    NOT NULL DEFAULT '',
    imap_enabled          INTEGER NOT NULL DEFAULT 0 CHECK (imap_enabled IN (0, 1)),
    imap_host             TEXT    NOT NULL DEFAULT '',
    imap_port             INTEGER NOT NULL DEFAULT 993 CHECK (imap_port BETWEEN 0 AND 65535),
    imap_security         TEXT    NOT NULL DEFAULT 'tls' CHECK (imap_security IN ('tls', 'starttls', 'plain')),
    imap_auth             TEXT    NOT NULL DEFAULT 'password' CHECK (imap_auth IN ('password', 'oauth2')),
    imap_username         TEXT    NOT NULL DEFAULT '',
    pop3_enabled          INTEGER NOT NULL DEFAULT 0 CHECK (pop3_enabled IN (0, 1)),
    pop3_host             TEXT    NOT NULL DEFAULT '',
    pop3_port             INTEGER NOT NULL DEFAULT 995 CHECK (pop3_port BETWEEN 0 AND 65535),
    pop3_security         TEXT    NOT NULL DEFAULT 'tls' CHECK (pop3_security IN ('tls', 'starttls', 'plain')),
    pop3_auth             TEXT    NOT NULL DEFAULT 'password' CHECK (pop3_auth IN ('password', 'oauth2')),
    pop3_username         TEXT    NOT NULL DEFAULT '',
    pop3_leave_on_server  INTEGER NOT NULL DEFAULT 1 CHECK (pop3_leave_on_server IN (0, 1)),
    -- 0 means keep forever (while leave_on_server is 1).
    pop3_delete_after_days INTEGER NOT NULL DEFAULT 0 CHECK (pop3_delete_after_days >= 0),
    pop3_delete_when_deleted_locally INTEGER NOT NULL DEFAULT 0 CHECK (pop3_delete_when_deleted_locally IN (0, 1)),
    pop3_poll_minutes     INTEGER NOT NULL DEFAULT 10 CHECK (pop3_poll_minutes >= 1),
    pop3_use_apop         INTEGER NOT NULL DEFAULT 0 CHECK (pop3_use_apop IN (0, 1)),
    smtp_enabled          INTEGER NOT NULL DEFAULT 0 CHECK (smtp_enabled IN (0, 1)),
    smtp_host             TEXT    NOT NULL DEFAULT '',
    smtp_port             INTEGER NOT NULL DEFAULT 465 CHECK (smtp_port BETWEEN 0 AND 65535),
    smtp_security         TEXT    NOT NULL DEFAULT 'tls' CHECK (smtp_security IN ('tls', 'starttls', 'plain')),
    smtp_auth             TEXT    NOT NULL DEFAULT 'password' CHECK (smtp_auth IN ('password', 'oauth2')),
    smtp_username         TEXT    NOT NULL DEFAULT '',
    -- 0 means the whole mailbox.
    sync_window_days      INTEGER NOT NULL DEFAULT 0 CHECK (sync_window_days >= 0),
    provider_saves_sent   INTEGER NOT NULL DEFAULT 0 CHECK (provider_saves_sent IN (0, 1)),
    password_mode         TEXT    NOT NULL DEFAULT 'keyring' CHECK (password_mode IN ('keyring', 'ask')),
    created_at            INTEGER NOT NULL DEFAULT (unixepoch())
) STRICT;

-- Certificates the user chose to trust for one account's host (self-signed servers).
CREATE TABLE trusted_certificates (
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    host        TEXT    NOT NULL,
    der         BLOB    NOT NULL,
    added_at    INTEGER NOT NULL DEFAULT (unixepoch()),
    PRIMARY KEY (account_id, host, der)
) STRICT;

CREATE TABLE folders (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- 'imap' mirrors a server folder; 'local' is the account's own (the POP3 inbox).
    source         TEXT    NOT NULL DEFAULT 'imap' CHECK (source IN ('imap', 'local')),
    name           TEXT    NOT NULL,
    wire_name      TEXT    NOT NULL,
    delimiter      TEXT    NOT NULL DEFAULT '/',
    role           TEXT    NOT NULL DEFAULT 'other'
                   CHECK (role IN ('inbox', 'sent', 'drafts', 'trash', 'junk', 'archive', 'other')),
    subscribed     INTEGER NOT NULL DEFAULT 1 CHECK (subscribed IN (0, 1)),
    selectable     INTEGER NOT NULL DEFAULT 1 CHECK (selectable IN (0, 1)),
    uidvalidity    INTEGER NOT NULL DEFAULT 0,
    uidnext        INTEGER NOT NULL DEFAULT 0,
    highestmodseq  INTEGER NOT NULL DEFAULT 0,
    total_count    INTEGER NOT NULL DEFAULT 0,
    unread_count   INTEGER NOT NULL DEFAULT 0,
    synced_at      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, source, wire_name)
) STRICT;

CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    folder_id        INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
    -- IMAP UID in the folder's current UIDVALIDITY; 0 when the message has none (POP3, local).
    uid              INTEGER NOT NULL DEFAULT 0 CHECK (uid >= 0),
    pop3_uidl        TEXT    NOT NULL DEFAULT '',
    rfc_message_id   TEXT    NOT NULL DEFAULT '',
    in_reply_to      TEXT    NOT NULL DEFAULT '',
    refs             TEXT    NOT NULL DEFAULT '',
    -- Unix seconds: the Date header, or INTERNALDATE when it is missing or absurd.
    date             INTEGER NOT NULL DEFAULT 0,
    internal_date    INTEGER NOT NULL DEFAULT 0,
    from_name        TEXT    NOT NULL DEFAULT '',
    from_addr        TEXT    NOT NULL DEFAULT '',
    -- Display lists, "Name <addr>" joined with ", ".
    to_addrs         TEXT    NOT NULL DEFAULT '',
    cc_addrs         TEXT    NOT NULL DEFAULT '',
    subject          TEXT    NOT NULL DEFAULT '',
    snippet          TEXT    NOT NULL DEFAULT '',
    seen             INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1)),
    flagged          INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    answered         INTEGER NOT NULL DEFAULT 0 CHECK (answered IN (0, 1)),
    draft            INTEGER NOT NULL DEFAULT 0 CHECK (draft IN (0, 1)),
    deleted          INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    -- Other IMAP keywords, space separated.
    keywords         TEXT    NOT NULL DEFAULT '',
    size             INTEGER NOT NULL DEFAULT 0,
    has_attachments  INTEGER NOT NULL DEFAULT 0 CHECK (has_attachments IN (0, 1)),
    modseq           INTEGER NOT NULL DEFAULT 0,
    -- Hash of the main headers, to recognise a message without a Message-ID.
    header_hash      TEXT    NOT NULL DEFAULT '',
    -- 1 while a local delete or move waits to be replayed: hidden from the list.
    hidden           INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1))
) STRICT;

CREATE INDEX messages_list ON messages (folder_id, hidden, date DESC);
CREATE UNIQUE INDEX messages_uid ON messages (folder_id, uid) WHERE uid > 0;
CREATE INDEX messages_rfc_id ON messages (account_id, rfc_message_id);
CREATE INDEX messages_pop3_uidl ON messages (account_id, pop3_uidl) WHERE pop3_uidl <> '';
CREATE INDEX messages_unread ON messages (folder_id, seen);

-- Raw RFC 822 bytes, kept apart from the list rows so scans of the list stay small.
CREATE TABLE message_bodies (
    message_id  INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    raw         BLOB    NOT NULL,
    fetched_at  INTEGER NOT NULL DEFAULT (unixepoch())
) STRICT;

-- Local changes waiting to be told to the server; written in the same transaction as the change.
CREATE TABLE pending_actions (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL
                      CHECK (kind IN ('set_flags', 'move', 'delete', 'append', 'pop3_delete')),
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

CREATE INDEX pending_actions_account ON pending_actions (account_id, id);

CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY,
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

CREATE INDEX outbox_state ON outbox (state, next_attempt_at);

CREATE TABLE drafts (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind               TEXT    NOT NULL DEFAULT 'new'
                       CHECK (kind IN ('new', 'reply', 'reply_all', 'forward_inline', 'forward_attachment')),
    source_message_id  INTEGER NOT NULL DEFAULT 0,
    to_addrs           TEXT    NOT NULL DEFAULT '',
    cc_addrs           TEXT    NOT NULL DEFAULT '',
    bcc_addrs          TEXT    NOT NULL DEFAULT '',
    subject            TEXT    NOT NULL DEFAULT '',
    body_text          TEXT    NOT NULL DEFAULT '',
    body_html          TEXT    NOT NULL DEFAULT '',
    in_reply_to        TEXT    NOT NULL DEFAULT '',
    refs               TEXT    NOT NULL DEFAULT '',
    rfc_message_id     TEXT    NOT NULL DEFAULT '',
    -- Where the server copy in the Drafts folder lives, so it can be replaced, not duplicated.
    server_folder_id   INTEGER NOT NULL DEFAULT 0,
    server_uid         INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL DEFAULT (unixepoch()),
    updated_at         INTEGER NOT NULL DEFAULT (unixepoch())
) STRICT;

CREATE TABLE draft_attachments (
    id           INTEGER PRIMARY KEY,
    draft_id     INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL DEFAULT 0,
    file_name    TEXT    NOT NULL,
    mime_type    TEXT    NOT NULL DEFAULT 'application/octet-stream',
    content_id   TEXT    NOT NULL DEFAULT '',
    data         BLOB    NOT NULL
) STRICT;

CREATE INDEX draft_attachments_draft ON draft_attachments (draft_id, position);

-- Every UIDL a POP3 server ever showed us, so nothing is fetched or deleted twice.
CREATE TABLE pop3_uidls (
    account_id            INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uidl                  TEXT    NOT NULL,
    first_seen_at         INTEGER NOT NULL DEFAULT (unixepoch()),
    downloaded_at         INTEGER NOT NULL DEFAULT 0,
    deleted_on_server_at  INTEGER NOT NULL DEFAULT 0,
    -- The local message, 0 when the download was recognised as a duplicate.
    message_id            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, uidl)
) STRICT, WITHOUT ROWID;
