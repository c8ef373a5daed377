-- Senders whose mail may load remote images: the user chose "always from this sender".
CREATE TABLE remote_allowed (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    sender     TEXT NOT NULL,
    added_at   INTEGER NOT NULL DEFAULT (unixepoch()),
    PRIMARY KEY (account_id, sender)
) STRICT;
