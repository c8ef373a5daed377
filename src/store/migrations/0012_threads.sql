-- Conversations: every message belongs to a thread, kept as messages arrive. A thread's id is
-- the smallest message id in it. `thread_refs` maps each Message-ID seen (a message's own, and
-- those it names in In-Reply-To and References) to its thread, so a later reply, or a message
-- that links two threads, finds them. Existing rows are threaded right after this runs.
ALTER TABLE messages ADD COLUMN thread_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_thread ON messages (thread_id);

CREATE TABLE thread_refs (
    message_id TEXT    NOT NULL PRIMARY KEY,
    thread_id  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX thread_refs_thread ON thread_refs (thread_id);
