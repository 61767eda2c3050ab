package workflow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/agent"
	"github.com/git-airlock/git-airlock/internal/remote"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// preflightRepo refuses repositories that clone mode cannot serve, before
// anything is created.
func (s *Service) preflightRepo() error {
	if err := s.requireRepo(); err != nil {
		return err
	}
	if s.Repo.LinkedWorktree() {
		main := filepath.Dir(s.Repo.CommonDir)
		return ui.Errorf([]string{fmt.Sprintf("run it from the main worktree: cd %q", main)},
			"%s is a linked worktree; sbx clone mode works from the main worktree only", s.Repo.Root)
	}
	if s.Repo.Shallow {
		return ui.Errorf([]string{"fetch the full history first: git fetch --unshallow"},
			"%s is a shallow clone; sbx would create an empty sandbox from it", s.Repo.Root)
	}
	h, err := s.Repo.Head()
	if err != nil {
		return err
	}
	if h.Hash == "" {
		return ui.Errorf([]string{"commit something first: git add -A && git commit -m 'Initial commit'"},
			"the repository has no commits yet; the sandbox clones committed history only")
	}
	return nil
}

// preflightSbx checks that sbx is installed, new enough, reachable and
// logged in: one `sbx ls` answers the last two.
func (s *Service) preflightSbx(ctx context.Context) ([]sbx.Sandbox, error) {
	if _, err := s.Sbx.RequireClone(ctx); err != nil {
		return nil, sbxError(err)
	}
	list, err := s.Sbx.List(ctx)
	return list, sbxError(err)
}

// ensurePolicy initialises sbx's default network policy once, with
// airlock.networkPolicy, so that sbx never stops to ask interactively.
func (s *Service) ensurePolicy(ctx context.Context) error {
	ok, err := s.Sbx.PolicyInitialised(ctx)
	if err != nil {
		return sbxError(err)
	}
	if ok {
		return nil
	}
	preset := s.Settings.NetworkPolicy()
	s.UI.Infof("setting sbx's default network policy to %s (airlock.networkPolicy)", preset)
	return sbxError(s.Sbx.PolicyInit(ctx, preset))
}

// ensure creates the sandbox if needed and registers it as a remote.
func (s *Service) ensure(ctx context.Context, name string) (Sandbox, error) {
	if err := s.preflightRepo(); err != nil {
		return Sandbox{}, err
	}
	if err := sbx.ValidateName(name); err != nil {
		return Sandbox{}, ui.WithHint(err, "choose another with --name")
	}
	agentName := s.Settings.Agent()
	list, err := s.preflightSbx(ctx)
	if err != nil {
		return Sandbox{}, err
	}
	var existing *sbx.Sandbox
	for i := range list {
		if list[i].Name == name {
			existing = &list[i]
		}
	}
	if existing != nil {
		if len(existing.Workspaces) > 0 && !samePath(existing.Workspaces[0], s.Repo.Root) {
			return Sandbox{}, ui.Errorf([]string{"choose another name with --name"},
				"sandbox %q already exists for %s", name, existing.Workspaces[0])
		}
		if sb, ok := s.registered(name); ok {
			return sb, nil
		}
		sb, err := s.register(ctx, name, existing.Agent)
		return sb, err
	}
	if err := s.ensurePolicy(ctx); err != nil {
		return Sandbox{}, err
	}
	if !hasInstructions(s.Repo.Root) {
		s.UI.Hint("no AGENTS.md here: 'git airlock init' writes a starter that tells the agent how to work and commit")
	}
	s.UI.Infof("creating sandbox %q (%s, clone mode) for %s", name, agentName, s.Repo.Root)
	if err := s.Sbx.Create(ctx, sbx.CreateRequest{Name: name, Agent: agentName, Path: s.Repo.Root}); err != nil {
		return Sandbox{}, sbxError(err)
	}
	sb, err := s.register(ctx, name, agentName)
	if err != nil {
		return Sandbox{}, ui.WithHint(err, "the sandbox was created; 'git airlock up --name "+name+"' registers it again")
	}
	if err := s.applyLockdown(ctx, name); err != nil {
		return Sandbox{}, err
	}
	if err := s.seed(ctx, name, agentName); err != nil {
		return Sandbox{}, err
	}
	return sb, nil
}

func samePath(a, b string) bool {
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	if err1 != nil || err2 != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return ra == rb
}

func hasInstructions(root string) bool {
	for _, f := range []string{"AGENTS.md", "CLAUDE.md"} {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			return true
		}
	}
	return false
}

// register discovers where the clone lives inside the VM (never assumed)
// and adds the airlock-<name> remote for it.
func (s *Service) register(ctx context.Context, name, agentName string) (Sandbox, error) {
	path, err := s.Sbx.ClonePath(ctx, name)
	if err != nil {
		return Sandbox{}, fmt.Errorf("find the clone in sandbox %q: %w", name, sbxError(err))
	}
	url := remote.Target{Sandbox: name, Path: path}.URL()
	sb := Sandbox{Name: name, Remote: RemotePrefix + name, URL: url, Path: path, Agent: agentName, Base: s.currentBranch()}
	extra := map[string]string{"airlockAgent": agentName}
	if sb.Base != "" {
		extra["airlockBase"] = sb.Base
	}
	if err := s.Repo.AddSandboxRemote(ctx, gitx.RemoteSpec{Name: sb.Remote, URL: url, Extra: extra}); err != nil {
		return Sandbox{}, err
	}
	// sbx's own sandbox-<name> remote fails to fetch while the sandbox is
	// stopped; keep it out of a background `git fetch --all`.
	if _, ok, _ := s.Repo.ConfigGet(ctx, "remote.sandbox-"+name+".url"); ok {
		_ = s.Repo.ConfigSet(ctx, "remote.sandbox-"+name+".skipFetchAll", "true")
	}
	s.UI.Infof("registered remote %s -> %s", sb.Remote, url)
	if !s.Sbx.DryRun() {
		if err := s.reloadEntries(ctx); err != nil {
			return Sandbox{}, err
		}
	}
	return sb, nil
}

// UpRequest starts (or re-attaches to) the agent interactively.
type UpRequest struct {
	Name      string
	AgentArgs []string
	Streams   gitx.Streams
}

// Up creates the sandbox if needed and runs the agent in the terminal.
func (s *Service) Up(ctx context.Context, req UpRequest) error {
	r, err := s.ensure(ctx, req.Name)
	if err != nil {
		return err
	}
	agentName := s.agentFor(r)
	s.credentialHint(ctx, r.Name, agentName)
	s.UI.Infof("starting %s in sandbox %q; the host repository stays read-only to it", agentName, r.Name)
	err = s.Sbx.Attach(ctx, r.Name, req.AgentArgs, sbx.Streams(req.Streams))
	if err != nil {
		var ee *xec.ExitError
		if errors.As(err, &ee) {
			s.UI.Warnf("the agent session ended with status %d", ee.Code)
		} else {
			return sbxError(err)
		}
	}
	s.UI.Hint("bring its work back with 'git fetch %s' or 'git airlock diff'", r.Remote)
	return nil
}

// credentialHint tells the user how to store the agent's key in sbx when
// sbx holds none. The command is printed, never run with a value.
func (s *Service) credentialHint(ctx context.Context, name, agentName string) {
	a, ok := agent.Lookup(agentName)
	if !ok || a.Secret == "" || s.Sbx.DryRun() {
		return
	}
	caps, err := s.Sbx.Probe(ctx)
	if err != nil {
		return
	}
	if sec, err := s.storedSecret(ctx, name, a.Secret); err != nil || sec != nil {
		return
	}
	s.UI.Hint("sbx holds no %q key; sign %s in inside the sandbox, or store one on the host: %s", a.Secret, agentName, xec.Quote(s.Sbx.SecretSetCommand(caps, a.Secret)...))
}

// storedSecret finds sbx's secret for a service that a sandbox would get:
// a global one or one scoped to it; nil when there is none.
func (s *Service) storedSecret(ctx context.Context, sandbox, service string) (*sbx.Secret, error) {
	secrets, err := s.Sbx.Secrets(ctx)
	if err != nil {
		return nil, err
	}
	for _, sec := range secrets {
		if sec.Service == service && (sec.Scope == "" || sec.Scope == "global" || sec.Scope == "sandbox:"+sandbox) {
			return &sec, nil
		}
	}
	return nil, nil
}

// RunRequest runs the agent headless on one task.
type RunRequest struct {
	Name      string
	Task      string
	AgentArgs []string
	Streams   gitx.Streams
	NoFetch   bool
}

// Run creates the sandbox if needed, runs the agent without a terminal on
// the task, fetches what it committed and reports its exit status.
func (s *Service) Run(ctx context.Context, req RunRequest) error {
	if strings.TrimSpace(req.Task) == "" {
		return ui.Errorf([]string{`give the task in quotes: git airlock run "fix the failing test"`}, "empty task")
	}
	r, err := s.ensure(ctx, req.Name)
	if err != nil {
		return err
	}
	agentName := s.agentFor(r)
	a, _ := agent.Lookup(agentName)
	argv, known := a.HeadlessArgv(req.Task, req.AgentArgs)
	if !known {
		s.UI.Warnf("%s has no known headless mode; passing the task as its last argument", agentName)
	}
	s.credentialHint(ctx, r.Name, agentName)
	s.UI.Infof("running %s headless in sandbox %q", agentName, r.Name)
	err = s.Sbx.Exec(ctx, sbx.ExecRequest{Name: r.Name, Argv: argv, Streams: sbx.Streams{Out: req.Streams.Out, Err: req.Streams.Err},
		Stream: true, Mutates: true})
	code := 0
	var ee *xec.ExitError
	if errors.As(err, &ee) {
		code = ee.Code
	} else if err != nil {
		return sbxError(err)
	}
	if !req.NoFetch {
		if ferr := s.fetchRemotes(ctx, gitx.Streams{Err: s.UI.Err}, r.Remote); ferr != nil {
			s.UI.Warnf("%v", ferr)
		}
	}
	if code != 0 {
		s.UI.Warnf("the agent exited with status %d", code)
		return &ui.ExitError{Code: code}
	}
	s.UI.Infof("the agent finished; review with 'git airlock diff' or 'git airlock review'")
	return nil
}

// Shell opens an interactive shell in the sandbox.
func (s *Service) Shell(ctx context.Context, name string, st gitx.Streams) error {
	if _, err := s.mustRegistered(name); err != nil {
		return err
	}
	err := s.Sbx.Exec(ctx, sbx.ExecRequest{Name: name, Argv: []string{"bash", "-l"}, Interactive: true, TTY: s.UI.Interactive,
		Streams: sbx.Streams(st), Stream: true, Mutates: true})
	var ee *xec.ExitError
	if errors.As(err, &ee) {
		return &ui.ExitError{Code: ee.Code}
	}
	return sbxError(err)
}

// Stop stops the sandbox; its clone and commits stay.
func (s *Service) Stop(ctx context.Context, name string) error {
	if _, err := s.mustRegistered(name); err != nil {
		return err
	}
	if err := s.Sbx.Stop(ctx, name); err != nil {
		return sbxError(err)
	}
	s.UI.Infof("stopped sandbox %q; its clone and commits are kept, and 'git fetch %s%s' wakes it", name, RemotePrefix, name)
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
	Streams gitx.Streams
}

// SessionName is the tmux session of a sandbox.
func (s *Service) SessionName(name string) string {
	if t := s.Settings.TmuxSession(); t != "" {
		return t
	}
	return "airlock-" + name
}

// InTmux starts the command in a new tmux session for the sandbox.
func (s *Service) InTmux(ctx context.Context, req TmuxRequest) error {
	if err := s.requireRepo(); err != nil {
		return err
	}
	session := s.SessionName(req.Name)
	exists, err := s.Tmux.HasSession(ctx, session)
	if err != nil {
		return ui.WithHint(err, "install tmux (apt install tmux, brew install tmux), or run without --tmux")
	}
	if exists {
		return ui.Errorf([]string{"attach to it with 'git airlock attach --name " + req.Name + "'"},
			"tmux session %q already exists", session)
	}
	argv := append([]string{s.Self}, req.Argv...)
	// Inside tmux a nested attach is refused: start the session in the
	// background and switch this client to it.
	background := req.Detached || req.InsideTmux
	if err := s.Tmux.NewSession(ctx, session, s.Repo.Root, argv, req.Env, background, req.Streams.In, req.Streams.Out, req.Streams.Err); err != nil {
		return ui.WithHint(err, "install tmux (apt install tmux, brew install tmux), or run without --tmux")
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

// Attach attaches the terminal to the sandbox's tmux session (or, inside
// tmux, switches this client to it).
func (s *Service) Attach(ctx context.Context, name string, insideTmux bool, st gitx.Streams) error {
	session := s.SessionName(name)
	ok, err := s.Tmux.HasSession(ctx, session)
	if err != nil {
		return ui.WithHint(err, "install tmux (apt install tmux, brew install tmux)")
	}
	if !ok && !s.Sbx.DryRun() {
		return ui.Errorf([]string{"start one with 'git airlock up --tmux-detached'"}, "no tmux session %q", session)
	}
	if insideTmux {
		return s.Tmux.SwitchClient(ctx, session, st.In)
	}
	return s.Tmux.Attach(ctx, session, st.In, st.Out, st.Err)
}

// OfferInit, outside a repository and only on a terminal, offers to create
// one with a first commit of the current files (clone mode needs one).
// Without a terminal nothing is asked and the caller's preflight refuses.
func (s *Service) OfferInit(ctx context.Context, dir string) error {
	if s.Repo != nil || !s.UI.Interactive || s.Sbx.DryRun() {
		return nil
	}
	abs, _ := filepath.Abs(dir)
	s.UI.Warnf("%s is not a git repository; sbx clone mode needs one", abs)
	if !s.UI.Confirm("initialise one here, with a first commit of the current files?") {
		return nil
	}
	if err := gitx.Init(ctx, s.Sbx.Run, abs); err != nil {
		return err
	}
	repo, err := gitx.Open(ctx, s.Sbx.Run, abs)
	if err != nil {
		return err
	}
	s.Repo = repo
	return s.reloadEntries(ctx)
}

// agentFor is the agent a sandbox runs: the one it was made for, unless
// --agent names another for this invocation.
func (s *Service) agentFor(sb Sandbox) string {
	if v := s.Settings.Get("agent"); v.Origin.Source == config.Flag || sb.Agent == "" {
		return s.Settings.Agent()
	}
	return sb.Agent
}
