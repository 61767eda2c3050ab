package lifecycle

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/tmux"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// Shell opens an interactive shell in the sandbox.
func (s *Console) Shell(ctx context.Context, name string, st xec.Streams) error {
	if _, err := s.mustRegistered(name); err != nil {
		return err
	}
	defer s.guardSbxRemote(ctx, name) // the shell started it
	err := s.Sbx.Exec(ctx, sbx.ExecRequest{Name: name, Argv: []string{"bash", "-l"}, Interactive: true, TTY: s.UI.CanAsk(),
		Streams: st, Stream: true, Mutates: true})
	var ee *xec.ExitError
	if errors.As(err, &ee) {
		return &hint.ExitError{Code: ee.Code}
	}
	return workflow.SbxError(err)
}

// Stop stops the sandbox; its clone and commits stay.
func (s *Console) Stop(ctx context.Context, name string) error {
	if _, err := s.mustRegistered(name); err != nil {
		return err
	}
	// A sandbox stopped by hand after sbx rewrote its remote: put the
	// guard back now, while nothing reads the remote.
	defer s.guardSbxRemote(ctx, name)
	s.withdrawPorts(ctx, name)
	if err := s.Sbx.Stop(ctx, name); err != nil {
		return workflow.SbxError(err)
	}
	s.UI.Infof("stopped sandbox %q; its clone and commits are kept, and 'git fetch %s' wakes it", name, sandboxref.Remote(name))
	return nil
}

// TmuxRequest re-runs a command inside a tmux session of its own.
type TmuxRequest struct {
	Name     string   // the sandbox
	Argv     []string // the git-airlock arguments, without --tmux
	Detached bool
	// InsideTmux: git-airlock itself runs inside a tmux client ($TMUX).
	InsideTmux bool
	// Env is this invocation's environment, for the command in the session.
	Env     []string
	Streams xec.Streams
	// Mode is the session the command runs (ModeUp, ModeRun): recorded
	// as pending until the git-airlock inside begins it, for wait.
	Mode string
}

// SessionName is the tmux session of a sandbox.
func (s *Common) SessionName(name string) string {
	if t := s.Settings.TmuxSession(); t != "" {
		return t
	}
	return sandboxref.Session(name)
}

const installTmux = "install tmux (apt install tmux, brew install tmux)"

// InTmux starts the command in a new tmux session for the sandbox.
func (s *Console) InTmux(ctx context.Context, req TmuxRequest) error {
	w, err := s.preflightRepoRoot()
	if err != nil {
		return err
	}
	session := s.SessionName(req.Name)
	exists, err := s.Tmux.HasSession(ctx, session)
	if err != nil {
		return hint.With(err, installTmux+", or run without --tmux")
	}
	if exists {
		return hint.Errorf([]string{"attach to it with 'git airlock attach --name " + req.Name + "'"},
			"tmux session %q already exists", session)
	}
	argv := append([]string{s.Self}, req.Argv...)
	// Inside tmux a nested attach is refused: start the session in the
	// background and switch this client to it.
	background := req.Detached || req.InsideTmux
	if req.Mode != "" && s.Sessions != nil && !s.Sbx.DryRun() {
		agentName := s.Settings.Agent()
		if sb, ok := workflow.Find(s.sandboxes(), req.Name); ok {
			agentName = s.agentFor(sb)
		}
		if err := s.Sessions.Pend(req.Name, agentName, req.Mode); err != nil {
			s.UI.Warnf("%v", err)
		}
	}
	if err := s.Tmux.NewSession(ctx, tmux.Session{Name: session, Dir: w, Argv: argv, Env: req.Env, Detached: background, Streams: req.Streams}); err != nil {
		if req.Mode != "" && s.Sessions != nil && !s.Sbx.DryRun() {
			_ = s.Sessions.Remove(req.Name) // nothing is pending
		}
		return hint.With(err, installTmux+", or run without --tmux")
	}
	if req.InsideTmux && !req.Detached {
		if err := s.Tmux.SwitchClient(ctx, session, req.Streams.In); err == nil {
			return nil
		}
		req.Detached = true // no client to switch: say where it runs
	}
	if req.Detached {
		s.UI.Infof("started in tmux session %q", session)
		s.UI.Hint("attach with 'git airlock attach --name %s'", req.Name)
	}
	return nil
}

func (s *Console) preflightRepoRoot() (string, error) {
	if s.Repo == nil {
		return "", workflow.ErrNotRepository
	}
	w, err := s.Repo.Facts()
	return w.Root, err
}

// Attach attaches the terminal to the sandbox's tmux session (or, inside
// tmux, switches this client to it).
func (s *Console) Attach(ctx context.Context, name string, insideTmux bool, st xec.Streams) error {
	session := s.SessionName(name)
	ok, err := s.Tmux.HasSession(ctx, session)
	if err != nil {
		return hint.With(err, installTmux)
	}
	if !ok && !s.Sbx.DryRun() {
		return hint.Errorf([]string{"start one with 'git airlock up --name " + xec.Quote(name) + " --tmux-detached'"}, "no tmux session %q", session)
	}
	if insideTmux && s.Server == nil { // a server's session is attached over ssh -t, nested or not
		return s.Tmux.SwitchClient(ctx, session, st.In)
	}
	// The session's command may have started (or restarted) the sandbox.
	defer s.guardSbxRemote(ctx, name)
	return s.Tmux.Attach(ctx, session, st.In, st.Out, st.Err)
}

// OfferInit, outside a repository and only on a terminal, offers to create
// one with a first commit of the current files (clone mode needs one).
// Without a terminal nothing is asked and the caller's preflight refuses.
// It reports whether create made a repository, which the caller opens.
func (s *Console) OfferInit(ctx context.Context, dir string, create func(ctx context.Context, dir string) error) (bool, error) {
	if s.Repo != nil || !s.UI.CanAsk() || s.Sbx.DryRun() {
		return false, nil
	}
	abs, _ := filepath.Abs(dir)
	s.UI.Warnf("%s is not a git repository; sbx clone mode needs one", abs)
	if !s.UI.Confirm("initialise one here, with a first commit of the current files?") {
		return false, nil
	}
	if err := create(ctx, abs); err != nil {
		return false, err
	}
	return true, nil
}
