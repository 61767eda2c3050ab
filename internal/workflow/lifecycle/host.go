package lifecycle

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/agent"
	"github.com/git-airlock/git-airlock/internal/agentrun"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/tmux"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/sbx"
)

// Server is git-airlock's copy of the repository on the machine whose sbx
// runs the sandbox (gitx.ServerRepo): sbx there creates a clone-mode
// sandbox from it, since it cannot read this machine's disk.
type Server interface {
	Host() string
	DisplayPath() string
	// Send makes the copy hold commit, checked out on branch, and returns
	// its absolute path on the server.
	Send(ctx context.Context, commit, branch string) (string, error)
	Remove(ctx context.Context) error
	// SessionArgv wraps a command for a tmux session on the server so
	// that its exit status is recorded there; SessionBegin forgets the
	// last one's, SessionEnd reads it (ended false while none is).
	SessionArgv(sandbox string, argv []string) []string
	SessionBegin(ctx context.Context, sandbox string) error
	SessionEnd(ctx context.Context, sandbox string) (exit int, ended bool, err error)
}

var _ Server = (*gitx.ServerRepo)(nil)

// sendToServer hands the server the current commit's history and returns
// the path sbx there creates the sandbox from.
func (s *Starter) sendToServer(ctx context.Context) (string, error) {
	head, err := s.Repo.Head()
	if err != nil {
		return "", err
	}
	s.UI.Infof("sending the history of %s to %s (%s)", shortHash(head.Hash), s.Server.Host(), s.Server.DisplayPath())
	path, err := s.Server.Send(ctx, head.Hash, head.Branch)
	if err != nil {
		return "", workflow.SbxError(err)
	}
	return path, nil
}

// dropServerCopy removes the server's copy once no registered sandbox of
// this repository lives on that server any more.
func (s *Remover) dropServerCopy(ctx context.Context, removed workflow.Sandbox) {
	if s.Server == nil || removed.Host == "" || removed.Host != s.Server.Host() {
		return
	}
	for _, sb := range s.sandboxes() {
		if sb.Name != removed.Name && sb.Host == removed.Host {
			return
		}
	}
	if err := s.Server.Remove(ctx); err != nil {
		s.UI.Warnf("%v", err)
		return
	}
	s.UI.Infof("removed git-airlock's copy of the repository on %s (%s)", s.Server.Host(), s.Server.DisplayPath())
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// StateUnreachable is a sandbox on a machine that could not be asked.
const StateUnreachable = "unreachable"

// hostKey names a sandbox across machines.
func hostKey(host, name string) string { return host + "\x00" + name }

// currentHost is the machine s.Sbx talks to.
func (s *Reporter) currentHost() string {
	if s.Server == nil {
		return ""
	}
	return s.Server.Host()
}

// on is the survey acting on the machine host: the same one, or a copy
// whose sbx is that machine's (nothing reached through on sends or
// removes a server copy).
func (s *Reporter) on(host string) *Surveyor {
	if host == s.currentHost() || s.SbxOn == nil {
		return s.Survey
	}
	t := *s.Survey
	t.Sbx = s.SbxOn(host)
	return &t
}

// listByHost asks every machine the sandboxes live on, side by side, one
// `sbx ls` each (with no sandbox to list, the machine of this command).
// A failure of this machine's sbx, or of the only machine asked, is the
// command's error, as it always was; another machine that cannot be asked
// only makes its sandboxes unreachable (keyed in unreachable).
func (s *Reporter) listByHost(ctx context.Context, sandboxes []workflow.Sandbox) (states map[string]sbx.Sandbox, unreachable map[string]error, err error) {
	hosts := map[string]bool{}
	for _, sb := range sandboxes {
		hosts[sb.Host] = true
	}
	if len(hosts) == 0 {
		hosts[s.currentHost()] = true
	}
	type answer struct {
		host string
		list []sbx.Sandbox
		err  error
	}
	answers := make(chan answer, len(hosts))
	for host := range hosts {
		client := s.Sbx
		if host != s.currentHost() {
			if s.SbxOn == nil {
				answers <- answer{host: host, err: fmt.Errorf("no way to reach %q", host)}
				continue
			}
			client = s.SbxOn(host)
		}
		go func() {
			list, err := client.List(ctx)
			answers <- answer{host, list, err}
		}()
	}
	states, unreachable = map[string]sbx.Sandbox{}, map[string]error{}
	for range hosts {
		a := <-answers
		switch {
		case a.err != nil && (a.host == "" || len(sandboxes) == 0):
			err = a.err
		case a.err != nil:
			unreachable[a.host] = a.err
		}
		for _, row := range a.list {
			states[hostKey(a.host, row.Name)] = row
		}
	}
	return states, unreachable, err
}

// otherHosts are the machines this repository's sandboxes live on besides
// the command's own, in order.
func (s *Reporter) otherHosts() []string {
	if s.Repo == nil || s.SbxOn == nil {
		return nil
	}
	var hosts []string
	for _, sb := range s.sandboxes() {
		if sb.Host != s.currentHost() && !slices.Contains(hosts, sb.Host) {
			hosts = append(hosts, sb.Host)
		}
	}
	slices.Sort(hosts)
	return hosts
}

// UpInServerTmux is `up --tmux` for a sandbox on a server: the agent's
// session (`sbx run`) runs in tmux there, so that it outlives this
// machine's connection; this machine attaches to it over ssh -t unless
// detached. s.Tmux runs tmux on that server.
func (s *Console) UpInServerTmux(ctx context.Context, req UpRequest, detached bool) error {
	session, r, agentName, err := s.toServerSession(ctx, req.Name)
	if err != nil {
		return err
	}
	argv := []string{"sbx", "run", "--name", r.Name}
	if args := s.Start.sessionArgs(ctx, agentName, req.AgentArgs); len(args) > 0 {
		argv = append(append(argv, "--"), args...)
	}
	s.UI.Infof("starting %s in sandbox %q in tmux session %q on %s", agentName, r.Name, session, s.Server.Host())
	if err := s.Tmux.NewSession(ctx, tmux.Session{Name: session, Argv: argv, Detached: true}); err != nil {
		return hint.With(err, installTmux+" on "+s.Server.Host()+", or run without --tmux")
	}
	if detached {
		s.UI.Hint("attach with 'git airlock attach --name %s'", r.Name)
		return nil
	}
	return s.Tmux.Attach(ctx, session, req.Streams.In, req.Streams.Out, req.Streams.Err)
}

// toServerSession readies a tmux session on the server for the sandbox's
// agent: its session name (refused when a session of that name runs
// there), the sandbox (created and registered if need be) and its agent.
func (s *Console) toServerSession(ctx context.Context, name string) (string, workflow.Sandbox, string, error) {
	session := s.SessionName(name)
	exists, err := s.Tmux.HasSession(ctx, session)
	if err != nil {
		return "", workflow.Sandbox{}, "", hint.With(err, installTmux+" on "+s.Server.Host()+", or run without --tmux")
	}
	if exists {
		return "", workflow.Sandbox{}, "", hint.Errorf([]string{"attach to it with 'git airlock attach --name " + name + "'"},
			"tmux session %q already exists on %s", session, s.Server.Host())
	}
	r, created, err := s.Start.ensure(ctx, name, s.Settings.Agent(), "")
	if err != nil {
		return "", workflow.Sandbox{}, "", err
	}
	agentName := s.agentFor(r)
	if created {
		s.Start.credentialHint(ctx, r.Name, agentName)
	}
	return session, r, agentName, nil
}

// RunInServerTmux is `run --tmux` for a sandbox on a server: the headless
// agent runs in tmux there, so that it outlives this machine's connection
// (a laptop that sleeps or leaves). No process of this machine follows
// it: the server records the agent's exit status, and the host's session
// record says where to ask. Its work is fetched by whoever sees it end
// here: this command when it stays attached to the end, else 'git airlock
// wait' (which asks the server), or any later fetch.
func (s *Console) RunInServerTmux(ctx context.Context, req RunRequest, detached bool) error {
	if strings.TrimSpace(req.Task) == "" {
		return errEmptyTask
	}
	session, r, agentName, err := s.toServerSession(ctx, req.Name)
	if err != nil {
		return err
	}
	a, _ := agent.Lookup(agentName)
	argv, _ := a.HeadlessArgv(req.Task, req.AgentArgs)
	host := s.Server.Host()
	if err := s.Server.SessionBegin(ctx, r.Name); err != nil {
		return workflow.SbxError(err)
	}
	argv = s.Server.SessionArgv(r.Name, append([]string{"sbx", "exec", r.Name}, argv...))
	s.UI.Infof("running %s headless in sandbox %q in tmux session %q on %s", agentName, r.Name, session, host)
	if err := s.Tmux.NewSession(ctx, tmux.Session{Name: session, Argv: argv, Detached: true}); err != nil {
		return hint.With(err, installTmux+" on "+host+", or run without --tmux")
	}
	var started agentrun.Record
	if s.Sessions != nil && !s.Sbx.DryRun() {
		if err := s.Sessions.BeginOn(host, r.Name, agentName, ModeRun); err != nil {
			s.UI.Warnf("%v", err)
		}
		started, _, _ = s.Sessions.Read(r.Name)
	}
	later := fmt.Sprintf("'git airlock wait --name %s' waits for it and fetches its work", r.Name)
	if detached || s.Sbx.DryRun() {
		s.UI.Hint("attach with 'git airlock attach --name %s'; %s", r.Name, later)
		return nil
	}
	attachErr := s.Tmux.Attach(ctx, session, req.Streams.In, req.Streams.Out, req.Streams.Err)
	// Detached from, or ended: the server says which.
	started.Sandbox, started.Host = r.Name, host
	rec, lost, err := s.Wait.serverSession(ctx, started)
	switch {
	case err != nil || (!lost && rec.Ended == nil):
		if attachErr != nil {
			return hint.With(attachErr, "the agent runs on in tmux on "+host+"; "+later)
		}
		s.UI.Infof("%s runs on in tmux on %s", agentName, host)
		s.UI.Hint("%s", later)
		return nil
	case lost:
		return hint.Errorf([]string{"see 'git airlock status --name " + r.Name + "'"}, "the tmux session on %s ended without recording the agent's status", host)
	}
	if !req.NoFetch {
		if ferr := s.Start.fetch(ctx, r); ferr != nil {
			s.UI.Warnf("%v", ferr)
		}
	}
	if code := *rec.Exit; code != 0 {
		s.UI.Warnf("the agent exited with status %d", code)
		return &hint.ExitError{Code: code}
	}
	s.UI.Infof("the agent finished; review with %s", s.reviewWith(r.Name))
	return nil
}

// serverSession asks the server whether rec's session ended: its recorded
// status, else whether its tmux session still runs (lost: gone without a
// status). An end is recorded on the host too, so that the next wait asks
// nothing.
func (s *Waiter) serverSession(ctx context.Context, rec agentrun.Record) (_ agentrun.Record, lost bool, _ error) {
	if s.Server == nil || s.Server.Host() != rec.Host {
		return rec, false, fmt.Errorf("the agent session of %q runs on %q, which this command does not reach", rec.Sandbox, rec.Host)
	}
	code, ended, err := s.Server.SessionEnd(ctx, rec.Sandbox)
	if err != nil {
		return rec, false, err
	}
	if !ended {
		alive, err := s.Tmux.HasSession(ctx, s.SessionName(rec.Sandbox))
		if err != nil || alive {
			return rec, false, err
		}
		// Gone: it may have recorded its end between the two looks.
		if code, ended, err = s.Server.SessionEnd(ctx, rec.Sandbox); err != nil || !ended {
			return rec, err == nil, err
		}
	}
	now := s.now().UTC()
	rec.Ended, rec.Exit = &now, &code
	if s.Sessions != nil && !rec.Started.IsZero() {
		if err := s.Sessions.EndOn(rec.Sandbox, rec.Started, code); err != nil {
			s.UI.Warnf("%v", err)
		}
	}
	return rec, false, nil
}
