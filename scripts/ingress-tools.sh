#!/usr/bin/env bash
# Installs the tools kwire's ingress benchmark uses (Debian packages):
#   wrk         -> wrk    (bench/ingress-wrk.ts, the load generator)
#   nginx       -> nginx  (bench/ingress-wrk.ts, the reference reverse proxy; run as a
#                          child process with its own config; the Debian service is not used)
# Usage: bash scripts/ingress-tools.sh        (as root, or with sudo available)
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -eq 0 ]; then
  echo "ingress-tools: wrk and nginx are already installed"
  exit 0
fi

# policy-rc.d keeps the package's post-install from starting nginx as a system service.
POLICY=/usr/sbin/policy-rc.d
ADDED_POLICY=""
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  ADDED_POLICY=1
fi
cleanup() { if [ -n "$ADDED_POLICY" ]; then $SUDO rm -f "$POLICY"; fi; }
trap cleanup EXIT

if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
  echo "ingress-tools: package not found or index stale; running apt-get update" >&2
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
command -v wrk >/dev/null 2>&1 || { echo "ingress-tools: wrk still missing after install" >&2; exit 1; }
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { echo "ingress-tools: nginx still missing after install" >&2; exit 1; }
echo "ingress-tools: installed ${missing[*]}"
