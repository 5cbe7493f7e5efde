#!/usr/bin/env bash
# Stops a cluster started by start-postgres.sh and deletes its directory. Safe to run twice.
# Usage: scripts/postgres/stop-postgres.sh [DIR]   (DIR defaults to $KLUIS_PG_DIR)
set -uo pipefail
DIR=${1:-${KLUIS_PG_DIR:-}}
[ -n "$DIR" ] || { echo "usage: $0 DIR (the KLUIS_PG_DIR printed by start-postgres.sh)" >&2; exit 2; }
[ -d "$DIR" ] || exit 0
[ -f "$DIR/data/PG_VERSION" ] || { echo "$DIR is not a cluster of start-postgres.sh" >&2; exit 2; }
pid=$(head -n 1 "$DIR/data/postmaster.pid" 2>/dev/null)
if [ -n "$pid" ]; then
  kill -INT "$pid" 2>/dev/null # fast shutdown: roll back open transactions, close connections
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
fi
rm -rf "$DIR"
exit 0
