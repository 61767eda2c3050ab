//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/git-airlock/git-airlock/internal/remote"
	"github.com/git-airlock/git-airlock/internal/sbxsim"
	"github.com/git-airlock/git-airlock/internal/ui"
)

// TestMain lets the test binary act as git-airlock, git-remote-airlock and
// the sbx simulator, all on PATH for the scripts and for git itself.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"git-airlock": func() {
			// As main: SIGINT and SIGTERM cancel the command's context.
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := run(ctx, os.Args[1:], ui.New(os.Stdin, os.Stdout, os.Stderr, true), os.LookupEnv, os.Environ())
			stop()
			os.Exit(code)
		},
		"git-remote-airlock": func() { os.Exit(remote.Main()) },
		"sbx":                func() { os.Exit(sbxsim.Main()) },
		"agent-hook":         func() { os.Exit(agentHook()) },
		"sandbox-http":       func() { os.Exit(sandboxHTTP()) },
	})
}

func TestScript(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is required")
	}
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join("..", "..", "testdata", "script"),
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			sim := filepath.Join(env.WorkDir, ".sbxsim")
			env.Setenv("HOME", home)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			env.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
			env.Setenv("SBXSIM_HOME", sim)
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("GIT_AUTHOR_NAME", "Host User")
			env.Setenv("GIT_AUTHOR_EMAIL", "host@example.com")
			env.Setenv("GIT_COMMITTER_NAME", "Host User")
			env.Setenv("GIT_COMMITTER_EMAIL", "host@example.com")
			env.Setenv("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
			env.Setenv("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
			env.Setenv("PATH_ORIG", env.Getenv("PATH"))
			// The checkout, for scenarios that run its scripts (the demo).
			root, err := filepath.Abs(filepath.Join("..", ".."))
			if err != nil {
				return err
			}
			env.Setenv("REPO_ROOT", root)
			env.Setenv("NO_COLOR", "1")
			// Under -race every process sleeps a second at exit (the race
			// runtime's atexit_sleep_ms); the scripts start hundreds.
			env.Setenv("GORACE", "atexit_sleep_ms=0")
			env.Setenv("TERM", "dumb")
			env.Setenv("GIT_PAGER", "cat")
			env.Setenv("PAGER", "cat")
			if err := os.MkdirAll(home, 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"), 0o644); err != nil {
				return err
			}
			env.Defer(func() { sbxsim.StopAll(sim) })
			return nil
		},
		Condition: gitCondition,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"newrepo":   cmdNewRepo,
			"cmpown":    cmdCmpOwn,
			"stdoutenv": cmdStdoutEnv,
			"without":   cmdWithout,
			"cmpdry":    cmdCmpDry,
			"sshd":      cmdSshd,
			"runhint":   cmdRunHint,
			"german":    cmdGerman,
			"waitfor":   cmdWaitFor,
			"noorphans": cmdNoOrphans,
		},
	})
}

// newrepo DIR: a repository with one commit on main.
func cmdNewRepo(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: newrepo DIR")
	}
	dir := ts.MkAbs(args[0])
	for _, a := range [][]string{
		{"init", "-q", dir}, // no -b: git 2.26 has none
		{"-C", dir, "symbolic-ref", "HEAD", "refs/heads/main"},
		{"-C", dir, "commit", "-q", "--allow-empty", "-m", "Initial commit"},
	} {
		if err := ts.Exec("git", a...); err != nil {
			ts.Fatalf("git %v: %v", a, err)
		}
	}
}

// waitfor FILE REGEXP: waits until a line of FILE matches (at most a
// minute), for a step that must act while a background command is at a
// named point (the simulator logs each call before it runs).
func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitfor FILE REGEXP")
	}
	re := regexp.MustCompile("(?m)" + args[1])
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(ts.MkAbs(args[0])); err == nil && re.Match(b) {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("no line of %s matched %q within a minute", args[0], args[1])
		}
	}
}

// noorphans VAR: waits for every process whose environment holds VAR
// with the script's value of it to end, and fails naming those still
// there after five seconds (a child told to end by the kernel ends in
// milliseconds). Linux only: it reads /proc.
func cmdNoOrphans(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: noorphans VAR")
	}
	mark := []byte(args[0] + "=" + ts.Getenv(args[0]) + "\x00")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		left := markedProcesses(mark)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("still running 5s after git-airlock was killed:\n%s", strings.Join(left, "\n"))
		}
	}
}

// markedProcesses lists "pid: command line" of the live processes whose
// environment holds mark (a zombie's environment reads empty).
func markedProcesses(mark []byte) []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !bytes.Contains(append([]byte{0}, env...), append([]byte{0}, mark...)) {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		out = append(out, e.Name()+": "+strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " "))
	}
	return out
}

// german: the commands that follow run in a German locale generated with
// localedef into the work dir (LOCPATH), since the machine may have none
// (a scenario skips it with [!exec:localedef]). A git built with gettext and its German
// catalogue then speaks German, checked here; a git without them (the
// prebuilt test gits are built with NO_GETTEXT) speaks English whatever
// the locale, and the scenario shows only that nothing else changes.
func cmdGerman(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: german")
	}
	dir := filepath.Join(ts.Getenv("WORK"), ".locale")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		ts.Fatalf("%v", err)
	}
	if out, err := exec.Command("localedef", "-i", "de_DE", "-f", "UTF-8", filepath.Join(dir, "de_DE.UTF-8")).CombinedOutput(); err != nil {
		ts.Fatalf("localedef cannot make de_DE.UTF-8: %v: %s", err, out)
	}
	ts.Setenv("LOCPATH", dir)
	ts.Setenv("LANG", "de_DE.UTF-8")
	ts.Setenv("LANGUAGE", "de")
	git := exec.Command("git", "rev-parse", "--git-dir")
	git.Dir = dir
	for _, k := range []string{"PATH", "HOME", "LOCPATH", "LANG", "LANGUAGE", "GIT_CONFIG_NOSYSTEM"} {
		git.Env = append(git.Env, k+"="+ts.Getenv(k))
	}
	out, _ := git.CombinedOutput()
	switch said := string(out); {
	case strings.Contains(said, "Schwerwiegend"):
		ts.Logf("git speaks German here: %s", said)
	case gitHasGerman(git.Env):
		ts.Fatalf("git has a German catalogue but said %q in a German locale", said)
	default:
		ts.Logf("this git has no German catalogue (built without gettext?); it said %q", said)
	}
}

// gitHasGerman reports whether the git on PATH is the system git with its
// German message catalogue installed.
func gitHasGerman(env []string) bool {
	cmd := exec.Command("git", "--exec-path")
	cmd.Env = env
	exe, _ := cmd.Output()
	_, err := os.Stat("/usr/share/locale/de/LC_MESSAGES/git.mo")
	return err == nil && strings.HasPrefix(string(exe), "/usr/lib/git-core")
}

// without PROGRAM...: PATH keeps git and the test's commands but loses the
// named programs (for "sbx is not installed", "tmux is missing").
func cmdWithout(ts *testscript.TestScript, neg bool, args []string) {
	dir := filepath.Join(ts.Getenv("WORK"), ".without") // not in the repository under test
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		ts.Fatalf("%v", err)
	}
	drop := map[string]bool{}
	for _, a := range args {
		drop[a] = true
	}
	for _, p := range filepath.SplitList(ts.Getenv("PATH")) {
		entries, _ := os.ReadDir(p)
		for _, e := range entries {
			if drop[e.Name()] {
				continue
			}
			link := filepath.Join(dir, e.Name())
			if _, err := os.Lstat(link); err == nil {
				continue
			}
			_ = os.Symlink(filepath.Join(p, e.Name()), link)
		}
	}
	ts.Setenv("PATH", dir)
}

// cmpown stdout|stderr GOLDEN: cmpenv for git-airlock's own lines. git's
// ref-update lines of a fetch ("From …", " * [new branch] …") are dropped
// first: their layout differs between git versions, and git, not
// git-airlock, prints them.
func cmdCmpOwn(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 || (args[0] != "stdout" && args[0] != "stderr") {
		ts.Fatalf("usage: cmpown stdout|stderr GOLDEN")
	}
	var own []string
	for _, line := range strings.SplitAfter(ts.ReadFile(args[0]), "\n") {
		if !gitRefUpdate.MatchString(line) {
			own = append(own, line)
		}
	}
	got := strings.Join(own, "")
	want := os.Expand(ts.ReadFile(args[1]), ts.Getenv)
	if got != want {
		ts.Fatalf("%s (without git's ref updates) and %s differ:\n--- got\n%s--- want\n%s", args[0], args[1], got, want)
	}
}

var gitRefUpdate = regexp.MustCompile(`^(From \S+|  ?[ *+!=t-] (\[[^]]+\]|[0-9a-f]+\.\.\.?[0-9a-f]+) .*)\r?\n?$`)

// stdoutenv NAME: sets NAME to the last command's stdout, trimmed, for
// goldens that hold a value only the run knows (an object id that depends
// on the git version).
func cmdStdoutEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: stdoutenv NAME")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
}

// gitCondition answers [git:2.29]: the git on PATH is that version or
// newer, for steps that need a git command older gits lack (maintenance).
func gitCondition(cond string) (bool, error) {
	want, ok := strings.CutPrefix(cond, "git:")
	if !ok {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	out, err := exec.Command("git", "version").Output()
	if err != nil {
		return false, err
	}
	have := strings.Fields(string(out))
	if len(have) < 3 {
		return false, fmt.Errorf("git version: %q", out)
	}
	return !versionLess(have[2], want), nil
}

// versionLess compares dotted version numbers (2.26.0 < 2.29).
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, _ := strconv.Atoi(as[i])
		y, _ := strconv.Atoi(bs[i])
		if x != y {
			return x < y
		}
	}
	return len(as) < len(bs)
}

// cmpdry DRY REAL: the commands a --dry-run printed (file DRY, its stdout)
// are the writes the real run made (file REAL, the stderr of the same
// command run with -v, whose "+ " lines are exactly what the runner ran).
// Sandbox paths in airlock:// URLs, which only the real run knows, and the
// random marker of `sbx exec`'s wrapper are normalised; only sbx and git
// commands are compared (-v echoes a gh that then turns out missing), and
// `sbx ls`, a read the dry run prints, is dropped; doctor --probe's
// throwaway names and the agents' recorded exit statuses are normalised.
func cmdCmpDry(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: cmpdry DRY-STDOUT REAL-V-STDERR")
	}
	dry := dryLines(ts.ReadFile(args[0]), "")
	real := dryLines(ts.ReadFile(args[1]), "+ ")
	got, want := strings.Join(dry, "\n"), strings.Join(real, "\n")
	if got == want {
		if neg {
			ts.Fatalf("the dry run now lists exactly the real run's writes: drop the ! and its comment")
		}
		return
	}
	if neg {
		ts.Logf("dry run and real run differ (expected):\n--- dry\n%s\n--- real\n%s", got, want)
		return
	}
	ts.Fatalf("dry run and real run differ:\n--- dry\n%s\n--- real\n%s", got, want)
}

var (
	execWrapper = regexp.MustCompile(`sh -c 'printf '\\''%s\\n'\\'' "\$0"; exec "\$@"' git-airlock-exec-[0-9a-f]+ `)
	airlockURL  = regexp.MustCompile(`airlock://([^/\s]+)/\S*`)
	// doctor --probe's throwaway sandbox and temporary repository are
	// named anew on every run.
	probeRepo = regexp.MustCompile(`git-airlock-probe-[^/\s]*`)
	probeName = regexp.MustCompile(`airlock-probe-[0-9]+`)
	// run --agents records each agent's exit status, which a dry run
	// cannot know.
	agentExit = regexp.MustCompile(`(\.airlockExit) \S+$`)
)

// dryLines keeps the lines that start with prefix, normalised.
func dryLines(text, prefix string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line, ok := strings.CutPrefix(line, prefix)
		if !ok || line == "" || strings.HasPrefix(line, "sbx ls ") {
			continue
		}
		if !strings.HasPrefix(line, "sbx ") && !strings.HasPrefix(line, "git ") {
			continue
		}
		line = execWrapper.ReplaceAllString(line, "")
		line = airlockURL.ReplaceAllString(line, "airlock://$1/…")
		line = probeRepo.ReplaceAllString(line, "git-airlock-probe-…")
		line = probeName.ReplaceAllString(line, "airlock-probe-N")
		line = agentExit.ReplaceAllString(line, "$1 N")
		out = append(out, line)
	}
	return out
}
