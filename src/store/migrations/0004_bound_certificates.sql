-- Certificates a user trusts are bound to one server. A pinned certificate (what the doctor
-- showed and the user accepted) matches only the end-entity certificate of that host and
-- port, and never acts as a CA; a CA the user imported (`account add --trust-cert`) applies to
-- its host only. Port 0 means any port of the host: CAs, and pins kept from before this
-- migration, whose port was not recorded.
CREATE TABLE trusted_certificates_bound (
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    host        TEXT    NOT NULL,
    port        INTEGER NOT NULL DEFAULT 0,
    kind        TEXT    NOT NULL DEFAULT 'pin' CHECK (kind IN ('pin', 'ca')),
    der         BLOB    NOT NULL,
    added_at    INTEGER NOT NULL DEFAULT (unixepoch()),
    PRIMARY KEY (account_id, host, port, kind, der)
) STRICT;

-- Earlier rows were used as CAs when they were CAs, for every host of the account: from now on
-- they are pins of their own host, which is what the user saw and accepted.
INSERT INTO trusted_certificates_bound (account_id, host, port, kind, der, added_at)
    SELECT account_id, host, 0, 'pin', der, added_at FROM trusted_certificates;

DROP TABLE trusted_certificates;
ALTER TABLE trusted_certificates_bound RENAME TO trusted_certificates;
