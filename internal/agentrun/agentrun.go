// Package agentrun keeps the host's record of the agent sessions that
// git-airlock starts (run, up; in the foreground or in a tmux session):
// which process runs it, since when, and how it ended. `git airlock wait`
// reads it to know that an agent finished without asking sbx, so that
// waiting never starts or keeps a sandbox running.
//
// Its boundary: one JSON file per sandbox in a directory it is given (the
// repository's .git/airlock/sessions), written whole and renamed into
// place so that a reader never sees half a record. It starts nothing.
package agentrun

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Record is one agent session of a sandbox; the newest replaces the last.
type Record struct {
	Sandbox string    `json:"sandbox"`
	Agent   string    `json:"agent"`
	Mode    string    `json:"mode"` // run (headless) or up (interactive)
	PID     int       `json:"pid"`  // the git-airlock process that runs the session
	Started time.Time `json:"started"`
	// Ended and Exit are set when the session ended and git-airlock saw
	// it end; Exit is the agent's status (run) or the session's (up).
	Ended *time.Time `json:"ended,omitempty"`
	Exit  *int       `json:"exit,omitempty"`
	// Pending: a tmux session was started for it and the git-airlock
	// inside has not begun yet (PID is 0); it replaces this record.
	Pending bool `json:"pending,omitempty"`
	// Host is the server whose tmux session runs it (run --tmux for a
	// sandbox there; PID is 0): whether it ended is the server's to say,
	// and EndOn records what it said.
	Host string `json:"host,omitempty"`
}

// PendingGrace is how long a pending record counts as running: the
// command in the tmux session creates the sandbox first, which may pull
// an image (airlock.createTimeout's default).
const PendingGrace = 10 * time.Minute

// States of a record.
const (
	Running = "running" // its process is alive and it has not ended
	Ended   = "ended"   // it ended, with a status
	Lost    = "lost"    // its process is gone without recording an end (killed, tmux pane closed)
)

// State says whether the session runs, ended, or was lost.
func (r Record) State() string {
	switch {
	case r.Ended != nil:
		return Ended
	case r.Host != "":
		return Running // until the server says otherwise
	case r.Pending && time.Since(r.Started) < PendingGrace:
		return Running
	case !r.Pending && alive(r.PID):
		return Running
	}
	return Lost
}

// Store is the directory of records.
type Store struct {
	Dir string
	Now func() time.Time // time.Now when nil
}

func (s Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s Store) path(sandbox string) string { return filepath.Join(s.Dir, sandbox+".json") }

// Begin records a session that starts now in this process.
func (s Store) Begin(sandbox, agent, mode string) error {
	return s.write(Record{Sandbox: sandbox, Agent: agent, Mode: mode, PID: os.Getpid(), Started: s.now()})
}

// Pend records a session that a tmux session is starting, so that a wait
// begun at once waits for it rather than reading the last one's end.
func (s Store) Pend(sandbox, agent, mode string) error {
	return s.write(Record{Sandbox: sandbox, Agent: agent, Mode: mode, Started: s.now(), Pending: true})
}

// BeginOn records a session that starts now in a tmux session on host.
func (s Store) BeginOn(host, sandbox, agent, mode string) error {
	return s.write(Record{Sandbox: sandbox, Agent: agent, Mode: mode, Started: s.now(), Host: host})
}

// EndOn records the end of the session on a server that started at
// started, with the status the server recorded. A record that another session has replaced is left alone.
func (s Store) EndOn(sandbox string, started time.Time, exit int) error {
	r, ok, err := s.Read(sandbox)
	if err != nil {
		return err
	}
	if !ok || r.Host == "" || !r.Started.Equal(started) || r.Ended != nil {
		return nil
	}
	now := s.now()
	r.Ended, r.Exit = &now, &exit
	return s.write(r)
}

// End records the end of this process's session with its exit status. A
// record that another session has replaced meanwhile is left alone.
func (s Store) End(sandbox string, exit int) error {
	r, ok, err := s.Read(sandbox)
	if err != nil {
		return err
	}
	if !ok || r.PID != os.Getpid() || r.Ended != nil {
		return nil
	}
	now := s.now()
	r.Ended, r.Exit = &now, &exit
	return s.write(r)
}

// Read returns the sandbox's last record; ok is false when there is none.
func (s Store) Read(sandbox string) (Record, bool, error) {
	b, err := os.ReadFile(s.path(sandbox))
	if errors.Is(err, os.ErrNotExist) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("read agent session record of %q: %w", sandbox, err)
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{}, false, fmt.Errorf("read agent session record %q: %w", s.path(sandbox), err)
	}
	return r, true, nil
}

// Remove drops a sandbox's record (rm).
func (s Store) Remove(sandbox string) error {
	if err := os.Remove(s.path(sandbox)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("drop agent session record of %q: %w", sandbox, err)
	}
	return nil
}

func (s Store) write(r Record) error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("record agent session of %q: %w", r.Sandbox, err)
	}
	b, _ := json.MarshalIndent(r, "", "  ")
	tmp, err := os.CreateTemp(s.Dir, r.Sandbox+".*.tmp")
	if err != nil {
		return fmt.Errorf("record agent session of %q: %w", r.Sandbox, err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("record agent session of %q: %w", r.Sandbox, err)
	}
	if err := os.Rename(tmp.Name(), s.path(r.Sandbox)); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("record agent session of %q: %w", r.Sandbox, err)
	}
	return nil
}
