#!/usr/bin/env bash
# Installs the headless browser the web UI's end-to-end tests drive (Debian `chromium`),
# when missing. playwright-core (a dev dependency) talks to it over CDP; it never downloads
# a browser of its own. Run as root, or with sudo available.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "kwire UI tests need the Debian package chromium. Install it with apt-get as root." >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
echo "installing chromium (apt-get)" >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core >/dev/null 2>&1 || {
  $SUDO apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core >/dev/null
}
