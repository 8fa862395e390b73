-- 011: the family's journey on a phone — a ceremony's time zone, the
-- moderation of its condolences, and memorial search by pinyin and by the
-- latin names a family gives.

-- The zone the ceremony's times are told in ("10:00 Beijing"), IANA name.
ALTER TABLE ceremonies ADD COLUMN time_zone TEXT NOT NULL
	DEFAULT 'Asia/Shanghai';

-- Condolences follow the moderation of the ceremony's memorial: pending
-- until a moderator publishes them ("hold"), or published at once and
-- hidden later if need be.
ALTER TABLE ceremony_messages ADD COLUMN state TEXT NOT NULL
	DEFAULT 'published' CHECK (state IN ('published', 'pending', 'hidden'));
CREATE INDEX ceremony_messages_cs ON ceremony_messages(ceremony_id, state, id);

-- search_alias: other names the family gives (an English name, a spelling
-- of a polyphonic surname); search_latin: pinyin of the name and the title
-- with their initials, written by the daemon (search.c) whenever they
-- change, and filled in at start-up for rows that have none.
ALTER TABLE memorials ADD COLUMN search_alias TEXT NOT NULL DEFAULT '';
ALTER TABLE memorials ADD COLUMN search_latin TEXT NOT NULL DEFAULT '';
CREATE INDEX memorials_latin_todo ON memorials(id) WHERE search_latin = '';

DROP TRIGGER memorial_search_ai;
DROP TRIGGER memorial_search_au;
DROP TRIGGER memorial_search_ad;
DROP TRIGGER memorial_search_name;
DROP TABLE memorial_search;

CREATE VIRTUAL TABLE memorial_search USING fts5(title, name, latin,
	tokenize = 'trigram');

INSERT INTO memorial_search(rowid, title, name, latin)
SELECT m.id, m.title, d.name, '' FROM memorials m
JOIN deceased d ON d.id = m.deceased_id WHERE m.visibility = 'public';

CREATE TRIGGER memorial_search_ai AFTER INSERT ON memorials
WHEN new.visibility = 'public' BEGIN
	INSERT INTO memorial_search(rowid, title, name, latin)
	SELECT new.id, new.title, d.name,
	       new.search_alias || ' ' || new.search_latin
	FROM deceased d WHERE d.id = new.deceased_id;
END;

CREATE TRIGGER memorial_search_au AFTER UPDATE OF title, visibility,
	deceased_id, search_alias, search_latin ON memorials BEGIN
	DELETE FROM memorial_search WHERE rowid = old.id;
	INSERT INTO memorial_search(rowid, title, name, latin)
	SELECT new.id, new.title, d.name,
	       new.search_alias || ' ' || new.search_latin
	FROM deceased d
	WHERE d.id = new.deceased_id AND new.visibility = 'public';
END;

CREATE TRIGGER memorial_search_ad AFTER DELETE ON memorials BEGIN
	DELETE FROM memorial_search WHERE rowid = old.id;
END;

-- A renamed deceased: the pinyin is stale until the daemon writes it
-- again (it clears search_latin here and refills the empty ones).
CREATE TRIGGER memorial_search_name AFTER UPDATE OF name ON deceased BEGIN
	UPDATE memorials SET search_latin = '' WHERE deceased_id = new.id;
	UPDATE memorial_search SET name = new.name
	WHERE rowid IN (SELECT id FROM memorials WHERE deceased_id = new.id);
END;
