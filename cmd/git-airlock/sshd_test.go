//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/git-airlock/git-airlock/internal/sbxsim"
	"github.com/git-airlock/git-airlock/internal/sshtest"
)

// sshd: starts a real OpenSSH server on loopback, the other machine of
// `--host server`. Its sessions find the same programs on PATH (sbx is the
// simulator) but a state of their own: HOME=$WORK/server/home and
// SBXSIM_HOME=$WORK/server/sbxsim; the SBXSIM_* knobs and git identity of
// the script at that moment pass on. The client side is $HOME/.ssh/config
// (Host server, host key checking on, the generated key in
// $HOME/.ssh/known_hosts); scripts point git-airlock at it with
// airlock.sshCommand, since ssh reads the passwd home, not $HOME. Sets
// SSHD_PORT and SERVER_HOME.
//
// sshd stop: kills the server (the machine goes away).
func cmdSshd(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: sshd [stop]")
	}
	if len(args) == 1 && args[0] == "stop" {
		v, ok := servers.Load(ts.Getenv("WORK"))
		if !ok {
			ts.Fatalf("sshd stop: no sshd started")
		}
		v.(*sshtest.Server).Stop()
		return
	}
	if len(args) != 0 {
		ts.Fatalf("usage: sshd [stop]")
	}
	work := ts.Getenv("WORK")
	serverHome := filepath.Join(work, "server", "home")
	serverSim := filepath.Join(work, "server", "sbxsim")
	if err := os.MkdirAll(serverHome, 0o755); err != nil {
		ts.Fatalf("%v", err)
	}
	// The server's git identity and defaults, like the laptop's.
	gitcfg, _ := os.ReadFile(filepath.Join(ts.Getenv("HOME"), ".gitconfig"))
	_ = os.WriteFile(filepath.Join(serverHome, ".gitconfig"), gitcfg, 0o644)
	env := []string{"PATH=" + ts.Getenv("PATH"), "HOME=" + serverHome, "SBXSIM_HOME=" + serverSim,
		"XDG_CACHE_HOME=" + filepath.Join(serverHome, ".cache"), "GIT_CONFIG_NOSYSTEM=1", "GORACE=atexit_sleep_ms=0", "NO_COLOR=1"}
	for _, k := range passedToServer {
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	srv, err := sshtest.Start(filepath.Join(work, "server", "ssh"), "server", env)
	if err != nil {
		ts.Fatalf("%v", err)
	}
	ts.Defer(func() {
		servers.Delete(work)
		srv.Stop()
		sbxsim.StopAll(serverSim)
	})
	servers.Store(work, srv)
	sshDir := filepath.Join(ts.Getenv("HOME"), ".ssh")
	if err := os.MkdirAll(sshDir, 0o700); err != nil {
		ts.Fatalf("%v", err)
	}
	cfg, err := os.ReadFile(srv.ClientConfig)
	if err != nil {
		ts.Fatalf("%v", err)
	}
	known, _ := os.ReadFile(filepath.Join(srv.Dir, "known_hosts"))
	cfg = []byte(strings.ReplaceAll(string(cfg), filepath.Join(srv.Dir, "known_hosts"), filepath.Join(sshDir, "known_hosts")))
	for name, data := range map[string][]byte{"config": cfg, "known_hosts": known} {
		if err := os.WriteFile(filepath.Join(sshDir, name), data, 0o600); err != nil {
			ts.Fatalf("%v", err)
		}
	}
	ts.Setenv("SSHD_PORT", strconv.Itoa(srv.Port))
	ts.Setenv("SERVER_HOME", serverHome)
}

// servers are the running sshds by $WORK, for `sshd stop`.
var servers sync.Map

// passedToServer are the script's variables a server session sees too: the
// simulator's knobs (a script sets them before sshd) and git's identity.
var passedToServer = []string{"SBXSIM_AGENT", "SBXSIM_DAEMON_DOWN", "SBXSIM_EXEC_BANNER", "SBXSIM_EXEC_MERGE_STDERR",
	"SBXSIM_FAIL", "SBXSIM_HANG", "SBXSIM_IDLE_STOP", "SBXSIM_LATENCY", "SBXSIM_LS_PORT_STRING", "SBXSIM_LS_UNRESPONSIVE",
	"SBXSIM_NOT_LOGGED_IN", "SBXSIM_NO_HOST_REMOTE", "SBXSIM_REMOTE_REWRITE", "SBXSIM_VERSION", "SBXSIM_WAKE_DELAY",
	"SBXSIM_WAKE_STREAM", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME",
	"GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE", "TMUX_TMPDIR"}
