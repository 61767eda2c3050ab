//go:build unix

// Package sbxsim is a simulator of the Docker Sandboxes CLI (`sbx`) for tests
// and the demo. Installed on PATH as `sbx`, it implements the contract in
// SBX.md closely enough that git-airlock cannot tell the difference: clone
// mode with a real private clone, the host's sandbox-<name> remote served by
// a real `git daemon` on a fresh port per start, ls in three forms, exec
// with exit-code pass-through, policy and secret state, and fault injection.
//
// It is a test double. Its state lives under $SBXSIM_HOME, never in the
// user's home, and every invocation is appended to $SBXSIM_HOME/calls.log.
// Nothing in git-airlock may special-case it.
package sbxsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Sandbox is the simulator's record of one sandbox.
type Sandbox struct {
	Name      string    `json:"name"`
	Agent     string    `json:"agent"`
	Workspace string    `json:"workspace"` // host path
	Clone     string    `json:"clone"`     // the clone's path "inside the VM"
	Status    string    `json:"status"`
	Port      int       `json:"port,omitempty"`
	DaemonPID int       `json:"daemon_pid,omitempty"`
	Remote    bool      `json:"remote"` // sbx registered sandbox-<name> on the host
	Created   time.Time `json:"created"`
	// Sessions running (exec, run) and the time the last one started or
	// ended (UnixNano), for the idle stop.
	Sessions int   `json:"sessions,omitempty"`
	LastUsed int64 `json:"last_used,omitempty"`
	// Published ports (sbx ports --publish), kept across stop and start
	// as sbx keeps saved mappings; PID is the forwarder while running.
	Published []Published `json:"published,omitempty"`
	// Active are the sessions `rm` asks about before ending them
	// (sessions.go).
	Active []Session `json:"active,omitempty"`
	// Procs are the simulator processes running a command "in the VM"
	// (exec, run): stopping a VM ends everything in it, so stop and rm
	// end them. Each is "<pid> <start>" (its start time, from
	// /proc/<pid>/stat): a PID reused by another process is not ended.
	Procs []string `json:"procs,omitempty"`
}

type state struct {
	Sandboxes map[string]*Sandbox `json:"sandboxes"`
}

type sim struct {
	home string
	// noInput: the global --no-input was given (see asks).
	noInput bool
}

func (s *sim) path(parts ...string) string {
	return filepath.Join(append([]string{s.home}, parts...)...)
}

func (s *sim) vmDir(name string) string { return s.path("vms", name) }

// locked runs f with the state file locked against other sbx processes.
func (s *sim) locked(f func(st *state) error) error {
	lf, err := os.OpenFile(s.path("lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(lf.Fd()), syscall.LOCK_UN)
	st := &state{Sandboxes: map[string]*Sandbox{}}
	b, err := os.ReadFile(s.path("state.json"))
	if err == nil {
		if err := json.Unmarshal(b, st); err != nil {
			return fmt.Errorf("corrupt simulator state: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if st.Sandboxes == nil {
		st.Sandboxes = map[string]*Sandbox{}
	}
	if err := f(st); err != nil {
		return err
	}
	out, _ := json.MarshalIndent(st, "", "  ")
	tmp := s.path("state.json.tmp")
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, s.path("state.json"))
}

func (s *sim) readJSON(name string, v any) {
	b, err := os.ReadFile(s.path(name))
	if err == nil {
		_ = json.Unmarshal(b, v)
	}
}

func (s *sim) writeJSON(name string, v any) error {
	b, _ := json.MarshalIndent(v, "", "  ")
	return os.WriteFile(s.path(name), b, 0o644)
}

// StopAll stops every simulated sandbox's git daemon under home. Tests call
// it when they end, so that no daemon outlives them.
func StopAll(home string) {
	s := &sim{home: home}
	_ = s.locked(func(st *state) error {
		for _, sb := range st.Sandboxes {
			stopDaemon(sb)
		}
		return nil
	})
}

func stopDaemon(sb *Sandbox) {
	if sb.DaemonPID > 0 {
		_ = syscall.Kill(sb.DaemonPID, syscall.SIGTERM)
	}
	stopForwarders(sb)
	sb.DaemonPID, sb.Port, sb.Status = 0, 0, "stopped"
}
