#!/usr/bin/env bash
# The search benchmark: a synthetic archive of the library's whole fund (7,300 documents,
# 58,700 pages of Kazakh and Russian text, made once under bench/out/search/), indexed with
# `olke reindex`, then 200 mixed queries in-process and through the CLI.
#   bench/search.sh    prints the figures as JSON (bench/out/search.json) and the machine
#                      they were measured on (bench/out/search-machine.txt)
# Needs: cargo. Takes some minutes the first time (making the archive), about two after.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/search
mkdir -p "$out"
cargo build --release --quiet --bin olke --example search_bench
target=${CARGO_TARGET_DIR:-target}
OLKE="$target/release/olke" "$target/release/examples/search_bench" "$out" | tee bench/out/search.json
{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "date: $(date -u +%Y-%m-%d)"
  echo "versions: olke $(git rev-parse --short HEAD), $(rustc --version), tantivy $(grep -A1 'name = "tantivy"' Cargo.lock | sed -n 's/version = "\(.*\)"/\1/p')"
} | tee bench/out/search-machine.txt
