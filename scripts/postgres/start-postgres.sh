#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests and benchmarks: Debian's postgresql package
# (installed with apt-get when missing), initdb into a fresh temporary directory, listening on
# 127.0.0.1 only on a free port, trust authentication for the one superuser `kluis`. PostgreSQL
# refuses to run as root: as root, the cluster runs as the unprivileged user `nobody`. Nothing is
# written outside the directory, and nothing survives a stop.
#
# Usage: scripts/postgres/start-postgres.sh           (prints `export KEY=value` lines on stdout)
#        eval "$(scripts/postgres/start-postgres.sh)"  (exports KLUIS_PG_URL, KLUIS_PG_DIR)
#        scripts/postgres/stop-postgres.sh "$KLUIS_PG_DIR"
#
# Environment (all optional):
#   KLUIS_PG_PORT       port (default: first free port from 54320)
#   KLUIS_PG_OWNER_PID  stop the cluster when this process exits (used by the test setup)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
log() { echo "postgres: $*" >&2; }
fail() { log "ERROR: $*"; exit 1; }

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(bindir)" ] || [ ! -x "$(bindir)/initdb" ]; then
  log "PostgreSQL server missing: installing Debian's postgresql"
  bash "$HERE/../ensure-debian-package.sh" postgresql /usr/lib/postgresql/15/bin/postgres \
    || [ -x "$(bindir)/initdb" ] || fail "could not install postgresql (needs root and apt-get)"
fi
BIN=$(bindir)
[ -x "$BIN/initdb" ] || fail "no initdb in $BIN"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -n "${KLUIS_PG_PORT:-}" ]; then
  port_busy "$KLUIS_PG_PORT" && fail "port $KLUIS_PG_PORT on 127.0.0.1 is already in use"
  PORT=$KLUIS_PG_PORT
else
  PORT=
  for p in $(seq 54320 54400); do port_busy "$p" || { PORT=$p; break; }; done
  [ -n "$PORT" ] || fail "no free port in 54320..54400 on 127.0.0.1"
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/kluis-pg.XXXXXX")
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown nobody:nogroup "$DIR"
  as_owner=(setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env env PATH=/usr/bin:/bin)
fi
run() { (cd "$DIR" && "${as_owner[@]}" "$@"); }

run "$BIN/initdb" -D "$DIR/data" -U kluis --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; fail "initdb failed"; }
# A test cluster: no durability needed, small memory, loopback only, sockets in its own directory.
cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 300
shared_buffers = 64MB
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
run "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 start >/dev/null \
  || { cat "$DIR/postgres.log" >&2; fail "pg_ctl start failed"; }
log "listening on 127.0.0.1:$PORT (data in $DIR)"

if [ -n "${KLUIS_PG_OWNER_PID:-}" ]; then
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$3" ]; do sleep 2; done; "$2" "$3"' \
    watchdog "$KLUIS_PG_OWNER_PID" "$HERE/stop-postgres.sh" "$DIR" </dev/null >/dev/null 2>&1 &
fi

echo "export KLUIS_PG_URL=postgres://kluis@127.0.0.1:$PORT/postgres"
echo "export KLUIS_PG_DIR=$DIR"
