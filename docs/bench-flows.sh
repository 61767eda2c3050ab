#!/usr/bin/env bash
# The user flows of docs/BENCHMARKS.md under a modelled real sbx: per flow,
# sbx calls and sandbox starts (from the simulator's calls.log and
# wakes.log), git processes git-airlock and its remote helper start (from
# GIT_AIRLOCK_TRACE; git's own children, such as index-pack, are not
# counted) and wall time with SBXSIM_LATENCY per sbx call and
# SBXSIM_WAKE_DELAY per start (LATENCY, WAKE; default 100ms and 1s).
# Then how `git airlock ls` scales with 1, 10 and 50 sandboxes (SIZES): with
# no modelled latency (host-side cost only), and with LATENCY per sbx call,
# where what ls adds to its one `sbx ls` is set against 3 × `git status`.
# Run by `make bench`, or alone after `make build`; AIRLOCK_BIN runs
# another build's binaries (for before/after) against this simulator.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${AIRLOCK_BIN:-$root/.build/bin}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/git-airlock-flows.XXXXXX")
export PATH="$bin:$root/.build/sim:$PATH" SBXSIM_HOME="$tmp/sbxsim" HOME="$tmp/home" XDG_CACHE_HOME="$tmp/home/.cache"
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=b@example.com
export SBXSIM_AGENT="$tmp/agent.sh"
latency=${LATENCY:-100ms} wake=${WAKE:-1s}
mkdir -p "$HOME" "$SBXSIM_HOME"
printf 'git commit -q --allow-empty -m work\n' >"$SBXSIM_AGENT"
trap 'sbx rm --all --force >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
quiet() { "$@" >/dev/null 2>&1; }
. "$root/docs/bench-lib.sh" # usec, wall_us, median_of

# flow LABEL CMD...: one run of CMD under the cost model.
flow() {
  local label=$1; shift
  rm -f "$SBXSIM_HOME/calls.log" "$SBXSIM_HOME/wakes.log"
  local t0 t1
  usec; t0=$REPLY
  SBXSIM_LATENCY=$latency SBXSIM_WAKE_DELAY=$wake GIT_AIRLOCK_TRACE=1 "$@" >/dev/null 2>"$tmp/trace" || true
  usec; t1=$REPLY
  printf '| %s | %d | %d | %d | %.2f s |\n' "$label" "$(grep -c '^sbx ' "$SBXSIM_HOME/calls.log" 2>/dev/null || true)" \
    "$(grep -c . "$SBXSIM_HOME/wakes.log" 2>/dev/null || true)" "$(grep -c '^exec: git ' "$tmp/trace" || true)" \
    "$(awk "BEGIN{print ($t1-$t0)/1e6}")"
  if [ -n "${SHOW:-}" ]; then
    { echo "## $label"; grep '^sbx ' "$SBXSIM_HOME/calls.log" | cut -c1-160; grep '^exec: git' "$tmp/trace" | cut -c1-160; } >&2
  fi
}

echo "== flows (sbx call $latency, wake $wake)"
git init -q -b main "$tmp/repo" && cd "$tmp/repo" && git commit -q --allow-empty -m init
printf '| flow | sbx calls | wakes | git processes | wall |\n|---|---|---|---|---|\n'
flow 'first `run` (claude)' git airlock run --name box1 work
flow 'second `run`' git airlock run --name box1 work
flow '`status`' git airlock status --name box1
flow '`status --unfetched`' git airlock status --name box1 --unfetched
flow '`ls`' git airlock ls
quiet sbx stop box1
flow '`fetch`, stopped' git airlock fetch --name box1
flow '`diff`' git airlock diff --name box1
flow 'first `run` of another sandbox' git airlock run --name box2 work
quiet git airlock run --name box3 work
quiet sbx stop box1 box2 box3
flow '`fetch --all`, 3 stopped' git airlock fetch --all
quiet sbx stop box1 box2 box3
flow '`git fetch --all`, 3 stopped' git fetch --all
quiet sbx stop box1 box2 box3
flow '`git fetch --all`, 3 stopped, `fetch.parallel 8`' git -c fetch.parallel=8 fetch --all
flow '`merge`' git airlock merge --name box1
flow '`rm`' git airlock rm --name box1
flow '`doctor`' git airlock doctor

runs=${RUNS:-11}

echo "== ls scaling (no modelled latency, then sbx calls of $latency; round robin, median of $runs)"
printf '| sandboxes | `git status` | `sbx ls --json` | aim: 3 × status + sbx ls | `git airlock ls` | its git processes | `sbx ls --json`, %s | `git airlock ls`, %s | ls − sbx ls (aim: 3 × status) |\n|---|---|---|---|---|---|---|---|---|\n' "$latency" "$latency"
git init -q -b main "$tmp/many" && cd "$tmp/many" && git commit -q --allow-empty -m init
n=0
for size in ${SIZES:-1 10 50}; do
  while [ "$n" -lt "$size" ]; do
    n=$((n + 1))
    quiet git airlock run --name "many$n" work
    quiet sbx stop "many$n"
  done
  # One run of each in turn, so that a slower moment of the machine
  # weighs on all of them alike.
  st=() sl=() ls=() sll=() lsl=()
  for ((i = 0; i < runs; i++)); do
    wall_us git status; st+=("$REPLY")
    wall_us sbx ls --json; sl+=("$REPLY")
    wall_us git airlock ls; ls+=("$REPLY")
    SBXSIM_LATENCY=$latency wall_us sbx ls --json; sll+=("$REPLY")
    SBXSIM_LATENCY=$latency wall_us git airlock ls; lsl+=("$REPLY")
  done
  st=$(median_of "${st[@]}") sl=$(median_of "${sl[@]}") sll=$(median_of "${sll[@]}") lsl=$(median_of "${lsl[@]}")
  printf '| %d | %s ms | %s ms | %.1f ms | %s ms | %d | %s ms | %s ms | %.1f ms (%.1f ms) |\n' "$size" "$st" "$sl" "$(awk "BEGIN{print 3*$st+$sl}")" \
    "$(median_of "${ls[@]}")" "$(GIT_AIRLOCK_TRACE=1 git airlock ls 2>&1 >/dev/null | grep -c '^exec: git ' || true)" \
    "$sll" "$lsl" "$(awk "BEGIN{print $lsl-$sll}")" "$(awk "BEGIN{print 3*$st}")"
done
