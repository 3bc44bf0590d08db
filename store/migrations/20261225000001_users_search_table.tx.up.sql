-- PostgreSQL's search of profiles moves off users to a narrow table of its
-- own, users_search, which a trigger keeps, as the requests' moved to
-- requests_search (20261218000001). A profile's row is wide (its password
-- hash among the rest: 50,000 profiles in 1,520 pages), and a common name
-- is held in nearly every page: "aisyah", 2,000 of 50,000 profiles, read
-- 1,520 pages to recheck its trigrams' matches (4–6 ms warm, in the
-- profiles' search and twice in every page of the audit log's search by
-- an actor's name). The table holds what a search compares, in small
-- letters, and the name as written, the order of the profiles' list, so
-- that a search needs no profile's row until its page is chosen. A
-- profile's name, login and e-mail change rarely; the logins, locks and
-- password changes that update users leave the table alone.
--
-- Measured with `ispeks migrate` on a bench database of 50,000 profiles
-- and 490,000 audit records seeded by the previous binary, with
-- 20261225000002: 1.6 s on PostgreSQL (1.2 s on SQLite, which has only
-- the other's index to build), during which profiles cannot be changed.
{{if .Postgres}}
CREATE TABLE users_search (
    id          BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    name        VARCHAR NOT NULL,
    name_lower  VARCHAR NOT NULL,
    login       VARCHAR NOT NULL,
    email_lower VARCHAR NOT NULL
);
--bun:split
INSERT INTO users_search (id, name, name_lower, login, email_lower)
SELECT id, name, LOWER(name), login, LOWER(email) FROM users;
--bun:split
CREATE FUNCTION users_search_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO users_search (id, name, name_lower, login, email_lower)
    VALUES (NEW.id, NEW.name, LOWER(NEW.name), NEW.login, LOWER(NEW.email))
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, name_lower = EXCLUDED.name_lower,
        login = EXCLUDED.login, email_lower = EXCLUDED.email_lower
    WHERE (users_search.name, users_search.login, users_search.email_lower)
        IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.login, EXCLUDED.email_lower);
    RETURN NULL;
END
$$;
--bun:split
CREATE TRIGGER users_search_keep AFTER INSERT OR UPDATE OF name, login, email ON users
FOR EACH ROW EXECUTE FUNCTION users_search_keep();
--bun:split
CREATE INDEX users_search_name_trgm ON users_search USING GIN (name_lower gin_trgm_ops) WITH (fastupdate = off);
--bun:split
CREATE INDEX users_search_login_trgm ON users_search USING GIN (login gin_trgm_ops) WITH (fastupdate = off);
--bun:split
CREATE INDEX users_search_email_trgm ON users_search USING GIN (email_lower gin_trgm_ops) WITH (fastupdate = off);
--bun:split
DROP INDEX users_name_trgm;
--bun:split
DROP INDEX users_login_trgm;
--bun:split
DROP INDEX users_email_trgm;
--bun:split
ANALYZE users_search;
{{else}}
SELECT 1;
{{end}}
