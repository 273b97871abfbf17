#!/usr/bin/env bash
# Gateway benchmark: Tally's gateway against an nginx proxy_pass peer and direct calls, all to the
# same fast fake Anthropic upstream (nginx answering from memory), non-streaming and streaming, in
# one run. Prints max throughput, latency at a paced ~1,000 requests/s (added p50/p99 = through the
# proxy minus direct), the first streamed byte, and how many requests Tally metered.
#
# Usage: bench/gateway.sh [--duration 15] [--conns 64] [--rate 1000] [--firstbyte 3000] [--no-pin] [--port-base 28081]
#
# CPU layout (2 cores): the proxy under test (Tally's JVM or the nginx peer's one worker) is pinned
# to CPU 1; wrk, the fake upstream and the first-byte client share CPU 0 (taskset). Each proxy gets
# one whole core and the load side cannot steal it. --no-pin lets the scheduler place everything.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=15
conns=64
rate=1000
firstbyte=3000
pin=1
port_base=28081
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --conns) conns="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --firstbyte) firstbyte="$2"; shift 2 ;;
    --no-pin) pin=0; shift ;;
    --port-base) port_base="$2"; shift 2 ;;
    *) echo "usage: bench/gateway.sh [--duration S] [--conns N] [--rate R] [--firstbyte N] [--no-pin]" >&2; exit 2 ;;
  esac
done

# --- tools ---------------------------------------------------------------------------------------
need=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v curl >/dev/null 2>&1 || need+=(curl)
if ((${#need[@]})); then
  echo "bench: installing Debian packages: ${need[*]} (apt-get install -y ${need[*]})" >&2
  sudo_=""; [[ "$(id -u)" != 0 ]] && sudo_="sudo"
  $sudo_ apt-get install -y "${need[@]}" >/dev/null 2>&1 || { $sudo_ apt-get update >/dev/null && $sudo_ apt-get install -y "${need[@]}" >/dev/null; }
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

./tally --version >/dev/null # builds the jar when sources changed
jdk="$(bash -c 'source <(sed -n "/^java_major()/,/^}/p;/^find_jdk()/,/^}/p" ./tally); find_jdk; echo "$JDK"')"

if ((pin)); then
  LOAD=(taskset -c 0); PROXY=(taskset -c 1)
else
  LOAD=(); PROXY=()
fi

# --- processes -----------------------------------------------------------------------------------
work="$(pwd)/bench/work/gateway"
rm -rf "$work" && mkdir -p "$work"
UP=$((port_base)); PEER=$((port_base + 1)); TALLY=$((port_base + 2)); JETTY=$((port_base + 3))
for p in $UP $PEER $TALLY $JETTY; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "bench: port $p is taken; choose other ports with --port-base N (uses N to N+3)" >&2; exit 1
  fi
done
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

render() { # template out: fills in ports, the work folder and the fake answers
  local conf message sse
  conf="$(<"$1")"; message="$(cat bench/gateway/message.json; echo x)"; sse="$(cat bench/gateway/stream.sse; echo x)"
  conf="${conf//@UPSTREAM_PORT@/$UP}"; conf="${conf//@PEER_PORT@/$PEER}"; conf="${conf//@WORK@/$work}"
  conf="${conf//@MESSAGE_JSON@/${message%x}}"
  conf="${conf//@STREAM_SSE@/${sse%x}}"
  printf '%s\n' "$conf" >"$2"
}
render bench/gateway/upstream.conf "$work/upstream.conf"
render bench/gateway/peer.conf "$work/peer.conf"
"${LOAD[@]}" "$NGINX" -p "$work" -e "$work/upstream.err" -c "$work/upstream.conf" -g "daemon off; pid $work/upstream.pid;" &
pids+=($!)
"${PROXY[@]}" "$NGINX" -p "$work" -e "$work/peer.err" -c "$work/peer.conf" -g "daemon off; pid $work/peer.pid;" &
pids+=($!); peer_master=$!

for _ in $(seq 1 50); do [[ -s "$work/upstream.pid" && -s "$work/peer.pid" ]] && break; sleep 0.1; done
[[ -s "$work/upstream.pid" && -s "$work/peer.pid" ]] || { cat "$work"/*.err >&2; echo "bench: nginx did not start" >&2; exit 1; }

admin="bench-$RANDOM$RANDOM"
TALLY_ADMIN_PASSWORD="$admin" TALLY_PORT= "${PROXY[@]}" ./tally serve --host 127.0.0.1 --port "$TALLY" \
  --data-dir "$work/tally" >"$work/tally.log" 2>&1 &
pids+=($!); tally_pid=$! # the launcher execs the JVM, so this is the JVM's pid
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$TALLY/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$TALLY/healthz" >/dev/null || { cat "$work/tally.log" >&2; echo "bench: Tally did not start" >&2; exit 1; }
# the stack's ceiling: a pass-through proxy on the same Jetty server and client as Tally's gateway,
# relaying the same way, with nothing metered (bench/gateway/PassThrough.java), on the same JVM flags
"${PROXY[@]}" "$jdk/bin/java" -XX:+UseSerialGC -Xmx288m -Xmn112m -cp target/tally.jar bench/gateway/PassThrough.java \
  "$JETTY" "http://127.0.0.1:$UP" sk-ant-bench-provider-key >"$work/jetty.log" 2>&1 &
pids+=($!); jetty_pid=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$JETTY") 2>/dev/null && break; sleep 0.1; done
(exec 3<>"/dev/tcp/127.0.0.1/$JETTY") 2>/dev/null || { cat "$work/jetty.log" >&2; echo "bench: the pass-through proxy did not start" >&2; exit 1; }
api() { curl -fsS -u "admin:$admin" -H 'content-type: application/json' "$@"; }
api -X POST "http://127.0.0.1:$TALLY/api/v1/providers" \
  -d "{\"provider\":\"anthropic\",\"baseUrl\":\"http://127.0.0.1:$UP\",\"key\":\"sk-ant-bench-provider-key\"}" >/dev/null
key="$(api -X POST "http://127.0.0.1:$TALLY/api/v1/keys" -d '{"name":"bench","email":"bench@example.com"}' \
  | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')"
[[ "$key" == sk-tly-* ]] || { echo "bench: could not create a gateway key" >&2; exit 1; }

# --- load ----------------------------------------------------------------------------------------
declare -A url=([direct]="http://127.0.0.1:$UP" [nginx]="http://127.0.0.1:$PEER" [jetty]="http://127.0.0.1:$JETTY" [tally]="http://127.0.0.1:$TALLY")
targets=(direct nginx jetty tally)
results="$work/results.txt"
: >"$results"

drained() { # waits until Tally's spool is written to the ledger, so its drain does not load the next run
  local b
  for _ in $(seq 1 600); do
    b="$(curl -fs "http://127.0.0.1:$TALLY/metrics" | awk '/^tally_gateway_spool_bytes/ {printf "%d", $2}')"
    [[ "$b" == 0 ]] && return 0
    sleep 0.1
  done
  echo "bench: Tally's spool still holds $b bytes" >&2
}

cpu_ticks() { # user+system clock ticks of the processes serving a target (the proxy; the upstream for direct)
  local p t=0
  case "$1" in
    direct) p="$(cat "$work/upstream.pid") $(pgrep -P "$(cat "$work/upstream.pid")" | tr '\n' ' ')" ;;
    nginx) p="$peer_master $(pgrep -P "$peer_master" | tr '\n' ' ')" ;;
    tally) p="$tally_pid" ;;
    jetty) p="$jetty_pid" ;;
  esac
  for x in $p; do t=$((t + $(awk '{print $14 + $15}' "/proc/$x/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}

run_wrk() { # label stream(0/1) target seconds connections delay_ms [path, default /v1/messages]
  local out c0 c1 n path="${7:-/v1/messages}"
  c0="$(cpu_ticks "$3")"
  out="$(BENCH_KEY="$key" BENCH_STREAM="$2" BENCH_LABEL="$1" BENCH_DELAY_MS="$6" BENCH_PLAIN="$([[ $path == /v1/messages ]] && echo 0 || echo 1)" \
    "${LOAD[@]}" wrk -t1 -c"$5" -d"$4"s --timeout 5s -s bench/gateway/wrk.lua "${url[$3]}$path" 2>&1)"
  c1="$(cpu_ticks "$3")"
  n="$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$out")"
  out="$(grep '^RESULT' <<<"$out")" || { echo "$out" >&2; return 1; }
  # CPU time of the serving process per request: what a request costs, whatever else the machine runs
  echo "$out cpu_us=$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n="${n:-1}" 'BEGIN {printf "%d", t / hz * 1e6 / n}')" \
    | tee -a "$results" >&2
  [[ "$3" != tally ]] || drained
}

load0="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench: warming up (Tally's JIT, connection pools)..." >&2
for s in 0 1; do
  for t in "${targets[@]}"; do run_wrk "warmup-$t-$s" "$s" "$t" 3 "$conns" 0 >/dev/null 2>&1; done
  run_wrk "warmup-tally-$s" "$s" tally 20 "$conns" 0 >/dev/null 2>&1 # the JIT needs a while on one shared core
  run_wrk "warmup-jetty-$s" "$s" jetty 10 "$conns" 0 >/dev/null 2>&1
done

echo "bench: max throughput, $conns connections, ${duration}s each" >&2
for s in 0 1; do
  for t in "${targets[@]}"; do run_wrk "max:$s:$t" "$s" "$t" "$duration" "$conns" 0; done
done

paced_conns=20
delay=$((paced_conns * 1000 / rate))
echo "bench: paced load, $paced_conns connections each pausing ~${delay} ms (~$rate requests/s), ${duration}s each" >&2
for s in 0 1; do
  for t in "${targets[@]}"; do run_wrk "paced:$s:$t" "$s" "$t" "$duration" "$paced_conns" "$delay"; done
done

# the floor: Tally's HTTP server answering /healthz (nothing proxied, nothing metered) at the same pace
run_wrk "paced:floor:tally" 0 tally "$duration" "$paced_conns" "$delay" /healthz

echo "bench: first streamed byte, $firstbyte requests per target, interleaved" >&2
"${LOAD[@]}" "$jdk/bin/java" bench/gateway/FirstByte.java "$key" "$firstbyte" \
  direct=127.0.0.1:$UP nginx=127.0.0.1:$PEER jetty=127.0.0.1:$JETTY tally=127.0.0.1:$TALLY | tee -a "$results" >&2

# --- metering ------------------------------------------------------------------------------------
sleep 3 # the spool drains into the ledger in the background
served="$(curl -fs "http://127.0.0.1:$TALLY/metrics" | awk '/^tally_gateway_requests_seconds_count/ && /status="200"/ {s += $2} END {printf "%d", s}')"
ledger="$(api "http://127.0.0.1:$TALLY/api/v1/usage?range=24h&groupBy=provider" | grep -o '"requests":[0-9]*' | awk -F: '{s += $2} END {printf "%d", s}')"

# --- report --------------------------------------------------------------------------------------
field() { # label field
  awk -v l="$1" -v f="$2" '$2 == l { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' "$results"
}
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
added() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f", (a - b) / 1000 }'; }

echo
echo "Gateway benchmark $(date -u +%Y-%m-%dT%H:%MZ), load average before: $load0, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), pinning: $( ((pin)) && echo 'proxy CPU 1, load+upstream CPU 0' || echo none)"
echo "wrk -t1, max: -c$conns -d${duration}s; paced: -c$paced_conns with ~${delay} ms pauses -d${duration}s"
echo
printf '| %-9s | %-6s | %10s | %8s | %10s | %8s | %8s | %10s | %8s | %8s | %8s | %8s | %6s |\n' \
  mode target "max req/s" "vs nginx" "CPU us/req" "p50 ms" "p99 ms" "paced r/s" "p50 ms" "p99 ms" "+p50 ms" "+p99 ms" errors
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for s in 0 1; do
  mode=$( ((s)) && echo streaming || echo json)
  for t in "${targets[@]}"; do
    rps="$(field "max:$s:$t" rps)"
    prps="$(field "paced:$s:$t" rps)"
    p50="$(field "paced:$s:$t" p50)"; p99="$(field "paced:$s:$t" p99)"
    d50="$(field "paced:$s:direct" p50)"; d99="$(field "paced:$s:direct" p99)"
    err=$(( $(field "max:$s:$t" errors) + $(field "max:$s:$t" status_errors) + $(field "paced:$s:$t" errors) + $(field "paced:$s:$t" status_errors) ))
    printf '| %-9s | %-6s | %10.0f | %8s | %10s | %8s | %8s | %10.0f | %8s | %8s | %8s | %8s | %6s |\n' "$mode" "$t" "$rps" \
      "$(ratio "$rps" "$(field "max:$s:nginx" rps)")" "$(field "max:$s:$t" cpu_us)" "$(ms "$(field "max:$s:$t" p50)")" "$(ms "$(field "max:$s:$t" p99)")" \
      "$prps" "$(ms "$p50")" "$(ms "$p99")" \
      "$( [[ $t == direct ]] && echo - || added "$p50" "$d50")" "$( [[ $t == direct ]] && echo - || added "$p99" "$d99")" "$err"
  done
done
echo
echo "Floor: Tally's own HTTP server answering GET /healthz at the same pace (nothing proxied or metered):" \
  "$(field paced:floor:tally rps | cut -d. -f1) req/s, p50 $(ms "$(field paced:floor:tally p50)") ms, p99 $(ms "$(field paced:floor:tally p99)") ms," \
  "$(field paced:floor:tally cpu_us) us CPU per request (+p99 vs direct json: $(added "$(field paced:floor:tally p99)" "$(field paced:0:direct p99)") ms)"
echo
echo "First streamed byte ($firstbyte streaming requests per target, persistent connections, interleaved):"
echo
echo "| target | p50 ms | p90 ms | p99 ms | mean ms | p50 vs direct | p99 vs direct |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for t in "${targets[@]}"; do
  echo "| $t | $(ms "$(field "$t" p50)") | $(ms "$(field "$t" p90)") | $(ms "$(field "$t" p99)") | $(ms "$(field "$t" mean)") |" \
    "$( [[ $t == direct ]] && echo - || added "$(field "$t" p50)" "$(field direct p50)") |" \
    "$( [[ $t == direct ]] && echo - || added "$(field "$t" p99)" "$(field direct p99)") |"
done
echo
echo "jetty: a pass-through proxy on Tally's Jetty server and client, relaying the same way, nothing metered (bench/gateway/PassThrough.java)."
echo "Metering: Tally answered $served gateway requests with 200 (its /metrics); $ledger requests in the ledger (GET /api/v1/usage)."
gap=$((served - ledger))
echo "Goals: throughput >= 0.8x nginx (json $(ratio "$(field max:0:tally rps)" "$(field max:0:nginx rps)"), streaming $(ratio "$(field max:1:tally rps)" "$(field max:1:nginx rps)"));" \
  "added p99 at ~$rate req/s < 2 ms (json $(added "$(field paced:0:tally p99)" "$(field paced:0:direct p99)"), streaming $(added "$(field paced:1:tally p99)" "$(field paced:1:direct p99)") ms);" \
  "first byte within 1 ms of direct (p50 $(added "$(field tally p50)" "$(field direct p50)"), p99 $(added "$(field tally p99)" "$(field direct p99)") ms);" \
  "unmetered: $gap;" \
  "the stack's ceiling (jetty pass-through) reaches json $(ratio "$(field max:0:jetty rps)" "$(field max:0:nginx rps)"), streaming $(ratio "$(field max:1:jetty rps)" "$(field max:1:nginx rps)") of nginx"
