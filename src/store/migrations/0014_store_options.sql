-- Choices that change what the store itself keeps, so every process (the window, the
-- background engine, the command line) threads mail the same way. One row per option.
CREATE TABLE store_options (
    name  TEXT    NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
