#!/usr/bin/env bash
# Installs a Debian package when its command is missing, so tests that compare against real tools
# (restic) run on a fresh machine. Usage: scripts/ensure-debian-package.sh PACKAGE [COMMAND]
# Waits for other package installs (the dpkg lock) instead of failing; exits non-zero only when
# the command is still missing afterwards.
set -u
pkg=$1
cmd=${2:-$1}
command -v "$cmd" >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-debian-package: $cmd is missing and cannot be installed here (needs root and apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends)
"${apt[@]}" install "$pkg" >/dev/null 2>&1 || { apt-get -o DPkg::Lock::Timeout=600 -q update >/dev/null 2>&1; "${apt[@]}" install "$pkg" >/dev/null 2>&1; }
command -v "$cmd" >/dev/null 2>&1 || { echo "ensure-debian-package: installing $pkg did not provide $cmd" >&2; exit 1; }
