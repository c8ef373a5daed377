-- A POP3 message larger than the size limit is listed from its headers only and never
-- downloaded (or deleted on the server) until the user raises the limit.
ALTER TABLE pop3_uidls ADD COLUMN headers_only INTEGER NOT NULL DEFAULT 0
    CHECK (headers_only IN (0, 1));
