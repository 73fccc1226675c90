#!/usr/bin/env bash
# Builds the Debian package of Uketsuke from an already built binary, without a Rust toolchain on the target:
#   scripts/package-deb.sh release   → target/release/uketsuke_<version>_amd64.deb   (`make package`: what a clinic
#                                       installs; release builds have no WebKit inspector)
#   scripts/package-deb.sh debug     → target/debug/uketsuke_<version>_amd64.deb     (`make test` checks the layout
#                                       and installs it into a scratch root; never for a clinic)
# Layout: /usr/bin/uketsuke, the training assets in /usr/share/uketsuke/assets (the app looks there first, next
# to its binary), a desktop entry and icon, the README. The face models, the virtual cards and the UI are inside
# the binary. Depends only on Debian 12 packages, so `apt install ./uketsuke_*.deb` works from a local mirror or
# the installation media, offline.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:?usage: package-deb.sh debug|release [out-dir]}"
case "$profile" in debug|release) ;; *) echo "package-deb: profile must be debug or release" >&2; exit 2;; esac
target="${CARGO_TARGET_DIR:-target}"
bin="$target/$profile/uketsuke"
out="${2:-$target/$profile}"
if [ ! -x "$bin" ]; then
  flag=""; [ "$profile" = release ] && flag=" --release"
  echo "package-deb: $bin is missing (run cargo build$flag -p uketsuke --locked first)" >&2; exit 1
fi
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
arch="$(dpkg --print-architecture)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
root="$stage/uketsuke_${version}_${arch}"

install -D -m 0755 "$bin" "$root/usr/bin/uketsuke"
for d in cards eligibility faces scenarios; do
  mkdir -p "$root/usr/share/uketsuke/assets/$d"
  cp -r "assets/$d/." "$root/usr/share/uketsuke/assets/$d/"
done
# The mock OQS checks the virtual cards' certificates against the test CA: its certificate only, never a key.
install -D -m 0644 assets/pki/test-ca.crt.pem "$root/usr/share/uketsuke/assets/pki/test-ca.crt.pem"
find "$root/usr/share/uketsuke" -type d -exec chmod 0755 {} +
find "$root/usr/share/uketsuke" -type f -exec chmod 0644 {} +
install -D -m 0644 src-tauri/icons/icon.png "$root/usr/share/icons/hicolor/512x512/apps/uketsuke.png"
install -D -m 0644 README.md "$root/usr/share/doc/uketsuke/README.md"
install -D -m 0644 /dev/stdin "$root/usr/share/applications/uketsuke.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=Uketsuke
Name[ja]=マイナ受付
Comment=Reception for the My Number health insurance card
Comment[ja]=マイナ保険証の受付
Exec=uketsuke
Icon=uketsuke
Categories=Office;MedicalSoftware;
Terminal=false
DESKTOP

size="$(du -sk "$root/usr" | cut -f1)"
install -D -m 0644 /dev/stdin "$root/DEBIAN/control" <<CONTROL
Package: uketsuke
Version: $version
Architecture: $arch
Maintainer: Uketsuke <desk@uketsuke.jp>
Installed-Size: $size
Depends: libwebkit2gtk-4.1-0, libgtk-3-0, libsoup-3.0-0, libpcsclite1, pcscd, fonts-noto-cjk, fonts-ipafont-gothic, fonts-ipamj-mincho
Recommends: vsmartcard-vpcd, cups-client, xdg-utils
Section: misc
Priority: optional
Description: Clinic reception for the My Number health insurance card (マイナ保険証)
 Reads the card over PC/SC, confirms identity by face, PIN or staff check,
 asks the consents and checks eligibility online, with the desk's fallbacks.
 Training mode (virtual cards, scenarios, scores) needs vsmartcard-vpcd.
CONTROL
if [ "$profile" = debug ]; then
  sed -i 's/^Description: /Description: [debug build, not for clinics] /' "$root/DEBIAN/control"
fi
mkdir -p "$out"
deb="$out/uketsuke_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz -z1 --build "$root" "$deb" >/dev/null
echo "$deb"
