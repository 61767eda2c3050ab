package remote

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// Version is set by the linker for `git-remote-airlock --version`.
var Version = "dev"

// Main is git-remote-airlock: argv [remote, url] from git, protocol on
// stdin/stdout, diagnostics on stderr. It returns the exit code: 128 on
// protocol errors, as git's die() does.
func Main() int {
	args := os.Args[1:]
	if len(args) == 1 && (args[0] == "--version" || args[0] == "--help" || args[0] == "-h") {
		fmt.Fprintf(os.Stderr, "git-remote-airlock %s\ngit's remote helper for airlock://<sandbox>[/<path>] URLs; git runs it, you do not.\n", Version)
		return 0
	}
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "fatal: git-remote-airlock: git runs this helper as 'git-remote-airlock <remote> <url>'")
		return 128
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	runner := &xec.Runner{}
	if os.Getenv("GIT_AIRLOCK_TRACE") != "" {
		runner.Trace = os.Stderr
	}
	home, _ := os.UserHomeDir()
	h := &Helper{Sbx: &sbx.Client{Run: runner}, Protocol: os.Getenv("GIT_PROTOCOL"),
		ForceWake: os.Getenv(gitx.WakeEnv) == "1",
		Background: func(ctx context.Context) bool {
			return backgroundFetch(ctx, lookupProcess(runner), os.Getppid())
		},
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
	// protocol.version as git reads it (GIT_CONFIG_PARAMETERS carries -c),
	// with or without a repository; v2 unless it says 0 or 1.
	h.V2 = func(ctx context.Context) bool {
		entries, err := gitx.UserConfigEntries(ctx, runner, `^protocol\.version$`)
		if err != nil || len(entries) == 0 {
			return err == nil
		}
		return entries[len(entries)-1].Value == "2"
	}
	if gitDir := os.Getenv("GIT_DIR"); gitDir != "" {
		h.Repo = gitx.OpenGitDir(runner, filepath.FromSlash(gitDir))
	}
	// Read only when sbx is not on PATH: the path recorded at registration.
	h.Sbx.Bin = sbxProgram(home, func() string {
		if h.Repo == nil {
			return ""
		}
		v, _, _ := h.Repo.ConfigGet(ctx, "remote."+args[0]+"."+sandboxref.SbxPathKey)
		return v
	})
	if h.Repo != nil {
		h.WakeOnFetch = func(ctx context.Context) bool {
			v, set, err := h.Repo.ConfigGet(ctx, "airlock.wakeOnFetch")
			if err != nil || !set {
				return true
			}
			b, err := config.ParseBool(v)
			return err != nil || b
		}
		// airlock.timeout, as git-airlock reads it; a value it would reject
		// leaves the default.
		if v, set, err := h.Repo.ConfigGet(ctx, "airlock.timeout"); err == nil && set {
			if d, err := time.ParseDuration(v); err == nil && d > 0 {
				h.Timeout = d
				h.Sbx.Timeout = d
			}
		}
	}
	err := h.Serve(ctx, args[0], args[1])
	if err == nil {
		return 0
	}
	fmt.Fprintf(os.Stderr, "fatal: git-remote-airlock: %v\n", err)
	for _, h := range hint.Of(err) {
		fmt.Fprintf(os.Stderr, "hint: %s\n", h)
	}
	var te *TunnelError
	if errors.As(err, &te) && te.Code > 0 && te.Code < 128 {
		return te.Code
	}
	return 128
}
