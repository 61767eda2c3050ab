package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Programs the scripts' fake agents run "inside" the simulated sandbox.

// agentHook plays an agent's side of the documented hook contracts, from
// the config git-airlock wired in the sandbox's $HOME:
//
//	agent-hook claude EVENT PAYLOAD  runs each command of hooks.EVENT in
//	  ~/.claude/settings.json with sh -c, the payload on stdin (Claude Code)
//	agent-hook codex PAYLOAD  runs ~/.codex/config.toml's notify argv with
//	  the payload as its last argument (Codex)
func agentHook() int {
	args := os.Args[1:]
	home := os.Getenv("HOME")
	switch {
	case len(args) == 3 && args[0] == "claude":
		var settings struct {
			Hooks map[string][]struct {
				Hooks []struct{ Type, Command string }
			}
		}
		b, err := os.ReadFile(filepath.Join(home, ".claude", "settings.json"))
		if err == nil {
			err = json.Unmarshal(b, &settings)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "agent-hook:", err)
			return 1
		}
		for _, group := range settings.Hooks[args[1]] {
			for _, h := range group.Hooks {
				cmd := exec.Command("sh", "-c", h.Command)
				cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(args[2]), os.Stderr, os.Stderr
				if err := cmd.Run(); err != nil {
					fmt.Fprintln(os.Stderr, "agent-hook:", err)
					return 1
				}
			}
		}
		return 0
	case len(args) == 2 && args[0] == "codex":
		var cfg struct{ Notify []string }
		if _, err := toml.DecodeFile(filepath.Join(home, ".codex", "config.toml"), &cfg); err != nil || len(cfg.Notify) == 0 {
			fmt.Fprintln(os.Stderr, "agent-hook: no notify program in ~/.codex/config.toml", err)
			return 1
		}
		cmd := exec.Command(cfg.Notify[0], append(cfg.Notify[1:], args[1])...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "agent-hook:", err)
			return 1
		}
		return 0
	}
	fmt.Fprintln(os.Stderr, "usage: agent-hook claude EVENT PAYLOAD | agent-hook codex PAYLOAD")
	return 2
}

// sandboxHTTP is a program serving in the sandbox: `sandbox-http PORTFILE
// TEXT` listens on a free loopback port, writes the port to PORTFILE and
// answers every request with TEXT, until PORTFILE is removed (or two
// minutes pass), so that it never outlives its script.
func sandboxHTTP() int {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: sandbox-http PORTFILE TEXT")
		return 2
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	file, text := os.Args[1], os.Args[2]
	port := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	if err := os.WriteFile(file+".tmp", []byte(port), 0o644); err != nil || os.Rename(file+".tmp", file) != nil {
		return 1
	}
	go func() {
		for end := time.Now().Add(2 * time.Minute); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			if _, err := os.Stat(file); err != nil {
				break
			}
		}
		os.Exit(0)
	}()
	_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, text) }))
	return 0
}
