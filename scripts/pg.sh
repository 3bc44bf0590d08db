# Sourced by scripts/test and bench/*: a throwaway PostgreSQL for tests and
# benchmarks, unless ISPEKS_TEST_POSTGRES_URL names a server already.
# start_throwaway_pg installs Debian's postgresql if it is missing and we may
# (root), starts a cluster in a temporary folder on a free local port as the
# postgres user (the server refuses root), exports ISPEKS_TEST_POSTGRES_URL,
# and removes the cluster when the calling script exits.

log() { printf '== %s\n' "$*" >&2; }

apt_updated=
need_pkg() { # need_pkg COMMAND-OR-PATH PACKAGE...
  if [ -e "$1" ] || command -v "$1" >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    log "missing $1: install $2 (sudo apt-get install ${*:2})"; return 1
  fi
  if [ -z "$apt_updated" ]; then
    log "apt-get update"; DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; apt_updated=1
  fi
  log "installing ${*:2}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${@:2}" >/dev/null
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

cleanup() {
  if [ -n "${PGDATA_DIR:-}" ] && [ -d "$PGDATA_DIR" ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PGROOT"
  fi
}
trap cleanup EXIT

as_pg() { # run as the postgres user when we are root (the server refuses root)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

start_throwaway_pg() {
  [ -z "${ISPEKS_TEST_POSTGRES_URL:-}" ] || return 0
  if [ -z "$(pg_bin)" ]; then need_pkg /usr/lib/postgresql postgresql || true; fi
  if [ -z "$(pg_bin)" ]; then
    log "no PostgreSQL: PostgreSQL tests will be skipped"
    return 0
  fi
  PGROOT=$(mktemp -d /tmp/ispeks-pg.XXXXXX)
  PGDATA_DIR=$PGROOT/data
  [ "$(id -u)" = 0 ] && chown postgres "$PGROOT"
  port=$(free_port)
  as_pg "$(pg_bin)/initdb" -D "$PGDATA_DIR" -U postgres -A trust -E UTF8 --no-locale >/dev/null
  as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA_DIR" -l "$PGROOT/server.log" -w -t 60 \
    -o "-p $port -k $PGROOT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  export ISPEKS_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  log "throwaway PostgreSQL $("$(pg_bin)/postgres" --version | awk '{print $3}') on port $port"
}
