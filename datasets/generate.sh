#!/usr/bin/env bash
# Regenerates the synthetic data sets shipped here (deterministic: same bytes every time).
set -euo pipefail
cd "$(dirname "$0")/.."
run() { cargo run --quiet --release -p mutinfo-cli -- "$@"; }
run generate xor --rows 4000 --seed 1 --out datasets/xor.csv
run generate parity --rows 4000 --seed 2 --out datasets/parity.csv
run generate redundant --rows 3000 --seed 3 --out datasets/redundant.csv
run generate madelon --rows 2000 --seed 4 --out datasets/madelon_like.csv
