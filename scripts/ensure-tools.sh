#!/usr/bin/env bash
# Installs the Debian tools kwire's tests drive (dig from dnsutils, curl, script, chromium),
# when missing.
# Benchmarks ask for more with `scripts/ensure-tools.sh bench` (wrk, nginx, dnsmasq, dnsperf).
set -euo pipefail
need=()
command -v dig >/dev/null 2>&1 || need+=(dnsutils)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
# The web UI's end-to-end tests drive Debian's Chromium with playwright-core.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ "${1:-}" = "bench" ]; then
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  command -v nginx >/dev/null 2>&1 || need+=(nginx)
  command -v dnsmasq >/dev/null 2>&1 || need+=(dnsmasq)
  command -v dnsperf >/dev/null 2>&1 || need+=(dnsperf)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "kwire tests need: ${need[*]} (Debian packages). Install them with apt-get as root." >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
echo "installing ${need[*]} (apt-get)" >&2
$SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 || {
  $SUDO apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
}
