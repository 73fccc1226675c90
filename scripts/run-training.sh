#!/usr/bin/env bash
# `make run`: open Uketsuke in training mode (the default). The app starts its private pcscd (with the vsmartcard
# vpcd reader; stopped with the app, Ctrl-C included) and the mock OQS service on 127.0.0.1 itself, and keeps its
# training data under
# ${UKETSUKE_DATA_DIR:-~/.local/share/uketsuke}/training.
# Without a display (e.g. over ssh) it runs under a virtual X server and says how to take a screenshot.
set -euo pipefail
cd "$(dirname "$0")/.."
app=target/debug/uketsuke
[ -x "$app" ] || { echo "run-training: $app is missing; run 'make run' (it builds first)" >&2; exit 1; }
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  display=":$(( 90 + RANDOM % 9 ))"
  echo "run-training: no display found; starting the app on the virtual X server $display"
  echo "run-training: screenshot with: DISPLAY=$display import -window root shot.png   (Ctrl-C to stop)"
  Xvfb "$display" -screen 0 1600x900x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  trap 'kill $xvfb 2>/dev/null || true' EXIT
  export DISPLAY="$display"
fi
"$app"
