#!/usr/bin/env bash
# CPU time of two builds of the CLI, compared in pairs run side by side. This host's speed drifts by ±10–45%
# over minutes, more than most changes are worth; two runs started together see the same host, so the ratio of
# their CPU times varies far less than either (sd 3–5% per pair here, where sequential runs vary by 20%).
# Both runs compete for the same cores, so the absolute figures are only indicative: take them from
# `npm run bench`.
#
#   npm run build && npx tsc -p tsconfig.bench.json
#   bash bench/cpu-pairs.sh [pairs=8] A_MAIN_JS [B_MAIN_JS=dist/main.js] [bench args...]
#
# A "before" build: git worktree add /tmp/before <rev> && cp -al node_modules /tmp/before/ &&
# (cd /tmp/before && npx tsc -p tsconfig.build.json), then A_MAIN_JS=/tmp/before/dist/main.js.
# Each pair prints A's and B's CPU seconds; the end, the mean and sd of A/B (above 1: B uses less).
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-8}
a=$(realpath "${2:?usage: bench/cpu-pairs.sh [pairs] A_MAIN_JS [B_MAIN_JS] [bench args...]}")
b=$(realpath "${3:-dist/main.js}")
shift $(($# < 3 ? $# : 3))
bench=.bench-build/bench/sync-fivetran.js
[ -f "$bench" ] || { echo "build the bench first: npx tsc -p tsconfig.bench.json" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cpu() { # main.js, output file, bench args
  local main=$1 file=$2
  shift 2
  node "$bench" --runs cpu --cli-main-js "$main" "$@" | sed -nE 's/^ *CPU time +([0-9.]+) s.*/\1/p' >"$file"
}

for i in $(seq "$pairs"); do
  # Alternate which starts first: the first one gets a head start of a fraction of a second.
  if ((i % 2)); then first=$a second=$b; else first=$b second=$a; fi
  cpu "$first" "$out/first" "$@" &
  sleep 0.3
  cpu "$second" "$out/second" "$@" &
  wait
  if ((i % 2)); then echo "$(cat "$out/first") $(cat "$out/second")"; else echo "$(cat "$out/second") $(cat "$out/first")"; fi
done | awk '{ print "A " $1 " s, B " $2 " s"; r = $1 / $2; s += r; ss += r * r; n++ }
  END { m = s / n; printf "A/B CPU: mean %.3f, sd %.3f over %d pairs\n", m, sqrt(ss / n - m * m), n }'
