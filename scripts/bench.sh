#!/usr/bin/env bash
# `make bench`: every crate's benchmark in one run. Each prints ratios against a peer measured in the same run
# (never an absolute threshold). Release builds: the first run compiles for a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
for crate in mynacard oqs store face; do
  if [ -f "crates/$crate/benches/$crate.rs" ]; then
    echo "== bench: $crate"
    cargo bench --locked -p "$crate" --bench "$crate"
  fi
done
