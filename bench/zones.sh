#!/usr/bin/env bash
# The article-zones benchmark (issue 24): synthetic two-page newspaper issues with known
# article boxes (src/testkit/newspaper.rs), each page prepared and read by Tesseract as
# ingest does, then zoned; even seeds are the tuning half, odd seeds the held-back half.
#   bench/zones.sh [ISSUES] [FIRST_SEED]   ISSUES per half (default 12: 24 + 24 pages)
#   bench/zones.sh 8 500                   issues with bold headlines at body size (seeds 1000 on)
# Prints a Markdown table (bench/out/zones.md) with the pages, the missed articles and
# their previews under bench/out/zones/. About 8 minutes for 12 + 12 issues on 2 busy cores.
set -euo pipefail
cd "$(dirname "$0")/.."
issues=${1:-12}
first=${2:-0}
out=bench/out/zones
mkdir -p "$out"
cargo build --release --quiet --example zones_eval
target=${CARGO_TARGET_DIR:-target}
OMP_THREAD_LIMIT=1 "$target/release/examples/zones_eval" "$issues" "$first" "$out" 2>"$out/missed.txt" | tee bench/out/zones.md
grep -v 'ObjectCache\|LEAK' "$out/missed.txt" || true
{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "date: $(date -u +%Y-%m-%d), olke $(git rev-parse --short HEAD), $(tesseract --version 2>&1 | head -1)"
} | tee -a bench/out/zones.md
