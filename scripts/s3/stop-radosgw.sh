#!/usr/bin/env bash
# Stops a server started by start-radosgw.sh and deletes its data directory.
# Usage: scripts/s3/stop-radosgw.sh [DIR]   (DIR defaults to $KLUIS_RGW_DIR)
# Daemons get SIGTERM, then SIGKILL after 15 s. Safe to run twice.
set -uo pipefail
DIR=${1:-${KLUIS_RGW_DIR:-}}
[ -n "$DIR" ] || { echo "usage: $0 DIR (the KLUIS_RGW_DIR printed by start-radosgw.sh)" >&2; exit 2; }
[ -d "$DIR" ] || exit 0
[ -f "$DIR/ceph.conf" ] || { echo "$DIR is not a radosgw data directory" >&2; exit 2; }
pids=()
for name in rgw osd mon; do
  f=$DIR/run/$name.pid
  [ -f "$f" ] && pids+=("$(cat "$f")")
done
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
for _ in $(seq 1 150); do
  alive=0
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 0.1
done
for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
rm -rf "$DIR"
exit 0
