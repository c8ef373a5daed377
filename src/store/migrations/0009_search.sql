-- Full-text search (src/search): one FTS5 row per message, its rowid the message's id. The
-- text is stored already cut (CJK as bigrams, see src/search/segment.rs), so the standard
-- tokenizer suffices; contentless, as the mirror holds the text already.
CREATE VIRTUAL TABLE search USING fts5(
    subject, sender, recipients, copied, filenames, body, quoted,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Messages whose index row is missing or out of date. A change while the indexer works on a
-- message bumps `stamp`, so the indexer's "done" (which names the stamp it read) cannot drop
-- the newer request.
CREATE TABLE search_queue (
    message_id INTEGER PRIMARY KEY,
    stamp      INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TRIGGER search_queue_message AFTER INSERT ON messages BEGIN
    INSERT INTO search_queue (message_id) VALUES (new.id)
        ON CONFLICT (message_id) DO UPDATE SET stamp = stamp + 1;
END;

CREATE TRIGGER search_queue_body AFTER INSERT ON message_bodies BEGIN
    INSERT INTO search_queue (message_id) VALUES (new.message_id)
        ON CONFLICT (message_id) DO UPDATE SET stamp = stamp + 1;
END;

CREATE TRIGGER search_queue_body_again AFTER UPDATE OF raw ON message_bodies BEGIN
    INSERT INTO search_queue (message_id) VALUES (new.message_id)
        ON CONFLICT (message_id) DO UPDATE SET stamp = stamp + 1;
END;

CREATE TRIGGER search_forget AFTER DELETE ON messages BEGIN
    DELETE FROM search WHERE rowid = old.id;
    DELETE FROM search_queue WHERE message_id = old.id;
END;

-- An existing mirror is indexed in the background, newest first.
INSERT INTO search_queue (message_id) SELECT id FROM messages;
