#!/usr/bin/env bash
# Installs ccusage 20.0.24 (with its native linux-x64 binary) into bench/work/npm once and prints
# the path of the native binary, which is what the benchmarks time.
set -euo pipefail
cd "$(dirname "$0")"
prefix="work/npm"
bin="$prefix/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage"
if [[ ! -x "$bin" ]]; then
  mkdir -p "$prefix"
  npm install --silent --no-audit --no-fund --prefix "$prefix" ccusage@20.0.24 @ccusage/ccusage-linux-x64@20.0.24 >&2
  chmod +x "$bin"
fi
echo "$(pwd)/$bin"
