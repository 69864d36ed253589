#!/usr/bin/env bash
# The web benchmark: `olke serve` on the search benchmark's synthetic archive (7,300
# documents, 58,700 pages; made by bench/search.sh when it is not there yet), then wrk
# against 127.0.0.1 for 20 s with 2 threads and 16 connections, each request the search
# page of the next of 25 realistic queries (bench/serve.lua). Writes the figures into the
# "Web" section of BENCHMARKS.md, with the machine's load beside them.
# Needs: cargo, wrk (scripts/install-deps.sh --bench).
set -euo pipefail
cd "$(dirname "$0")/.."
archive=bench/out/search/archive
target=${CARGO_TARGET_DIR:-target}
command -v wrk >/dev/null || { echo "wrk is missing: scripts/install-deps.sh --bench" >&2; exit 1; }
[ -e "$archive/.bench-complete" ] || bash bench/search.sh
cargo build --release --quiet --bin olke
port=18080
# wrk is one address making thousands of searches: the abuse limits are lifted for it.
printf '[web]\nsearches_per_minute = 0\nrequests_per_hour = 0\n' > "$archive/olke.toml"
"$target/release/olke" --archive "$archive" serve --bind "127.0.0.1:$port" 2>bench/out/serve.log &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
# The documents are read in the background at start; let that finish, and warm the index.
sleep 3
wrk -t2 -c4 -d3s -s bench/serve.lua "http://127.0.0.1:$port" >/dev/null
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
wrk -t2 -c16 -d20s --latency -s bench/serve.lua "http://127.0.0.1:$port" | tee bench/out/serve-wrk.txt
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

requests=$(awk '/Requests\/sec/ {print $2}' bench/out/serve-wrk.txt)
p50=$(awk '$1 == "50%" {print $2}' bench/out/serve-wrk.txt)
p99=$(awk '$1 == "99%" {print $2}' bench/out/serve-wrk.txt)
total=$(awk '/requests in/ {print $1}' bench/out/serve-wrk.txt)
errors=$(awk '/Non-2xx|Socket errors/' bench/out/serve-wrk.txt)
section=$(cat <<SECTION
<!-- web -->
## Web

\`bench/serve.sh\`: \`olke serve\` over the search benchmark's archive (7,300 documents,
58,700 pages; see above), \`wrk -t2 -c16 -d20s --latency\` against 127.0.0.1 on the same
machine, each request the full search page (20 results with snippets, thumbnails' links
and the five facets counted over every document found) of the next of 25 queries in
\`bench/serve.lua\`: inflected Kazakh and Russian words, phrases, prefixes, OR and NOT,
collection, type, source, year and language filters.

| date | requests | requests/s | p50 | p99 | errors | load before → after (1, 5, 15 min) |
|---|---|---|---|---|---|---|
| $(date -u +%Y-%m-%d) | $total | $requests | $p50 | $p99 | ${errors:-none} | $load_before → $load_after |

Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB; olke $(git rev-parse --short HEAD); server and wrk at niceness $(nice).
wrk and the server share the 2 cores, and other builds run beside them (the load
average): the figures are a floor for a machine of the server's own.
<!-- /web -->
SECTION
)
python3 - "$section" <<'PY'
import re, sys
section = sys.argv[1]
text = open("BENCHMARKS.md", encoding="utf-8").read()
if "<!-- web -->" in text:
    text = re.sub(r"<!-- web -->.*?<!-- /web -->", lambda _: section, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
open("BENCHMARKS.md", "w", encoding="utf-8").write(text)
PY
echo "BENCHMARKS.md updated"
