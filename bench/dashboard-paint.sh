#!/usr/bin/env bash
# First paint of the web dashboard on a local server holding N synthetic events (default 10,000,000):
# seeds a fresh data dir with `tally bench server --keep DIR` (90 days, 200 people, 20 teams, 30
# models, over the HTTP ingest API), starts `tally serve` on it, and drives headless Chromium with
# playwright-core (bench/dashboard-paint.mjs): first contentful paint and the time until the KPI
# cards, the table and the chart show figures, cold and cached, for the default and the 90-day range.
#
#   bench/dashboard-paint.sh [--events N] [--people N] [--data-dir DIR] [--port P]
#
# --data-dir DIR  reuse DIR when it holds a ledger already (seeding 10M events takes a while),
#                 else seed it and keep it; without it a temporary folder is seeded and removed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
events=10000000
people=200
port=18490
data=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --events) events="$2"; shift 2 ;;
    --people) people="$2"; shift 2 ;;
    --data-dir) data="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    *) echo "unknown option $1 (see the top of $0)" >&2; exit 2 ;;
  esac
done

# the browser and its driver, where DashboardBrowserTest keeps them
chromium="${CHROMIUM:-}"
for c in /usr/bin/chromium /usr/bin/chromium-browser; do [[ -z "$chromium" && -x "$c" ]] && chromium="$c"; done
if [[ -z "$chromium" ]]; then
  echo "+ apt-get install -y chromium" >&2
  apt-get install -y -q chromium >/dev/null && chromium=/usr/bin/chromium
fi
modules="${PW_MODULES:-$HOME/.cache/tally-browser-tests}"
if [[ ! -d "$modules/node_modules/playwright-core" ]]; then
  pw="$(sed -n 's/.*PLAYWRIGHT = "\(playwright-core@[^"]*\)".*/\1/p' "$root/src/test/java/dev/tally/surfaces/http/DashboardBrowserTest.java")"
  echo "+ npm install $pw into $modules" >&2
  mkdir -p "$modules" && npm install --silent --no-audit --no-fund --prefix "$modules" "$pw"
fi

tmp=""
if [[ -z "$data" ]]; then
  tmp="$(mktemp -d)"
  data="$tmp/data"
fi
server=""
cleanup() {
  if [[ -n "$server" ]]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; fi
  if [[ -n "$tmp" ]]; then rm -rf "$tmp"; fi
}
trap cleanup EXIT

password="bench-password" # the first admin's, set when this script seeds a ledger
"$root/tally" --version >/dev/null # builds target/tally.jar when it is missing or older than the sources
if [[ -f "$data/tally.db" ]]; then
  echo "Reusing the ledger in $data (--events and --people do not apply)"
else
  echo "Seeding $data with $(printf "%'d" "$events") events (tally bench server --keep)"
  TALLY_ADMIN_PASSWORD="$password" "$root/tally" bench server --events "$events" --people "$people" --keep "$data" --no-queries
fi
du -sh "$data/tally.db" | sed 's/^/Ledger size: /'

TALLY_ADMIN_PASSWORD="$password" "$root/tally" serve --data-dir "$data" --host 127.0.0.1 --port "$port" >"${tmp:-$data}/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "${tmp:-$data}/serve.log" >&2; exit 1; }
  sleep 0.5
done
# the server reads the dashboard's first queries right after it starts (as anyone arriving a few
# seconds later finds them); the first cold load below comes after that, the JVM otherwise fresh
log="${tmp:-$data}/serve.log"
for _ in $(seq 1 120); do
  grep -q 'dashboard queries warmed up' "$log" && break
  sleep 0.5
done
warm="$(sed -n 's/.*dashboard queries warmed up.*"ms":\([0-9]*\).*/\1/p' "$log" | tail -1)"
echo "tally serve on http://127.0.0.1:$port/ (started; its dashboard warm-up took ${warm:-?} ms)"

if ! curl -fs -o /dev/null -X POST "http://127.0.0.1:$port/api/v1/login" -d "{\"username\":\"admin\",\"password\":\"$password\"}"; then
  echo "cannot sign in as admin with TALLY_ADMIN_PASSWORD: use a data dir seeded by this script" >&2
  exit 1
fi
TALLY_BASE="http://127.0.0.1:$port" TALLY_USER=admin TALLY_PASSWORD="$password" PW_MODULES="$modules" CHROMIUM="$chromium" \
  node "$root/bench/dashboard-paint.mjs"
