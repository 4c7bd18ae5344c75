#!/usr/bin/env bash
# Writes the CPython 3.11 expectations for golden cases: <name>.out (stdout) and the exit status
# as a first-line "# exit: N" comment; with EXPECT_ERR=1 also <name>.err (stderr), with
# EXPECT_ERR=line <name>.errline (the last line of stderr). Existing .err and .errline files are
# always refreshed.
# Usage: expect.sh FILE_OR_DIR...
set -euo pipefail
py=${PYTHON:-python3}
"$py" -c 'import sys; assert sys.version_info[:2] == (3, 11), "CPython 3.11 is required"'

run_py() { # FILE -> sets status; leaves out/err in $tmp
    local f=$1 dir base
    dir=$(cd "$(dirname "$f")" && pwd)
    base=$(basename "$f" .aio)
    rm -rf "$tmp"/*
    cp "$f" "$tmp/$base.py"
    if [ -d "$dir/_modules" ]; then
        for m in "$dir"/_modules/*.aio; do
            [ -e "$m" ] || continue
            cp "$m" "$tmp/$(basename "$m" .aio).py"
        done
    fi
    local args=()
    if [ -f "$dir/$base.args" ]; then mapfile -t args < "$dir/$base.args"; fi
    local input=/dev/null
    if [ -f "$dir/$base.in" ]; then input="$dir/$base.in"; fi
    set +e
    if [ "$(basename "$dir")" = repl ]; then
        # A REPL case: <name>.in is typed at `python3 -m asyncio`; its prompts go to stdout
        # when stdin is not a terminal, so they are removed from the start of each line.
        (cd "$tmp" && PYTHONHASHSEED=0 "$py" -m asyncio < "$input" > "$tmp/.raw" 2> "$tmp/.err")
        status=$?
        sed -E -e 's/^((>>>|\.\.\.) )+//' "$tmp/.raw" > "$tmp/.out"
    else
        (cd "$tmp" && PYTHONHASHSEED=0 "$py" "$base.py" "${args[@]}" < "$input" > "$tmp/.out" 2> "$tmp/.err")
        status=$?
    fi
    set -e
    # python3 names the script by its absolute path; Aio's runner passes the file name.
    sed -i "s#File \"$tmp/\([^\"]*\)\.py\"#File \"\1.aio\"#" "$tmp/.err"
}

expect_one() {
    local f=$1 dir base
    dir=$(dirname "$f")
    base=$(basename "$f" .aio)
    run_py "$f"
    local want_header=""
    [ "$status" -ne 0 ] && want_header="# exit: $status"
    local have_header=""
    have_header=$(head -n 1 "$f" | grep '^# exit:' || true)
    if [ "$have_header" != "$want_header" ]; then
        [ -n "$have_header" ] && sed -i '1d' "$f"
        [ -n "$want_header" ] && sed -i "1i $want_header" "$f"
        run_py "$f"   # line numbers changed: run again
    fi
    cp "$tmp/.out" "$dir/$base.out"
    if [ "${EXPECT_ERR:-0}" = 1 ] || [ -f "$dir/$base.err" ]; then
        cp "$tmp/.err" "$dir/$base.err"
    fi
    if [ "${EXPECT_ERR:-0}" = line ] || [ -f "$dir/$base.errline" ]; then
        tail -n 1 "$tmp/.err" > "$dir/$base.errline"
    fi
    echo "$f: exit $status"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for arg in "$@"; do
    if [ -d "$arg" ]; then
        while IFS= read -r f; do expect_one "$f"; done < <(find "$arg" -name '*.aio' -not -path '*/_modules/*' | sort)
    else
        expect_one "$arg"
    fi
done
