//go:build unix

package sbxsim

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// Session is an active session of a sandbox, as `rm` sees it: sbx names
// an open attach, an SSH connection and an SFTP transfer (USAGE). Here an
// attach is `sbx run` in progress, an `exec -t` counts as one too (a
// terminal session, like SSH), and so does every exec under
// SBXSIM_EXEC_SESSION=1 (whether sbx counts git-airlock's `exec -i` fetch
// tunnel is an open question). PID is the simulator process that holds
// the session, which `rm --force` ends; 0 for one a test opened.
type Session struct {
	Kind string `json:"kind"`
	PID  int    `json:"pid,omitempty"`
}

// sessionVerb is the simulator's own hidden verb with which a test opens,
// closes and lists sessions that no process holds:
//
//	sbx __sbxsim-session open NAME [attach|ssh|sftp]
//	sbx __sbxsim-session close NAME
//	sbx __sbxsim-session ls
//
// It is not an sbx call, and is not logged as one.
const sessionVerb = "__sbxsim-session"

func (s *sim) sessionKnob(args []string) int {
	err := s.locked(func(st *state) error {
		switch {
		case len(args) == 1 && args[0] == "ls":
			var lines []string
			for _, sb := range st.Sandboxes {
				for _, a := range liveSessions(sb) {
					lines = append(lines, fmt.Sprintf("%s %s %d", sb.Name, a.Kind, a.PID))
				}
			}
			sort.Strings(lines)
			for _, l := range lines {
				fmt.Println(l)
			}
			return nil
		case len(args) >= 2 && (args[0] == "open" || args[0] == "close"):
			sb, ok := st.Sandboxes[args[1]]
			if !ok {
				return noSandbox(args[1])
			}
			if args[0] == "close" {
				sb.Active = nil
				return nil
			}
			kind := "attach"
			if len(args) > 2 {
				kind = args[2]
			}
			sb.Active = append(sb.Active, Session{Kind: kind})
			return nil
		}
		return fail("usage: %s open NAME [KIND] | close NAME | ls", sessionVerb)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// liveSessions are a sandbox's sessions whose holder still runs (a holder
// killed without ending its session leaves none behind).
func liveSessions(sb *Sandbox) []Session {
	kept := sb.Active[:0]
	for _, a := range sb.Active {
		if a.PID == 0 || alive(a.PID) {
			kept = append(kept, a)
		}
	}
	sb.Active = kept
	return kept
}

// sessionKind is what kind of active session an exec is, "" for none.
func sessionKind(tty bool) string {
	if tty || os.Getenv("SBXSIM_EXEC_SESSION") != "" {
		return "exec"
	}
	return ""
}

// confirmRemoval is rm's question without --force: removing sandboxes,
// and from the releases with SessionGuard, ending their active sessions.
func (s *sim) confirmRemoval(f *flags, st *state, names []string) error {
	next := "sbx rm --force " + strings.Join(names, " ")
	if release().SessionGuard {
		for _, n := range names {
			if active := liveSessions(st.Sandboxes[n]); len(active) > 0 {
				fmt.Fprintf(os.Stderr, "Warning: sandbox %s has an active session (%s); removing it ends the session.\n", n, active[0].Kind)
				return s.asks(f, fmt.Sprintf("ending the active session of sandbox '%s'", n), "Remove it and end the session?", next)
			}
		}
	}
	return s.asks(f, "removing "+strings.Join(names, ", "), "Remove?", next)
}

// endSessions ends a sandbox's sessions: their holders are told to stop
// (TERM, which runIn passes to the command it runs).
func endSessions(sb *Sandbox) {
	for _, a := range liveSessions(sb) {
		if a.PID > 0 && a.PID != os.Getpid() {
			_ = syscall.Kill(a.PID, syscall.SIGTERM)
		}
	}
	sb.Active = nil
}

// openSession records this process's session of a sandbox of the given
// kind ("" records none).
func openSession(sb *Sandbox, kind string) {
	if kind != "" {
		sb.Active = append(sb.Active, Session{Kind: kind, PID: os.Getpid()})
	}
}

// closeSession drops this process's sessions of a sandbox.
func closeSession(sb *Sandbox) {
	kept := sb.Active[:0]
	for _, a := range sb.Active {
		if a.PID != os.Getpid() {
			kept = append(kept, a)
		}
	}
	sb.Active = kept
}

// runEnded runs cmd, passing a TERM or HUP this process gets (rm --force
// ending the session) on to it.
func runEnded(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sig)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case err := <-done:
			return err
		case sg := <-sig:
			_ = cmd.Process.Signal(sg)
		}
	}
}

// endProcs ends every command running in a sandbox, as stopping its VM
// does: each holder is told to stop (TERM, which runIn passes on).
func endProcs(sb *Sandbox) {
	for _, p := range sb.Procs {
		pid, _ := strconv.Atoi(strings.Fields(p + " ")[0])
		if pid != os.Getpid() && alive(pid) && procID(pid) == p {
			_ = syscall.Kill(pid, syscall.SIGTERM)
		}
	}
	sb.Procs = nil
	sb.Active = nil
}

// procID names a process by its PID and start time (field 22 of
// /proc/<pid>/stat; "" where there is none), so that a PID the system
// gave to another process since is told apart.
func procID(pid int) string {
	start := ""
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// The command name (field 2) may hold spaces: count after its ')'.
		if i := strings.LastIndexByte(string(b), ')'); i >= 0 {
			if f := strings.Fields(string(b)[i+1:]); len(f) > 19 {
				start = f[19]
			}
		}
	}
	return strconv.Itoa(pid) + " " + start
}
