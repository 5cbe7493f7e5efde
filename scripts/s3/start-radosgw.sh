#!/usr/bin/env bash
# Starts a throwaway S3 server for tests and benchmarks: Ceph radosgw (Debian 12 packages, Ceph 16)
# with one monitor and one in-memory (memstore) OSD, all bound to 127.0.0.1, cephx disabled inside
# the cluster. Nothing is written outside a fresh data directory, and nothing survives a stop.
#
# Usage: scripts/s3/start-radosgw.sh            (prints `export KEY=value` lines on stdout, logs on stderr)
#        eval "$(scripts/s3/start-radosgw.sh)"   (exports KLUIS_S3_ENDPOINT, credentials, KLUIS_RGW_DIR)
#        scripts/s3/stop-radosgw.sh "$KLUIS_RGW_DIR"
#
# Environment (all optional):
#   KLUIS_RGW_PORT       S3 port (default: first free port from 7480)
#   KLUIS_RGW_MON_PORT   monitor port (default: first free port from 6789)
#   KLUIS_RGW_OWNER_PID  stop the server when this process exits (used by the test setup)
#   KLUIS_RGW_TIMEOUT    seconds to wait for the server to answer (default 90)
# Missing Debian packages are installed with apt-get (needs root), about 40 s on a fresh machine.
set -euo pipefail

ACCESS_KEY=kluis-test-key
SECRET_KEY=kluis-test-secret
HERE=$(cd "$(dirname "$0")" && pwd)
log() { echo "radosgw: $*" >&2; }
fail() { log "ERROR: $*"; exit 1; }

install_packages() {
  local missing=()
  for bin in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph uuidgen curl; do
    command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "missing ${missing[*]}: installing the Debian packages"
  [ "$(id -u)" = 0 ] || fail "missing ${missing[*]}; run as root or install: apt-get install ceph-mon ceph-osd radosgw ceph-common uuid-runtime curl"
  command -v apt-get >/dev/null 2>&1 || fail "missing ${missing[*]} and no apt-get to install them (Debian 12 expected)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 || fail "apt-get update failed"
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
    ceph-mon ceph-osd radosgw ceph-common uuid-runtime bc curl >&2 || fail "apt-get install failed"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# An explicitly requested port must be free; a default one moves up to the next free port.
pick_port() {
  local requested=$1 default=$2 port
  if [ -n "$requested" ]; then
    port_busy "$requested" && fail "port $requested on 127.0.0.1 is already in use"
    echo "$requested"; return
  fi
  for port in $(seq "$default" $((default + 40))); do
    port_busy "$port" || { echo "$port"; return; }
  done
  fail "no free port in $default..$((default + 40)) on 127.0.0.1"
}

write_conf() {
  cat >"$DIR/ceph.conf" <<CONF
[global]
fsid = $FSID
mon host = v1:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd crush chooseleaf type = 0
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
mon data = $DIR/mon
osd data = $DIR/osd\$id
osd objectstore = memstore
memstore device bytes = 4294967296
osd memory target = 1073741824
osd class update on start = false
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $DIR/rgw
rgw dns name = localhost
rgw thread pool size = 64
CONF
}

# Starts a daemon detached from this shell's stdio, remembering its pid for stop-radosgw.sh.
daemon() {
  local name=$1; shift
  setsid "$@" </dev/null >"$DIR/log/$name.out" 2>&1 &
  echo $! >"$DIR/run/$name.pid"
}

on_exit() {
  [ "$1" = 0 ] && return
  log "start failed; last log lines:"
  for f in "$DIR"/log/*; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 8 "$f" >&2; }; done
  "$HERE/stop-radosgw.sh" "$DIR" >&2 || true
}

wait_ready() {
  local deadline=$((SECONDS + ${KLUIS_RGW_TIMEOUT:-90}))
  until curl -s -m 2 -o /dev/null "http://127.0.0.1:$RGW_PORT/"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "radosgw did not answer on 127.0.0.1:$RGW_PORT within ${KLUIS_RGW_TIMEOUT:-90} s (about 1.1 GB of free memory is needed)"
    for d in mon osd rgw; do
      kill -0 "$(cat "$DIR/run/$d.pid")" 2>/dev/null || fail "the $d daemon exited during start"
    done
    sleep 0.2
  done
}

# One attempt (run as its own process, so `set -e` holds): any failure prints the daemons' last
# log lines and removes what was started.
start_once() {
  RGW_PORT=$(pick_port "${KLUIS_RGW_PORT:-}" 7480)
  MON_PORT=$(pick_port "${KLUIS_RGW_MON_PORT:-}" 6789)
  DIR=$(mktemp -d "${TMPDIR:-/tmp}/kluis-radosgw.XXXXXX")
  mkdir -p "$DIR"/{mon,osd0,run,log,rgw}
  trap 'on_exit $?' EXIT
  FSID=$(uuidgen)
  write_conf
  C=$DIR/ceph.conf
  monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$DIR/monmap" >/dev/null
  ceph-mon -c "$C" --mkfs -i a --monmap "$DIR/monmap"
  daemon mon ceph-mon -c "$C" -i a -f
  OSD_UUID=$(uuidgen)
  OSD_ID=$(timeout 60 ceph -c "$C" osd new "$OSD_UUID") || fail "the monitor did not answer (port $MON_PORT)"
  ceph-osd -c "$C" -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >"$DIR/log/osd-mkfs.out" 2>&1
  daemon osd ceph-osd -c "$C" -i "$OSD_ID" -f
  daemon rgw radosgw -c "$C" -n client.rgw -f
  wait_ready
  timeout 60 radosgw-admin -c "$C" user create --uid=kluis-test --display-name=kluis-test \
    --access-key="$ACCESS_KEY" --secret="$SECRET_KEY" >/dev/null
  if [ -n "${KLUIS_RGW_OWNER_PID:-}" ]; then
    setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$3" ]; do sleep 2; done; "$2" "$3"' \
      watchdog "$KLUIS_RGW_OWNER_PID" "$HERE/stop-radosgw.sh" "$DIR" </dev/null >/dev/null 2>&1 &
  fi
  log "ready after ${SECONDS} s on http://127.0.0.1:$RGW_PORT (data in $DIR)"
  cat <<ENV | tee "$DIR/env"
export KLUIS_S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export AWS_REGION=us-east-1
export KLUIS_RGW_DIR=$DIR
ENV
}

if [ "${1:-}" = --attempt ]; then
  start_once
  exit 0
fi
install_packages
# Now and then the OSD dies at its first start ("wrong fsid" from the monitor, seen mostly while
# other clusters run on the same host, and once three times in a row right after another test
# run's cluster stopped); a fresh attempt in a fresh directory, after the last one's daemons have
# had a moment to go, is cheap.
ATTEMPTS=5
for attempt in $(seq 1 $ATTEMPTS); do
  bash "$0" --attempt && exit 0
  [ "$attempt" = $ATTEMPTS ] || { log "attempt $attempt failed; trying again"; sleep 2; }
done
fail "radosgw did not start in $ATTEMPTS attempts (see the log lines above)"
