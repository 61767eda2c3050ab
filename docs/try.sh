#!/usr/bin/env bash
# `make try`: a shell in a throwaway repository with git-airlock and the
# bundled sbx simulator first on PATH, to try every command by hand.
# Leave the shell (exit) and everything it made is removed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$root/.build/bin/git-airlock" ] || { echo "run 'make try' (it builds first)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/git-airlock-try.XXXXXX")
export PATH="$root/.build/bin:$root/.build/sim:$PATH" SBXSIM_HOME="$tmp/sbxsim"
cleanup() { sbx rm --all --force >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT

# The fake agent of every agent but `shell`: it receives the task and
# commits on a branch of its own. Replace it with your own script.
cat > "$tmp/agent.sh" <<'AGENT'
#!/bin/sh
git switch -q -c "agent/try-$(date +%s)" &&
printf '%s\n' "$*" >> TASKS.md && git add TASKS.md &&
git commit -q -m "Work on: $*"
AGENT
chmod +x "$tmp/agent.sh"
export SBXSIM_AGENT="$tmp/agent.sh"

repo="$tmp/project"
git init -q "$repo" && git -C "$repo" symbolic-ref HEAD refs/heads/main
cd "$repo"
echo "# project" > README.md
git add README.md && git -c user.name=You -c user.email=you@example.com commit -q -m "First commit"
cat <<MSG
try: a throwaway repository at $repo, with git-airlock and the sbx
try: simulator on PATH (state in \$SBXSIM_HOME; the fake agent is \$SBXSIM_AGENT).
try: for example:
try:   git airlock run "write the tests"      # the agent commits in its sandbox
try:   git airlock status; git airlock diff   # its work, fetched
try:   git airlock merge                      # through the gate
try:   git airlock shell                      # a shell in the sandbox (bash)
try: exit the shell to throw it all away.
MSG
"${SHELL:-bash}" -i || true
