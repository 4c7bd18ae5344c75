#!/usr/bin/env bash
# HTTP benchmark: an aiohttp.web hello-world server (hello.py) under Aio and under python3 with
# aiohttp, each loaded by wrk with 50 concurrent keep-alive connections on 127.0.0.1.
#
# usage: bench/http/run.sh [AIO_BINARY]      (default: target/release/aio)
# Environment: HTTP_DURATION seconds per run (default 5); HTTP_RUNS runs per server
# (default 3, the median is reported); HTTP_VENV where python3's aiohttp is installed
# (default ~/.cache/aio-bench-venv). wrk comes from Debian's package and aiohttp from PyPI;
# both are installed on first use.
set -eu

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
aio=${1:-target/release/aio}
duration=${HTTP_DURATION:-5}
runs=${HTTP_RUNS:-3}
venv=${HTTP_VENV:-$HOME/.cache/aio-bench-venv}

if ! command -v wrk > /dev/null; then
    echo "installing wrk (apt-get)" >&2
    apt-get update -qq > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk > /dev/null
fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import aiohttp' 2> /dev/null; then
    echo "installing aiohttp into $venv (pip)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q aiohttp
fi

# wait_port PORT: until the server accepts connections (at most 20 s)
wait_port() {
    for _ in $(seq 200); do
        if (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; then return 0; fi
        sleep 0.1
    done
    echo "server on port $1 did not start" >&2
    return 1
}

# bench NAME PORT CMD...: prints the median requests/second of the runs
bench() {
    local name=$1 port=$2
    shift 2
    "$@" "$here/hello.py" "$port" > /dev/null 2>&1 &
    local pid=$!
    wait_port "$port"
    wrk -t1 -c50 -d1s "http://127.0.0.1:$port/" > /dev/null # warm-up
    local rates=()
    for ((r = 1; r <= runs; r++)); do
        rates+=("$(wrk -t1 -c50 -d"${duration}s" "http://127.0.0.1:$port/" |
            awk '/Requests\/sec/ {print $2}')")
    done
    kill -INT "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
    printf '%s\n' "${rates[@]}" | sort -g | awk -v n="$name" \
        '{v[NR] = $1} END {printf "%-8s %10.0f req/s\n", n, v[int((NR + 1) / 2)]}'
}

aio_line=$(bench aio 18931 "$aio")
py_line=$(bench python3 18932 "$venv/bin/python")
echo "$aio_line"
echo "$py_line"
a=$(echo "$aio_line" | awk '{print $2}')
p=$(echo "$py_line" | awk '{print $2}')
awk -v a="$a" -v p="$p" 'BEGIN {printf "ratio    %10.2f (Aio / python3+aiohttp, requests per second)\n", a / p}'
