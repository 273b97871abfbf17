#!/usr/bin/env bash
# Installs the real clients that RealClientsTest drives through the gateway, pinned, from npm:
# the Anthropic and OpenAI SDKs, the Claude Code CLI and the Codex CLI (with their native linux
# binaries). They go into a cache folder outside the repository (about 900 MB, mostly the two CLI
# binaries), installed once per set of versions; prints the folder. TALLY_CLIENTS_DIR overrides it.
set -euo pipefail
packages=(@anthropic-ai/sdk@1.15.0 openai@7.59.0 @anthropic-ai/claude-code@2.1.332 @openai/codex@0.171.0)
dir="${TALLY_CLIENTS_DIR:-$HOME/.cache/tally-test-clients}"
stamp="$dir/installed"
if [[ "$(cat "$stamp" 2>/dev/null)" != "${packages[*]}" ]]; then
  mkdir -p "$dir"
  rm -f "$stamp"
  [[ -f "$dir/package.json" ]] || echo '{"private":true}' >"$dir/package.json"
  # Claude Code's postinstall puts its native binary in place of the bin stub
  npm install --silent --no-audit --no-fund --no-save --foreground-scripts --prefix "$dir" "${packages[@]}" >&2
  echo "${packages[*]}" >"$stamp"
fi
echo "$dir"
