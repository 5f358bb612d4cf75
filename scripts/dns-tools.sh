#!/usr/bin/env bash
# Installs the DNS tools kwire's DNS tests and benchmark use (Debian packages):
#   dnsutils -> dig   (src/dns/dig.e2e.test.ts)
#   dnsperf  -> dnsperf (bench/dns-qps.ts)
#   dnsmasq  -> dnsmasq (bench/dns-qps.ts, the comparison server; its service is not started)
# Usage: bash scripts/dns-tools.sh        (as root, or with sudo available)
set -euo pipefail

pkgs=(dnsutils dnsperf dnsmasq-base)
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v dig >/dev/null 2>&1 || missing+=(dnsutils)
command -v dnsperf >/dev/null 2>&1 || missing+=(dnsperf)
command -v dnsmasq >/dev/null 2>&1 || missing+=(dnsmasq-base)
if [ ${#missing[@]} -eq 0 ]; then
  echo "dns-tools: dig, dnsperf and dnsmasq are already installed"
  exit 0
fi

if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
  echo "dns-tools: package not found or index stale; running apt-get update" >&2
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
for t in dig dnsperf dnsmasq; do
  command -v "$t" >/dev/null 2>&1 || { echo "dns-tools: $t still missing after install" >&2; exit 1; }
done
echo "dns-tools: installed ${missing[*]}"
