#!/usr/bin/env bash
# Installs the Debian packages Uketsuke needs, and only those that are missing.
# Runs apt as root, or through sudo when not root. Says what it installs.
set -euo pipefail

packages=(
  # PC/SC: the real daemon, the vsmartcard virtual reader driver, headers for the `pcsc` crate
  pkg-config libpcsclite-dev pcscd vsmartcard-vpcd
  # training's private pcscd runs in a network namespace of its own: `ip` brings its loopback up; `kill` stops it
  iproute2 procps
  # independent clients used by tests and benchmarks (pkcs15-tool, opensc-tool, scriptor, pcsc_scan)
  opensc pcsc-tools
  # the desktop window (Tauri 2 on WebKitGTK 4.1)
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libsoup-3.0-dev libssl-dev
  # Japanese fonts. The window: Noto Sans CJK JP, which has the name characters outside JIS X 0213
  # such as 𠮷 (U+20BB7). PDFs: IPAGothic (TrueType; printpdf cannot embed Noto's CFF outlines) and
  # IPAmj明朝 for the characters IPAGothic lacks (fc-list ':charset=20bb7' lists both Noto and IPAmj).
  fonts-noto-cjk fonts-ipafont-gothic fonts-ipamj-mincho
  # end-to-end tests: a virtual X server, WebKit's WebDriver, pdftotext to read the printed 申立書
  xvfb xauth webkit2gtk-driver poppler-utils
  # right-clicking a window and looking at the screen (the live window's context-menu test: xwininfo finds the menu
  # window; screenshots by hand)
  xdotool imagemagick x11-utils
  # the store's PostgreSQL back-end (#15): its tests start a private cluster (scripts/pg-cluster.sh)
  postgresql
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

install_node() {
  # The UI copy check (tests/ui-preview/check-i18n.mjs) runs on Node; the machine image usually has it.
  if ! command -v node >/dev/null; then
    echo "install-deps: installing nodejs (Debian)"
    "${SUDO[@]}" apt-get install -y -q --no-install-recommends nodejs >/dev/null
  fi
  # npm installs the pinned TypeScript of the UI type check (Debian packages it apart from nodejs).
  if ! command -v npm >/dev/null; then
    echo "install-deps: installing npm (Debian)"
    "${SUDO[@]}" apt-get install -y -q --no-install-recommends npm >/dev/null
  fi
}

install_ui_check() {
  # The page's type check (make test): TypeScript pinned in tests/ui-check/package-lock.json, from npm.
  local dir
  dir="$(dirname "$0")/../tests/ui-check"
  if [ ! -x "$dir/node_modules/.bin/tsc" ]; then
    echo "install-deps: installing TypeScript for the UI check (npm ci in tests/ui-check)"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
  fi
}

install_tauri_driver() {
  # tauri-driver bridges WebDriver to WebKitWebDriver for the end-to-end tests (pinned: build-notes.md §3).
  if ! command -v tauri-driver >/dev/null; then
    echo "install-deps: installing tauri-driver 2.1.0 (cargo install)"
    cargo install tauri-driver --locked --version 2.1.0 --quiet
  fi
}

install_rust_components() {
  # `make lint` (also part of `make test`) runs rustfmt and clippy: components of the installed toolchain.
  local absent=()
  cargo fmt --version >/dev/null 2>&1 || absent+=(rustfmt)
  cargo clippy --version >/dev/null 2>&1 || absent+=(clippy)
  [ ${#absent[@]} -eq 0 ] && return 0
  if ! command -v rustup >/dev/null; then
    echo "install-deps: ${absent[*]} missing from the Rust toolchain and no rustup to add them" >&2; exit 1
  fi
  echo "install-deps: installing ${absent[*]} (rustup component add)"
  rustup component add "${absent[@]}"
}

if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else SUDO=(false); fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} Debian packages present"
  install_rust_components
  install_node
  install_ui_check
  install_tauri_driver
  exit 0
fi

if [ "${SUDO[0]:-}" = false ]; then
  echo "install-deps: missing ${missing[*]} and neither root nor sudo is available" >&2; exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q >/dev/null
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
install_rust_components
install_node
install_ui_check
install_tauri_driver
