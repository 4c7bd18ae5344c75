#!/usr/bin/env bash
# Runs each bench/stdlib program under python3 and aio. Each program reports the time of
# its measured operations on stderr ("bench-time: S"); this prints those times, their
# ratio python3/aio (above 1: aio is faster) and the whole-process times.
# Usage: bench/stdlib/run.sh [path/to/aio]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
aio=${1:-$here/../../target/release/aio}
py=${PYTHON:-python3}
now() { date +%s.%N; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-12s %10s %10s %7s   %12s %12s\n' program 'py op' 'aio op' ratio 'py process' 'aio process'
for f in "$here"/*.aio; do
    name=$(basename "$f" .aio)
    t0=$(now); "$py" "$f" > "$tmp/py.out" 2> "$tmp/py.err"; t1=$(now)
    "$aio" "$f" > "$tmp/aio.out" 2> "$tmp/aio.err"; t2=$(now)
    if ! cmp -s "$tmp/py.out" "$tmp/aio.out"; then
        echo "$name: outputs differ" >&2
    fi
    op_py=$(sed -n 's/^bench-time: //p' "$tmp/py.err")
    op_aio=$(sed -n 's/^bench-time: //p' "$tmp/aio.err")
    awk -v n="$name" -v a="$t0" -v b="$t1" -v c="$t2" -v p="$op_py" -v q="$op_aio" \
        'BEGIN { printf "%-12s %9.2fs %9.2fs %7.2f   %11.2fs %11.2fs\n", n, p, q, p / q, b - a, c - b }'
done
