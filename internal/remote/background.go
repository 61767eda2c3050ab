package remote

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// Process is one ancestor of the helper: its parent's id and its argv.
type Process struct {
	Parent int
	Args   []string
}

// backgroundFetch reports whether the fetch this helper serves is one
// nobody waits for: `git maintenance run --task=prefetch` runs
// `git fetch <remote> --prefetch …`, and git runs the helper through a
// `git remote-airlock` process, so the fetch is the helper's grandparent.
// git passes a connect helper neither its refspecs nor its options, so the
// ancestors' argv is the one signal; IDE auto-fetch has none
// (airlock.wakeOnFetch=false covers it).
func backgroundFetch(ctx context.Context, lookup func(context.Context, int) (Process, error), pid int) bool {
	for range 4 {
		if pid <= 1 {
			return false
		}
		p, err := lookup(ctx, pid)
		if err != nil {
			return false
		}
		if isGit(p.Args) && (slices.Contains(p.Args, "--prefetch") || slices.Contains(p.Args, "maintenance")) {
			return true
		}
		if isGit(p.Args) && slices.Contains(p.Args, "fetch") {
			return false // the fetch itself, and not a prefetch
		}
		pid = p.Parent
	}
	return false
}

func isGit(args []string) bool {
	if len(args) == 0 {
		return false
	}
	base := args[0][strings.LastIndexAny(args[0], `/\`)+1:]
	return base == "git" || base == "git.exe"
}

// lookupProcess reads an ancestor from /proc where there is one (Linux, no
// child process), else from ps (macOS, the BSDs).
func lookupProcess(run *xec.Runner) func(context.Context, int) (Process, error) {
	return func(ctx context.Context, pid int) (Process, error) {
		if cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); err == nil {
			stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
			if err != nil {
				return Process{}, err
			}
			return Process{Parent: statParent(string(stat)), Args: strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")}, nil
		}
		out, err := run.Output(ctx, xec.Cmd{Argv: []string{"ps", "-o", "ppid=", "-o", "args=", "-p", strconv.Itoa(pid)}})
		if err != nil {
			return Process{}, err
		}
		f := strings.Fields(string(out))
		if len(f) == 0 {
			return Process{}, os.ErrNotExist
		}
		ppid, _ := strconv.Atoi(f[0])
		return Process{Parent: ppid, Args: f[1:]}, nil
	}
}

// statParent reads the parent id from /proc/<pid>/stat, whose second field
// (the command name, in parentheses) may hold spaces.
func statParent(stat string) int {
	i := strings.LastIndex(stat, ")")
	if i < 0 {
		return 0
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}
