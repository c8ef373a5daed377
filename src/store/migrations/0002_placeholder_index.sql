-- Rows waiting to be matched to a server UID (after a move or a UIDVALIDITY change) are looked
-- up by Message-ID for every fetched envelope; without this index each lookup scans the folder.
CREATE INDEX messages_placeholders ON messages (folder_id, rfc_message_id) WHERE uid = 0;
