-- A search of profiles by a part many of them hold ("binti", an e-mail's
-- domain) walks the profiles in the order of their names, checking each
-- one's name, login and e-mail, and stops at its page (store.ListUsers,
-- commonPart); gathering every match and sorting it took 42 ms on SQLite
-- and 24 on PostgreSQL for "binti", 14,000 of 50,000 profiles (bench
-- scale). This index holds what the walk checks, so that it reads the
-- index alone: on SQLite 0.4 ms for "binti", and 20 ms for a part no
-- profile holds (every entry read), where reading each profile's row
-- walked "aisyah" in 63 ms against 13. On PostgreSQL the walk reads the
-- profiles' table of text, whose columns are in small letters already
-- (lowering each name and e-mail as it walked the profiles' own index
-- took a whole walk from 21 ms to 40).
{{if .Postgres}}
CREATE INDEX users_search_name ON users_search (name, id) INCLUDE (name_lower, login, email_lower);
--bun:split
ANALYZE users_search;
{{else}}
-- users_name (name, id) is this index's beginning: the list of profiles
-- reads this one in its stead.
CREATE INDEX users_name_search ON users (name, id, login, email);
--bun:split
DROP INDEX users_name;
--bun:split
ANALYZE users;
{{end}}
