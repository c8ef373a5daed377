-- What a queued reply or forward answers, so the original is marked (\Answered, $Forwarded)
-- when the server takes the message: the draft that knew is gone once the item is queued.
ALTER TABLE outbox ADD COLUMN answers_message INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN answers_mark TEXT NOT NULL DEFAULT '';
