#!/usr/bin/env bash
# Which Tesseract models a record's language should be read with by default: olke on each
# corpus with records stating each page's language (as a bibliographer's batch.csv does),
# under several [ocr.models] choices, text layers read back with pdftotext -raw and scored.
# The choices: the record's model alone (kaz, rus), with English (kaz+eng, rus+eng), and
# olke's default (the record's model, then kaz+rus+eng).
# Usage: bench/models.sh [CORPUS_DIR...] (default: ../shared/corpus/{dev,dev2}).
# JOBS (default 2) workers; writes bench/out/models/ (ignored by git) and prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
OLKE=$PWD/target/release/olke
OUT=${OUT:-$PWD/bench/out/models}
JOBS=${JOBS:-2}
export OMP_THREAD_LIMIT=1
corpora=("$@")
[ ${#corpora[@]} -gt 0 ] || corpora=("$SHARED/corpus/dev" "$SHARED/corpus/dev2")
declare -A choices=(
  [alone]='kaz = "kaz"\nrus = "rus"\neng = "eng"'
  [with-eng]='kaz = "kaz+eng"\nrus = "rus+eng"\neng = "eng"'
  [default]=''
)
mkdir -p "$OUT"
for corpus in "${corpora[@]}"; do
  name=$(basename "$corpus")
  batch="$OUT/$name-records"; rm -rf "$batch"; mkdir -p "$batch"
  python3 - "$corpus" "$batch" <<'PY'
import csv, json, os, sys
corpus, out = sys.argv[1:3]
manifest = json.load(open(os.path.join(corpus, 'manifest.json')))
with open(os.path.join(out, 'batch.csv'), 'w', newline='') as f:
    rows = csv.writer(f)
    rows.writerow(['files', 'title', 'language'])
    for m in manifest:
        os.symlink(os.path.abspath(os.path.join(corpus, m['image'])), os.path.join(out, m['image']))
        rows.writerow([m['image'], os.path.splitext(m['image'])[0], m['lang']])
PY
  for choice in alone with-eng default; do
    dir="$OUT/$name.$choice"; rm -rf "$dir"; mkdir -p "$dir/archive" "$dir/txt"
    [ -n "${choices[$choice]}" ] && printf "[ocr.models]\n${choices[$choice]}\n" > "$dir/archive/olke.toml"
    /usr/bin/time -f '{"wall": %e, "user": %U}' -o "$dir.time" \
      "$OLKE" --archive "$dir/archive" ingest "$batch" --jobs "$JOBS" --json > "$dir.report.json"
    for pdf in "$dir/archive"/documents/*/*.pdf; do
      pdftotext -raw -enc UTF-8 "$pdf" "$dir/txt/$(basename "${pdf%.pdf}").txt"
    done
    python3 "$SHARED/tools/score.py" "$corpus" "$dir/txt" --json > "$dir.score.json"
  done
done
python3 - "$OUT" "${corpora[@]}" <<'PY'
import json, os, sys
out, corpora = sys.argv[1], sys.argv[2:]
print('| corpus | models | CER | BoW error | word recall | heavy BoW | wall s |')
print('|---|---|---|---|---|---|---|')
labels = {'alone': "the record's model alone", 'with-eng': "the record's + eng", 'default': "the record's, then kaz+rus+eng (default)"}
for corpus in corpora:
    name = os.path.basename(corpus.rstrip('/'))
    for choice, label in labels.items():
        s = json.load(open(f'{out}/{name}.{choice}.score.json'))
        t = json.load(open(f'{out}/{name}.{choice}.time'))
        heavy = f"{s['heavy']['bow_error'] * 100:.2f} %" if 'heavy' in s else '–'
        print(f"| {name} | {label} | {s['all']['cer'] * 100:.2f} % | {s['all']['bow_error'] * 100:.2f} % | "
              f"{s['all']['word_recall'] * 100:.2f} % | {heavy} | {t['wall']:.1f} |")
PY
