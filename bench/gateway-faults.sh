#!/usr/bin/env bash
# Gateway fault tests as one command: upstream 429/500/529, upstream timeout, connection reset
# mid-stream, the database (PostgreSQL) stopped during load, and the gateway killed with SIGKILL
# during load. Prints requests / answered / completed / recorded / lost / duplicated per fault;
# the run fails unless lost and duplicated are 0 for every completed request.
set -euo pipefail
cd "$(dirname "$0")/.."
./tally test -q -Dtest=GatewayFaultTest -Dsurefire.failIfNoSpecifiedTests=false 2>&1 \
  | sed -n '/^gateway fault/,/^$/p;/FAIL\|ERROR\]/p'
