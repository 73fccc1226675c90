#!/usr/bin/env bash
# `make bench`: every benchmark in one run. Each prints ratios against a peer measured in the same run (never an
# absolute threshold). Release builds: the first run compiles for several minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
for crate in mynacard oqs store face; do
  echo "== bench: $crate"
  cargo bench --locked -p "$crate" --bench "$crate"
done
echo "== bench: uketsuke (whole reception)"
cargo bench --locked -p uketsuke --bench reception
echo "== bench: the desktop app (cold start, memory)"
cargo bench --locked -p uketsuke-tests --bench app
