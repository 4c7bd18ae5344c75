#!/usr/bin/env bash
# Runs each bench/stdlib program under aio and python3 and prints the wall times and the
# ratio python3/aio (above 1: aio is faster). Usage: bench/stdlib/run.sh [path/to/aio]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
aio=${1:-$here/../../target/release/aio}
py=${PYTHON:-python3}
now() { date +%s.%N; }
printf '%-16s %9s %9s %7s\n' program python3 aio ratio
for f in "$here"/*.aio; do
    name=$(basename "$f" .aio)
    t0=$(now); out_py=$("$py" "$f"); t1=$(now)
    out_aio=$("$aio" "$f"); t2=$(now)
    if [ "$out_py" != "$out_aio" ]; then
        echo "$name: outputs differ" >&2
    fi
    awk -v n="$name" -v a="$t0" -v b="$t1" -v c="$t2" \
        'BEGIN { p = b - a; q = c - b; printf "%-16s %8.2fs %8.2fs %7.2f\n", n, p, q, p / q }'
done
