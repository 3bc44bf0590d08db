-- Accounts in daily use (issue 14): the requests users make themselves for
-- a set-password link ("Lupa kata laluan?"), counted per login and per
-- address in the database so that the throttle holds across instances; the
-- sign-ins a user's page lists; and failed logins counted per login, for
-- the warning before the attempt that would lock an account; and the
-- requests about one person, which their page lists.

CREATE TABLE password_forgot_requests (
    id    {{.ID}},
    ip    VARCHAR(64) NOT NULL,
    login VARCHAR(32) NOT NULL,
    at    {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX password_forgot_login ON password_forgot_requests (login, at);
--bun:split
CREATE INDEX password_forgot_ip ON password_forgot_requests (ip, at);
--bun:split

CREATE TABLE sign_ins (
    id      {{.ID}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at      {{.Time}} NOT NULL,
    kind    VARCHAR(8) NOT NULL,              -- web or api
    ip      VARCHAR(64) NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX sign_ins_user ON sign_ins (user_id, id);
--bun:split

CREATE INDEX login_failures_login ON login_failures (login, at);
--bun:split

-- A user's page lists the requests about them.
CREATE INDEX requests_subject ON requests (subject_ic, id);
