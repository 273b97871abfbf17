#!/usr/bin/env bash
# Cold scan, warm re-run and peak memory of `tally daily` against `ccusage claude daily` on the
# same generated Claude Code corpus, in one run. Usage: bench/scan.sh [--size-mb 500] [--runs 2]
set -euo pipefail
cd "$(dirname "$0")/.."
size=500
runs=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size-mb) size="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "usage: bench/scan.sh [--size-mb N] [--runs N]" >&2; exit 2 ;;
  esac
done

work="bench/work"
mkdir -p "$work"
command -v /usr/bin/time >/dev/null || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 3; }

./tally --version >/dev/null # builds when needed
jdk="$(bash -c 'source <(sed -n "/^java_major()/,/^}/p;/^find_jdk()/,/^}/p" ./tally); find_jdk; echo "$JDK"')"

corpus="$work/corpus-$size"
if [[ ! -d "$corpus/projects" ]]; then
  echo "bench: generating a ${size} MB Claude Code corpus in $corpus ..." >&2
  "$jdk/bin/java" bench/GenerateCorpus.java --out "$corpus.tmp" --size-mb "$size"
  mv "$corpus.tmp" "$corpus"
fi
bytes="$(du -sb "$corpus" | cut -f1)"
mb="$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}')"

ccusage="$(bench/ccusage.sh)"

empty="$work/empty"
mkdir -p "$empty"
export TZ=UTC CODEX_HOME="$empty" OPENCODE_DATA_DIR="$empty" GEMINI_DATA_DIR="$empty"

measure() { # prints "seconds peak_kb" of the best of $runs runs of "$@"
  local best_s="" best_kb="" out s kb
  for ((i = 0; i < runs; i++)); do
    local t; t="$(mktemp)"
    /usr/bin/time -o "$t" -f '%e %M' "$@" >/dev/null 2>/dev/null
    out="$(tail -1 "$t")"; rm -f "$t"
    s="${out% *}"; kb="${out#* }"
    if [[ -z "$best_s" ]] || awk -v a="$s" -v b="$best_s" 'BEGIN{exit !(a<b)}'; then best_s="$s"; fi
    if [[ -z "$best_kb" || "$kb" -gt "$best_kb" ]]; then best_kb="$kb"; fi
  done
  echo "$best_s $best_kb"
}

echo "bench: ccusage claude daily --json --offline (best of $runs) ..." >&2
read -r cc_s cc_kb < <(CLAUDE_CONFIG_DIR="$corpus" measure "$ccusage" claude daily --json --offline -z UTC)

cold_s=""; cold_kb=0
for ((i = 0; i < runs; i++)); do
  data="$(mktemp -d)"
  read -r s kb < <(runs=1 TALLY_DATA_DIR="$data" CLAUDE_CONFIG_DIR="$corpus" measure ./tally daily --json --agent claude -z UTC)
  if [[ -z "$cold_s" ]] || awk -v a="$s" -v b="$cold_s" 'BEGIN{exit !(a<b)}'; then cold_s="$s"; keep="$data"; fi
  (( kb > cold_kb )) && cold_kb="$kb"
done
echo "bench: tally warm re-run ..." >&2
read -r warm_s warm_kb < <(TALLY_DATA_DIR="$keep" CLAUDE_CONFIG_DIR="$corpus" measure ./tally daily --json --agent claude -z UTC)

# The floor under any warm re-run on the JVM: bench/StatFloor.java only lists and stats the corpus
# files (what a re-run must do to know nothing changed), started like a report: same JDK and flags,
# with an AOT cache of its own.
floor_dir="$work/stat-floor"
if [[ ! -f "$floor_dir/floor.aot" || bench/StatFloor.java -nt "$floor_dir/floor.aot" ]]; then
  rm -rf "$floor_dir" && mkdir -p "$floor_dir/classes"
  "$jdk/bin/javac" -d "$floor_dir/classes" bench/StatFloor.java
  "$jdk/bin/jar" cfe "$floor_dir/floor.jar" StatFloor -C "$floor_dir/classes" .
fi
floor_opts=(-XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 -Xms16m -Xmx256m -Djava.locale.providers=FALLBACK) # ./tally's for a report
if [[ ! -f "$floor_dir/floor.aot" ]]; then
  "$jdk/bin/java" "${floor_opts[@]}" -XX:AOTCacheOutput="$floor_dir/floor.aot" -Xlog:disable -Xlog:all=off \
    -jar "$floor_dir/floor.jar" "$corpus" >/dev/null 2>&1 || true
fi
[[ -s "$floor_dir/floor.aot" ]] && floor_opts+=(-XX:AOTCache="$floor_dir/floor.aot" -Xlog:aot=off -Xlog:cds=off)
echo "bench: JVM floor (list and stat the corpus files) ..." >&2
read -r floor_s floor_kb < <(runs=5 measure "$jdk/bin/java" "${floor_opts[@]}" -jar "$floor_dir/floor.jar" "$corpus")

same="$(diff <(TALLY_DATA_DIR="$keep" CLAUDE_CONFIG_DIR="$corpus" ./tally daily --json --agent claude -z UTC --no-scan \
  | grep -E '"(inputTokens|outputTokens|cacheCreationTokens|cacheReadTokens|totalTokens)"' | tail -5) \
  <(CLAUDE_CONFIG_DIR="$corpus" "$ccusage" claude daily --json --offline -z UTC | grep -E '"(inputTokens|outputTokens|cacheCreationTokens|cacheReadTokens|totalTokens)"' | tail -5 | sort) >/dev/null && echo yes || echo "see bench/parity.sh")"

awk -v mb="$mb" -v cc="$cc_s" -v cck="$cc_kb" -v cold="$cold_s" -v coldk="$cold_kb" -v warm="$warm_s" -v warmk="$warm_kb" \
    -v floor="$floor_s" -v files="$(find "$corpus" -name '*.jsonl' | wc -l)" 'BEGIN{
  printf "\nCorpus: %s MB of Claude Code JSONL in %d files (bench/GenerateCorpus.java)\n\n", mb, files
  printf "%-34s %9s %10s %12s\n", "", "seconds", "MB/s", "peak RSS MB"
  printf "%-34s %9.2f %10.0f %12.0f\n", "ccusage claude daily (20.0.24)", cc, mb/cc, cck/1024
  printf "%-34s %9.2f %10.0f %12.0f\n", "tally daily, cold (empty ledger)", cold, mb/cold, coldk/1024
  printf "%-34s %9.2f %10s %12.0f\n", "tally daily, warm (nothing new)", warm, "-", warmk/1024
  printf "%-34s %9.2f %10s %12s\n", "JVM floor (stat the files, no work)", floor, "-", "-"
  printf "\nTally cold vs ccusage: %.2fx the speed (goal >= 1)\n", cc/cold
  printf "Tally warm vs ccusage: %.1fx faster (goal >= 10)\n", cc/warm
  printf "  (no Java program can be more than %.1fx faster than ccusage here: the JVM floor above)\n", cc/floor
  printf "Peak RSS tally/ccusage: %.2f (goal <= 1)\n", (coldk>warmk?coldk:warmk)/cck
}'
rm -rf "$keep"
