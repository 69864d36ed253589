#!/usr/bin/env bash
# make bench: olke against plain tesseract and OCRmyPDF (17 from /opt/olke-venv, as users
# install it today, and Debian's) on the same pages, in one run, 2 workers. The anchors read kaz+rus+eng; olke reads each page in its record's language
# (as a manifest states it) and again in kaz+rus+eng. Writes bench/out/ (ignored by git)
# and the OCR section of BENCHMARKS.md. SCALE=0 skips the scale check; SCALE_PAGES="10 100"
# leaves out its longest part, the 1,000-page batch. ROUNDS (default 3) is how many times
# the two olke runs, plain tesseract and OCRmyPDF are timed on each corpus for the ratios.
# CORPORA (default "dev dev2 komi-1939 tune heldout") picks the corpora to run;
# DEBIAN_OCRMYPDF=0 leaves out Debian's OCRmyPDF 14, the slowest runs and no target's anchor.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
TOOLS=$SHARED/tools
OLKE=$PWD/target/release/olke
OUT=$PWD/bench/out
JOBS=2
ROUNDS=${ROUNDS:-3}
export OMP_THREAD_LIMIT=1
# OCRmyPDF 17 from the virtual environment install-deps.sh --bench makes; Debian's (14)
# is the one on the plain PATH.
VENV=${OLKE_VENV:-/opt/olke-venv}
[ -x "$VENV/bin/ocrmypdf" ] || { echo "no OCRmyPDF 17 in $VENV: run scripts/install-deps.sh --bench" >&2; exit 1; }
OCRMYPDF17=(env "PATH=$VENV/bin:$PATH" sh "$TOOLS/run_ocrmypdf.sh")
rm -rf "$OUT"; mkdir -p "$OUT"

# time_run NAME COMMAND...: wall s, CPU s and peak RSS (KiB) into $OUT/NAME.time
time_run() {
  local name=$1; shift
  /usr/bin/time -f '{"wall": %e, "user": %U, "sys": %S, "max_rss_kib": %M}' -o "$OUT/$name.time" "$@"
}

# sample_rss PID: "seconds rss_kib" of PID's innermost descendant (the program under
# time_run's subshell and /usr/bin/time) every 2 s until PID ends — one peak per batch
# does not show whether memory grows.
sample_rss() {
  local parent=$1 start=$SECONDS pid child rss
  while kill -0 "$parent" 2>/dev/null; do
    pid=$parent
    while child=$(pgrep -P "$pid" | head -1) && [ -n "$child" ]; do pid=$child; done
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [ "$pid" != "$parent" ] && [ -n "$rss" ] && echo "$((SECONDS - start)) $rss"
    sleep 2
  done
}

# The corpus images as a batch folder of links (olke ingests folders; ground truth stays
# out). With "records", a batch.csv states each page's language as the corpus does — what
# a bibliographer's manifest gives olke.
batch_of() {
  local corpus=$1 dir=$2 records=${3:-}
  mkdir -p "$dir"
  python3 - "$corpus" "$dir" "$records" <<'PY'
import csv, json, os, sys
corpus, out, records = sys.argv[1:4]
manifest = json.load(open(os.path.join(corpus, 'manifest.json')))
for m in manifest:
    os.symlink(os.path.abspath(os.path.join(corpus, m['image'])), os.path.join(out, m['image']))
if records:
    with open(os.path.join(out, 'batch.csv'), 'w', newline='') as f:
        rows = csv.writer(f)
        rows.writerow(['files', 'title', 'language'])
        for m in manifest:
            rows.writerow([m['image'], os.path.splitext(m['image'])[0], m['lang']])
PY
}

# Tesseract has no Komi model; the Cyrillic script model reads Komi's letters (ӧ, і).
# An archive's olke.toml says so as a library reading Komi would.
komi_model() {
  mkdir -p "$1"
  printf '[ocr.models]\nkpv = "Cyrillic"\n' > "$1/olke.toml"
}

# olke_run NAME BATCH... -- FLAGS: ingest, then the text layer of every PDF via pdftotext -raw.
olke_run() {
  local name=$1; shift
  local batches=() flags=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do batches+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  flags=("$@")
  komi_model "$OUT/$name/archive"
  time_run "$name" "$OLKE" --archive "$OUT/$name/archive" ingest "${batches[@]}" --jobs $JOBS --json "${flags[@]}" > "$OUT/$name.report.json"
  mkdir -p "$OUT/$name/txt"
  for pdf in "$OUT/$name/archive"/documents/*/*.pdf; do
    pdftotext -raw -enc UTF-8 "$pdf" "$OUT/$name/txt/$(basename "${pdf%.pdf}").txt"
  done
}

# Our own held-back pages (examples/heldout_pages.rs, issue 21): typefaces and damage dev
# has not got, in two halves made from different seeds — `tune` to look into, `heldout`
# to report. They are made afresh each run, the same from the same seeds.
CORPORA=${CORPORA:-dev dev2 komi-1939 tune heldout}
case " $CORPORA " in
  *" tune "*|*" heldout "*)
    echo "== rendering our own pages (tune and heldout halves)"
    ${CARGO:-cargo} run --quiet --release --features testkit --example heldout_pages -- "$OUT/own" "$SHARED/texts/ud-kazakh-ktb" > /dev/null ;;
esac
corpus_dir() {
  case $1 in
    tune|heldout) echo "$OUT/own/$1" ;;
    *) echo "$SHARED/corpus/$1" ;;
  esac
}

for corpus_name in $CORPORA; do
  corpus=$(corpus_dir "$corpus_name")
  echo "== $corpus_name"
  batch_of "$corpus" "$OUT/$corpus_name-batch"
  batch_of "$corpus" "$OUT/$corpus_name-records" records
  echo "   plain tesseract";           time_run "$corpus_name.tesseract" sh "$TOOLS/run_tesseract.sh" "$corpus" "$OUT/$corpus_name.tesseract/txt"
  echo "   OCRmyPDF 17";               time_run "$corpus_name.ocrmypdf17" "${OCRMYPDF17[@]}" "$corpus" "$OUT/$corpus_name.ocrmypdf17/txt"
  echo "   OCRmyPDF 17 --deskew --clean --rotate-pages"
  time_run "$corpus_name.ocrmypdf17-prep" "${OCRMYPDF17[@]}" "$corpus" "$OUT/$corpus_name.ocrmypdf17-prep/txt" --deskew --clean --rotate-pages
  if [ "${DEBIAN_OCRMYPDF:-1}" != 0 ]; then
    echo "   OCRmyPDF (Debian)";         time_run "$corpus_name.ocrmypdf" sh "$TOOLS/run_ocrmypdf.sh" "$corpus" "$OUT/$corpus_name.ocrmypdf/txt"
    echo "   OCRmyPDF (Debian) --deskew --clean --rotate-pages"
    time_run "$corpus_name.ocrmypdf-prep" sh "$TOOLS/run_ocrmypdf.sh" "$corpus" "$OUT/$corpus_name.ocrmypdf-prep/txt" --deskew --clean --rotate-pages
  fi
  echo "   olke, the records' languages"; olke_run "$corpus_name.olke" "$OUT/$corpus_name-records"
  echo "   olke, kaz+rus+eng";         olke_run "$corpus_name.olke-same" "$OUT/$corpus_name-batch"
  echo "   olke --no-prepare";         olke_run "$corpus_name.olke-noprep" "$OUT/$corpus_name-records" -- --no-prepare
  # The host's speed drifts 10–20 % within minutes, so one timing per tool gives ratios
  # that swing as much. The four are timed again, each round in a rotated order; the
  # runs above are round 1, and the ratios reported are the medians over the rounds.
  for round in $(seq 2 "$ROUNDS"); do
    order=(olke olke-same tesseract ocrmypdf17)
    for i in 0 1 2 3; do
      run=${order[$(( (i + round) % 4 ))]}
      echo "   round $round: $run"
      case $run in
        olke) komi_model "$OUT/round/archive"
          time_run "$corpus_name.round$round.olke" "$OLKE" --archive "$OUT/round/archive" ingest "$OUT/$corpus_name-records" --jobs $JOBS --json > /dev/null ;;
        olke-same) time_run "$corpus_name.round$round.olke-same" "$OLKE" --archive "$OUT/round/archive" ingest "$OUT/$corpus_name-batch" --jobs $JOBS --json > /dev/null ;;
        tesseract) time_run "$corpus_name.round$round.tesseract" sh "$TOOLS/run_tesseract.sh" "$corpus" "$OUT/round/txt" ;;
        ocrmypdf17) time_run "$corpus_name.round$round.ocrmypdf17" "${OCRMYPDF17[@]}" "$corpus" "$OUT/round/txt" ;;
      esac
      rm -rf "$OUT/round"
    done
  done
  for run in "$OUT/$corpus_name".*/; do
    run=${run%/}
    python3 "$TOOLS/score.py" "$corpus" "$run/txt" --json > "$run.score.json"
    # Per page, for the table of pages where olke finds fewer words than plain tesseract.
    python3 "$TOOLS/score.py" "$corpus" "$run/txt" > "$run.pages.txt"
  done
done

if [ "${SCALE:-1}" != 0 ]; then
  echo "== scale: the dev corpus repeated to ${SCALE_PAGES:-10 100 1000} pages"
  for n in ${SCALE_PAGES:-10 100 1000}; do
    dir="$OUT/scale-$n"; mkdir -p "$dir"
    python3 - "$SHARED/corpus/dev" "$dir" "$n" <<'PY'
import json, os, sys
corpus, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Single-page scans only (spreads would make two pages); a few unique trailing bytes
# give every copy its own checksum, so olke does not skip repeats as already archived.
pages = [m['image'] for m in json.load(open(os.path.join(corpus, 'manifest.json'))) if not m['two_page_spread'] and not m['image'].endswith('.jpg')]
for i in range(n):
    name = pages[i % len(pages)]
    stem, ext = os.path.splitext(name)
    data = open(os.path.join(corpus, name), 'rb').read()
    open(os.path.join(out, f'{i:04d}-{stem}{ext}'), 'wb').write(data + b'\0' * 8 + i.to_bytes(4, 'big'))
PY
    echo "   $n pages"
    time_run "scale-$n" "$OLKE" --archive "$OUT/scale-$n-archive" ingest "$dir" --jobs $JOBS --json > "$OUT/scale-$n.report.json" &
    sample_rss $! > "$OUT/scale-$n.rss"
    wait $!
    rm -rf "$dir" "$OUT/scale-$n-archive"
  done
fi

python3 bench/summarize.py "$OUT" BENCHMARKS.md
echo "BENCHMARKS.md updated"
