-- Folder roles the user chose (Settings or `tidings folder role`), by the server's name for the
-- folder: they come before what the server declares and what names suggest, and outlive the
-- folder's row (a folder that vanishes and comes back keeps the choice).
CREATE TABLE chosen_roles (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    wire_name  TEXT NOT NULL,
    role       TEXT NOT NULL,
    PRIMARY KEY (account_id, wire_name)
) STRICT;
