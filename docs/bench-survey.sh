#!/usr/bin/env bash
# The survey's growth curve (docs/BENCHMARKS.md, issue 27): a sandbox with
# N branches on N commits (the agent's worst case for reachability), and
# the time of `git airlock status --unfetched` and of `git airlock rm` on
# it. Uses the sbx simulator, so the numbers are git-airlock's and git's,
# not a VM's. N is "500 1000 2000 20000" unless given as arguments.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/git-airlock-bench-survey.XXXXXX")
# AIRLOCK_BIN: another build of git-airlock to measure (a "before").
export PATH="${AIRLOCK_BIN:-$root/.build/bin}:$root/.build/sim:$PATH" SBXSIM_HOME="$tmp/sbxsim" HOME="$tmp/home"
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=b@example.com
mkdir -p "$HOME"
trap 'sbx rm --all --force >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
[ -x "$root/.build/bin/git-airlock" ] || make -C "$root" build >/dev/null

. "$root/docs/bench-lib.sh" # usec

# The agent's work: N commits in a line, a branch on each.
agent() {
  cat <<'SH'
n=$1
git fast-import --quiet <<EOF_IMPORT
$(i=0; while [ $i -lt "$n" ]; do
  i=$((i+1))
  printf 'commit refs/heads/agent/b%06d\nmark :%d\ncommitter a <a@x> %d +0000\ndata 2\nc\n' $i $i $((1700000000 + i))
  if [ $i -eq 1 ]; then printf 'from HEAD\n'; else printf 'from :%d\n' $((i - 1)); fi
  printf '\n'
done)
EOF_IMPORT
SH
}

for n in "${@:-500 1000 2000 20000}"; do
  for n1 in $n; do
    repo="$tmp/repo$n1"
    git init -q -b main "$repo" && cd "$repo" && git commit -q --allow-empty -m init
    agent >"$tmp/agent.sh"
    git airlock --agent shell run --name "s$n1" --no-fetch "sh $tmp/agent.sh $n1" >/dev/null 2>&1
    have=$(sbx exec "s$n1" git for-each-ref refs/heads/agent | wc -l)
    git airlock fetch --name "s$n1" >/dev/null 2>&1
    # timed CMD...: wall time in REPLY, and whether it succeeded in ok.
    timed() { local t0; usec; t0=$REPLY; if "$@" >/dev/null 2>&1; then ok=ok; else ok=FAILED; fi; usec; REPLY=$((REPLY - t0)); }
    timed git airlock --name "s$n1" status --unfetched; st=$REPLY st_ok=$ok
    # SIGINT half a second into a survey: how long until the command ends.
    git airlock --name "s$n1" status --unfetched >/dev/null 2>&1 & pid=$!
    sleep 0.5; usec; t0=$REPLY; kill -INT $pid; wait $pid || true; usec; int_ms=$(((REPLY - t0) / 1000))
    timed git airlock --name "s$n1" rm; rm=$REPLY rm_ok=$ok
    left=$(sbx ls -q | grep -c "^s$n1\$" || true)
    printf 'N=%-6s branches=%-6s status --unfetched %6.1f s (%s)   rm %6.1f s (%s; sandboxes left: %s)   SIGINT -> exit %d ms\n' \
      "$n1" "$have" "$(awk "BEGIN{print $st/1e6}")" "$st_ok" "$(awk "BEGIN{print $rm/1e6}")" "$rm_ok" "$left" "$int_ms"
  done
done
