#!/usr/bin/env bash
# What the guard against dropped text costs and gains: every corpus ingested by olke
# with the guard and without it (--no-guard), kaz+rus+eng (komi-1939 too), text layers read back with
# pdftotext -raw and scored; the guard's worker seconds come from the ingest report.
# Usage: bench/guard.sh [CORPUS_DIR...] (default: ../shared/corpus/{dev,dev2,komi-1939}).
# JOBS (default 2) workers; writes bench/out/guard/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
OLKE=$PWD/target/release/olke
OUT=${OUT:-$PWD/bench/out/guard}
JOBS=${JOBS:-2}
export OMP_THREAD_LIMIT=1
corpora=("$@")
[ ${#corpora[@]} -gt 0 ] || corpora=("$SHARED/corpus/dev" "$SHARED/corpus/dev2" "$SHARED/corpus/komi-1939")
mkdir -p "$OUT"
for corpus in "${corpora[@]}"; do
  name=$(basename "$corpus")
  batch="$OUT/$name-batch"; rm -rf "$batch"; mkdir -p "$batch"
  python3 - "$corpus" "$batch" <<'PY'
import json, os, sys
corpus, out = sys.argv[1:3]
for m in json.load(open(os.path.join(corpus, 'manifest.json'))):
    os.symlink(os.path.abspath(os.path.join(corpus, m['image'])), os.path.join(out, m['image']))
PY
  for run in guard no-guard; do
    flags=(); [ $run = no-guard ] && flags=(--no-guard)
    dir="$OUT/$name.$run"; rm -rf "$dir"; mkdir -p "$dir/archive" "$dir/txt"
    /usr/bin/time -f '{"wall": %e, "user": %U}' -o "$dir.time" \
      "$OLKE" --archive "$dir/archive" ingest "$batch" --jobs "$JOBS" --json "${flags[@]}" > "$dir.report.json"
    for pdf in "$dir/archive"/documents/*/*.pdf; do
      pdftotext -raw -enc UTF-8 "$pdf" "$dir/txt/$(basename "${pdf%.pdf}").txt"
    done
    python3 "$SHARED/tools/score.py" "$corpus" "$dir/txt" --json > "$dir.score.json"
    python3 "$SHARED/tools/score.py" "$corpus" "$dir/txt" > "$dir.score.txt"
  done
done
