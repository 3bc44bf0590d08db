-- SQLite's FTS5 search table gains a segment with each transaction that
-- writes requests, and its automerge leaves up to four segments on each
-- level, every one of which a search reads. DB.MergeSearch (hourly in
-- serve) runs FTS5's 'merge', which by this setting merges any level of
-- two segments or more: at 100,000 requests a full name's search read in
-- 2.3 ms in the sqlite3 shell instead of 4.4 (3.3 merged by fours).
{{if .Postgres}}
SELECT 1;
{{else}}
INSERT INTO requests_search(requests_search, rank) VALUES('usermerge', 2);
{{end}}
