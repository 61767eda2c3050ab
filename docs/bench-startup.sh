#!/usr/bin/env bash
# Start-up cost of both binaries, this tree against another revision:
#   bash docs/bench-startup.sh [REV]     (REV defaults to main)
# Builds each with CGO_ENABLED=0 (REV from `git archive`, so no checkout
# moves), then runs `git-airlock version` and `git-remote-airlock` with no
# arguments (it stops at its usage error, before any git or sbx call)
# under `perf stat -r $RUNS`, the two trees interleaved for $ROUNDS rounds,
# and prints the median round's CPU (task-clock) and wall time, and the
# binary sizes. Needs perf.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rev=${1:-main}
runs=${RUNS:-60}
rounds=${ROUNDS:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/git-airlock-startup.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/src"
git -C "$root" archive "$rev" | tar -x -C "$tmp/src"
(cd "$tmp/src" && CGO_ENABLED=0 go build -o "$tmp/before/" ./cmd/git-airlock ./cmd/git-remote-airlock)
(cd "$root" && CGO_ENABLED=0 go build -o "$tmp/after/" ./cmd/git-airlock ./cmd/git-remote-airlock)

# one TREE BIN ARGS...: "<task-clock ms> <elapsed ms>" of $runs runs.
one() {
  local tree=$1 bin=$2
  shift 2
  # git-remote-airlock without arguments exits 128, as it should.
  { perf stat -r "$runs" "$tmp/$tree/$bin" "$@" 2>&1 >/dev/null || true; } |
    awk '/task-clock/ {cpu = $1} /time elapsed/ {wall = $1 * 1000} END {printf "%.2f %.2f\n", cpu, wall}'
}
median() { sort -n | awk '{a[NR] = $1} END {printf "%.2f", a[int((NR + 1) / 2)]}'; }

echo "$rev against $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo +changes): perf stat -r $runs, median of $rounds interleaved rounds"
for bin in git-airlock git-remote-airlock; do
  args=()
  if [ "$bin" = git-airlock ]; then args=(version); fi
  for tree in before after; do : >"$tmp/$tree-$bin"; done
  for ((i = 0; i < rounds; i++)); do
    for tree in before after; do one "$tree" "$bin" "${args[@]}" >>"$tmp/$tree-$bin"; done
  done
  for tree in before after; do
    printf '%-6s %-28s cpu %s ms  wall %s ms  size %s bytes\n' "$tree" "$bin ${args[*]}" \
      "$(cut -d' ' -f1 "$tmp/$tree-$bin" | median)" "$(cut -d' ' -f2 "$tmp/$tree-$bin" | median)" \
      "$(stat -c %s "$tmp/$tree/$bin")"
  done
done
