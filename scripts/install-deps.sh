#!/usr/bin/env bash
# Installs the Debian packages Uketsuke needs, and only those that are missing.
# Usage: scripts/install-deps.sh [test|run]   (both sets are the same today; kept apart for the app window)
# Runs apt as root, or through sudo when not root. Says what it installs.
set -euo pipefail

packages=(
  # PC/SC: the real daemon, the vsmartcard virtual reader driver, headers for the `pcsc` crate
  pkg-config libpcsclite-dev pcscd vsmartcard-vpcd
  # independent clients used by tests and benchmarks (pkcs15-tool, opensc-tool, scriptor, pcsc_scan)
  opensc pcsc-tools
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} Debian packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
  echo "install-deps: missing ${missing[*]} and neither root nor sudo is available" >&2; exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q >/dev/null
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
