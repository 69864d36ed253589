#!/usr/bin/env bash
# The cluster benchmark: the first SCANS (default 12) scans of corpus/dev recognized by a
# single-node Slurm (scripts/slurm-single-node.sh) as 1, 2 and 4 array tasks of one core
# each, then filed; pages per minute from submission until the last task ended. Then the
# filing step alone, timed on a fresh archive from the same packages. Prints the figures
# for BENCHMARKS.md. Needs root, slurm-wlm and munge (scripts/install-deps.sh --test).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${CORPUS:-../shared/corpus/dev}
[ -d "$corpus" ] || corpus=/work/shared/corpus/dev
scans=${SCANS:-12}
out=$(realpath -m bench/out/cluster)
target=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet --bin olke
olke=$(realpath "$target/release/olke")
rm -rf "$out"
mkdir -p "$out/batch"
find "$corpus" -maxdepth 1 -type f \( -name '*.tif' -o -name '*.jpg' -o -name '*.png' \) | sort | head -n "$scans" \
    | xargs -I{} cp {} "$out/batch/"
bash scripts/slurm-single-node.sh start "$out/slurm" >/dev/null
trap 'bash scripts/slurm-single-node.sh stop "$out/slurm"' EXIT
export SLURM_CONF=$out/slurm/slurm.conf

wait_for() {
    while [ -n "$(squeue -h -j "$1" 2>/dev/null)" ]; do sleep 0.2; done
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for tasks in 1 2 4; do
    packages=$out/packages-$tasks
    start=$(date +%s.%N)
    submitted=$("$olke" --archive "$out/archive-$tasks" cluster slurm "$out/batch" --tasks "$tasks" \
        --packages "$packages" --json)
    recognize=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["recognize_job"])' <<<"$submitted")
    file=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["file_job"])' <<<"$submitted")
    wait_for "$recognize"
    recognized=$(date +%s.%N)
    wait_for "$file"
    pages=$(python3 -c 'import json,sys; print(sum(json.load(open(f))["pages"] for f in sys.argv[1:]))' \
        "$packages"/shards/*.json)
    python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'tasks={sys.argv[3]} pages={sys.argv[4]} recognition={s:.1f}s pages_per_minute={int(sys.argv[4])/s*60:.1f}')" \
        "$start" "$recognized" "$tasks" "$pages"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Filing alone: the 4-task packages into a fresh archive, three times.
for round in 1 2 3; do
    rm -rf "$out/filed"
    "$olke" --archive "$out/filed" file "$out/packages-4" --json >"$out/filed.json" 2>/dev/null || true
    python3 - "$out/filed.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
pages = sum(d["pages"] for d in report["documents"])
seconds = report["seconds"]
print(f"filing: {len(report['documents'])} documents, {pages} pages in {seconds:.2f} s = {seconds / pages * 100:.2f} s per hundred pages")
PY
done
