package lifecycle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/hooks"
	"github.com/git-airlock/git-airlock/internal/agent"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/sandboxstore"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
	"github.com/git-airlock/git-airlock/sbx/sbxspec"
)

// PreflightRepo refuses repositories that clone mode cannot serve, before
// anything is created.
func PreflightRepo(w gitx.Worktree) error {
	if w.Linked {
		return hint.Errorf([]string{fmt.Sprintf("run it from the main worktree: cd %q", w.MainRoot)},
			"%s is a linked worktree; sbx clone mode works from the main worktree only", w.Root)
	}
	if w.Shallow {
		return hint.Errorf([]string{"fetch the full history first: git fetch --unshallow"},
			"%s is a shallow clone; sbx would create an empty sandbox from it", w.Root)
	}
	if !w.HasCommit {
		return hint.Errorf([]string{"commit something first: git add -A && git commit -m 'Initial commit'"},
			"the repository has no commits yet; the sandbox clones committed history only")
	}
	return nil
}

func (s *Starter) preflightRepo() (gitx.Worktree, error) {
	if s.Repo == nil {
		return gitx.Worktree{}, workflow.ErrNotRepository
	}
	w, err := s.Repo.Facts()
	if err != nil {
		return w, err
	}
	return w, PreflightRepo(w)
}

// preflightSbx checks that sbx is installed, new enough, runs the agents
// of new sandboxes, is reachable and logged in: one `sbx ls` answers the
// last two.
func (s *Starter) preflightSbx(ctx context.Context, newAgents ...string) ([]sbx.Sandbox, error) {
	caps, err := s.Sbx.RequireClone(ctx)
	if err != nil {
		return nil, workflow.SbxError(err)
	}
	if err := requireAgents(caps, newAgents...); err != nil {
		return nil, err
	}
	list, err := s.Sbx.List(ctx)
	return list, workflow.SbxError(err)
}

// ensurePolicy initialises sbx's default network policy once, with
// airlock.networkPolicy, so that sbx never stops to ask interactively.
// Unless fresh, a record of an earlier answer is believed (one `sbx policy
// ls` less for every new sandbox); a create that fails for want of a
// policy asks again, fresh. It returns the preset in force ("" when not
// known) and, when that may not be the one asked for, says both and the
// command that closes the gap: sbx sets its default only once.
func (s *Starter) ensurePolicy(ctx context.Context, fresh bool) (string, error) {
	known := s.Setup.PolicyKnownInitialised
	if fresh {
		known = s.Setup.PolicyInitialised
	}
	ok, err := known(ctx)
	if err != nil {
		return "", workflow.SbxError(err)
	}
	if !ok {
		preset := s.Settings.NetworkPolicy()
		s.UI.Infof("setting sbx's default network policy to %s (airlock.networkPolicy)", preset)
		return preset, workflow.SbxError(s.Setup.PolicyInit(ctx, preset))
	}
	p := workflow.PolicyOf(s.Settings, s.Setup.PolicyPreset(), s.currentHost())
	if p.Gap() {
		s.UI.Warnf("%s", p.Differs())
		caps, _ := s.Sbx.Probe(ctx) // probed already by preflight
		s.UI.Hint("make it %s (this resets sbx's network rules and stops running sandboxes): %s", p.Want, p.Closer(s.Setup.PolicyInitCommand(caps, p.Want)))
	}
	return p.InForce, nil
}

// ensure creates the sandbox if needed and registers it as a remote; created
// says whether this call created it.
// agentName is the agent a new sandbox is made for; group, when set, is
// recorded on its remote (run --agents, see agents.go).
func (s *Starter) ensure(ctx context.Context, name, agentName, group string) (_ workflow.Sandbox, created bool, _ error) {
	w, err := s.preflightRepo()
	if err != nil {
		return workflow.Sandbox{}, false, err
	}
	if err := sbxspec.ValidateName(name); err != nil {
		return workflow.Sandbox{}, false, hint.With(err, "choose another with --name")
	}
	newAgent := agentName // a registered sandbox keeps its agent
	if _, ok := workflow.Find(s.sandboxes(), name); ok {
		newAgent = ""
	}
	list, err := s.preflightSbx(ctx, newAgent)
	if err != nil {
		return workflow.Sandbox{}, false, err
	}
	root := w.Root
	if s.Server != nil {
		// Every up and run sends the current commit: a new sandbox is
		// created from it, an existing one's origin (the server's copy)
		// shows the host's latest commit, as a local sandbox's does.
		if root, err = s.sendToServer(ctx); err != nil {
			return workflow.Sandbox{}, false, err
		}
	}
	for i := range list {
		if list[i].Name == name {
			sb, err := s.adopt(ctx, list[i], w.Root)
			return sb, false, err
		}
	}
	return s.create(ctx, sbx.CreateRequest{Name: name, Agent: agentName, Path: root}, w.Root, group)
}

// adopt is ensure for a sandbox sbx already has: this repository's own
// (registered, or registered now), never another's.
func (s *Starter) adopt(ctx context.Context, existing sbx.Sandbox, root string) (workflow.Sandbox, error) {
	name := existing.Name
	if len(existing.Workspaces) > 0 && s.Server == nil && !samePath(existing.Workspaces[0], root) {
		return workflow.Sandbox{}, hint.Errorf([]string{"choose another name with --name"},
			"sandbox %q already exists for %s", name, existing.Workspaces[0])
	}
	if sb, ok := workflow.Find(s.sandboxes(), name); ok {
		return sb, nil
	}
	// Registering adopts a sandbox and its agent's work: only one that
	// sbx says was made from this repository.
	if len(existing.Workspaces) == 0 {
		return workflow.Sandbox{}, hint.Errorf([]string{"choose another name with --name"},
			"sandbox %q already exists, and sbx does not say which repository it was made from", name)
	}
	path, err := workflow.ClonePath(ctx, s.Sbx, name)
	if err != nil {
		return workflow.Sandbox{}, err
	}
	return s.register(ctx, name, path, existing.Agent, "", false)
}

// create is ensure for a new sandbox: the policy, what a new user should
// hear once, sbx create, and what a new sandbox gets (its remote, the
// lockdown, seeded config, the agent's input hook). root is the host's
// work tree; req.Path what sbx clones (the server's copy under --host).
func (s *Starter) create(ctx context.Context, req sbx.CreateRequest, root, group string) (workflow.Sandbox, bool, error) {
	inForce, err := s.ensurePolicy(ctx, false)
	if err != nil {
		return workflow.Sandbox{}, false, err
	}
	s.newSandboxHints(ctx, root)
	if s.Server != nil {
		s.UI.Infof("creating sandbox %q (%s, clone mode) on %s for %s", req.Name, req.Agent, s.Server.Host(), req.Path)
	} else {
		s.UI.Infof("creating sandbox %q (%s, clone mode) for %s", req.Name, req.Agent, root)
	}
	err = s.Sbx.Create(ctx, req)
	if errors.Is(err, sbx.ErrPolicyNotInitialised) {
		// The record said a default policy exists; someone reset it
		// since (`sbx policy reset`). Choose one and create again.
		if inForce, err = s.ensurePolicy(ctx, true); err != nil {
			return workflow.Sandbox{}, false, err
		}
		err = s.Sbx.Create(ctx, req)
	}
	if err != nil {
		return workflow.Sandbox{}, false, workflow.SbxError(err)
	}
	again := "the sandbox was created; 'git airlock up --name " + req.Name + "' registers it again"
	facts, err := s.askNew(ctx, req.Name, req.Agent)
	if err != nil {
		return workflow.Sandbox{}, false, hint.With(err, again)
	}
	sb, err := s.register(ctx, req.Name, facts.clonePath, req.Agent, group, true)
	if err != nil {
		return workflow.Sandbox{}, false, hint.With(err, again)
	}
	if err := s.Seed.applyLockdown(ctx, req.Name, inForce); err != nil {
		return workflow.Sandbox{}, false, err
	}
	seeded, err := s.Seed.seed(ctx, req.Name, req.Agent, facts.home)
	if err != nil {
		return workflow.Sandbox{}, false, err
	}
	if seeded {
		facts.input = nil // what was seeded may be the agent's config: read it again
	}
	s.wireInput(ctx, req.Name, req.Agent, facts.input)
	return sb, true, nil
}

// newSandboxHints says, as a sandbox is made, what a new user should know:
// AGENTS.md (once per repository, and again when it went missing since),
// the optional gate hooks, and uncommitted work that stays behind.
func (s *Starter) newSandboxHints(ctx context.Context, root string) {
	instructions := "present"
	if !HasInstructions(s.Repo) {
		instructions = "missing"
	}
	if workflow.SituationChanged(s.Repo, s.Sbx.DryRun(), "instructions", instructions) && instructions == "missing" {
		s.UI.Hint("no AGENTS.md here: 'git airlock init' writes a starter that tells the agent how to work and commit")
	}
	s.offerSetup(ctx, root)
	if n, err := s.Repo.Uncommitted(ctx); err == nil && n > 0 {
		s.UI.Warnf("%s here will not be in the sandbox: it clones committed history only", workflow.Plural(n, "uncommitted change", "uncommitted changes"))
		s.UI.Hint("commit them first if the agent needs them (git add -A && git commit)")
	}
}

// sessionStatus is what the session record says of an agent's end: its
// own exit status, 130 when interrupted, 255 when sbx failed to run it.
func sessionStatus(ctx context.Context, err error) int {
	var ee *xec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.Code
	case ctx.Err() != nil:
		return 130
	}
	return 255
}

// wireInput wires the agent's own "waiting for input" signal in a new
// sandbox (Claude Code's hooks, Codex's notify program) to write a marker
// in the sandbox that wait reads. It keeps what the config says (seeded or
// the image's: read is its content when already read, nil to read it); a
// config it cannot read is left alone, with a warning.
func (s *Starter) wireInput(ctx context.Context, name, agentName string, read *string) {
	a, _ := agent.Lookup(agentName)
	file := a.InputConfig()
	if file == "" {
		return
	}
	var cur string
	if read != nil {
		cur = *read
	} else {
		var err error
		if cur, err = readHomeFile(ctx, s.Sbx, name, file); err != nil {
			s.UI.Warnf("%v; '%s' will not see %s ask for input", workflow.SbxError(err), workflow.Suggest(s.Entries, name, "wait"), agentName)
			return
		}
	}
	content, changed, err := a.WireInput([]byte(cur))
	if err != nil {
		s.UI.Warnf("%v; '%s' will not see %s ask for input", err, workflow.Suggest(s.Entries, name, "wait"), agentName)
		return
	}
	if !changed {
		return
	}
	dir := path.Dir(file)
	// From $HOME (cd), so that the command reads the same in every
	// sandbox and in a dry run's listing.
	script := "cd && mkdir -p " + dir + " && cat > " + file + ".git-airlock && mv -f " + file + ".git-airlock " + file
	err = s.Sbx.Exec(ctx, sbx.ExecRequest{Name: name, Argv: []string{"sh", "-c", script}, Interactive: true,
		Streams: xec.Streams{In: bytes.NewReader(content)}, Mutates: true})
	if err != nil {
		s.UI.Warnf("%v; '%s' will not see %s ask for input", workflow.SbxError(err), workflow.Suggest(s.Entries, name, "wait"), agentName)
	}
}

func samePath(a, b string) bool {
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	if err1 != nil || err2 != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return ra == rb
}

// HasInstructions reports whether the repository tells agents how to work.
func HasInstructions(repo interface{ Exists(string) bool }) bool {
	return repo.Exists("AGENTS.md") || repo.Exists("CLAUDE.md")
}

// register adds the airlock-<name> remote for the clone at path inside
// the VM. created: the sandbox was created just now (under dry-run, its
// creation was only printed).
func (s *Starter) register(ctx context.Context, name, path, agentName, group string, created bool) (workflow.Sandbox, error) {
	host := ""
	if s.Server != nil {
		host = s.Server.Host()
	}
	url := sandboxref.Target{Sandbox: name, Path: path, Host: host}.URL()
	sb := workflow.Sandbox{Name: name, Remote: sandboxref.Remote(name), URL: url, Path: path, Agent: agentName, Base: workflow.CurrentBranch(s.Repo), Host: host}
	rec := sandboxstore.Sandbox{Agent: agentName, Base: sb.Base, Group: group}
	// The remote helper may run with another PATH (an IDE started from the
	// dock): it finds sbx through this path when its PATH lacks sbx. (On
	// another machine, sbx is the one on the server's PATH.)
	if prog, err := s.Sbx.Program(); err == nil && host == "" {
		rec.Sbx = prog
	}
	// The record first: a record without its remote reads as nothing (and
	// is dropped here), a remote without its record as a sandbox of
	// unknown agent.
	if err := s.Store.PutSandbox(name, rec); err != nil {
		return workflow.Sandbox{}, err
	}
	if err := s.Repo.AddSandboxRemote(ctx, gitx.RemoteSpec{Name: sb.Remote, URL: url}); err != nil {
		_ = s.Store.DropSandbox(name)
		return workflow.Sandbox{}, err
	}
	sb.Record = rec
	switch {
	case host != "":
		// sbx adds its own remote to the server's copy, not here.
	case created && s.Sbx.DryRun():
		// `sbx create --clone` adds sandbox-<name> on the host without
		// the guard's keys; under dry-run it was only printed, so the
		// guard's writes are listed as the real run makes them.
		s.guardNewSbxRemote(ctx, name)
	default:
		s.guardSbxRemote(ctx, name)
	}
	s.UI.Infof("registered remote %s -> %s", sb.Remote, url)
	if !s.Sbx.DryRun() {
		if err := s.reloadEntries(ctx); err != nil {
			return workflow.Sandbox{}, err
		}
	}
	return sb, nil
}

// UpRequest starts (or re-attaches to) the agent interactively.
type UpRequest struct {
	Name      string
	AgentArgs []string
	Streams   xec.Streams
}

// Up creates the sandbox if needed and runs the agent in the terminal.
func (s *Starter) Up(ctx context.Context, req UpRequest) error {
	r, _, err := s.ensure(ctx, req.Name, s.Settings.Agent(), "")
	if err != nil {
		return err
	}
	defer s.guardSbxRemote(ctx, r.Name) // the session started it
	agentName := s.agentFor(r)
	s.UI.Infof("starting %s in sandbox %q; the host repository stays read-only to it", agentName, r.Name)
	s.beginSession(r.Name, agentName, ModeUp)
	err = s.Sbx.Attach(ctx, r.Name, s.sessionArgs(ctx, agentName, req.AgentArgs), req.Streams)
	s.endSession(r.Name, sessionStatus(ctx, err))
	var ee *xec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return workflow.SbxError(err)
	}
	if ee != nil {
		s.UI.Warnf("the agent session ended with status %d", ee.Code)
		s.credentialHint(ctx, r.Name, agentName)
	}
	s.UI.Hint("bring its work back with 'git fetch %s' or '%s'", r.Remote, workflow.Suggest(s.Entries, r.Name, "diff"))
	if ee != nil {
		// The agent's own status, as run and shell give theirs: a script
		// around up can tell a failed session.
		return &hint.ExitError{Code: ee.Code}
	}
	return nil
}

// credentialHint tells the user how to store the agent's key in sbx when
// sbx holds none. The command is printed, never run with a value. It runs
// when the agent failed, a missing key being a common reason, never before
// it starts: an agent may be signed in inside the sandbox, which sbx's
// secret list cannot show, and a run that works pays no `sbx secret ls`.
func (s *Starter) credentialHint(ctx context.Context, name, agentName string) {
	a, ok := agent.Lookup(agentName)
	if !ok || a.Secret == "" || s.Sbx.DryRun() {
		return
	}
	caps, err := s.Sbx.Probe(ctx)
	if err != nil {
		return
	}
	if sec, err := StoredSecret(ctx, s.Setup, name, a.Secret); err != nil || sec != nil {
		return
	}
	if s.Server != nil { // the server's sbx keeps its own secrets; nothing of ours is copied
		s.UI.Hint("sbx on %s holds no %q key; sign %s in inside the sandbox, or store one there (on %s): %s", s.Server.Host(), a.Secret, agentName, s.Server.Host(), xec.Quote(s.Setup.SecretSetCommand(caps, a.Secret)...))
		return
	}
	s.UI.Hint("sbx holds no %q key; sign %s in inside the sandbox, or store one on the host: %s", a.Secret, agentName, xec.Quote(s.Setup.SecretSetCommand(caps, a.Secret)...))
}

// StoredSecret finds sbx's secret for a service that a sandbox would get:
// a global one or one scoped to it; nil when there is none.
func StoredSecret(ctx context.Context, c interface {
	Secrets(context.Context) ([]sbx.Secret, error)
}, sandbox, service string) (*sbx.Secret, error) {
	secrets, err := c.Secrets(ctx)
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
	Streams   xec.Streams
	NoFetch   bool
}

var errEmptyTask = hint.Errorf([]string{`give the task in quotes: git airlock run "fix the failing test"`}, "empty task")

// Run creates the sandbox if needed, runs the agent without a terminal on
// the task, fetches what it committed and reports its exit status.
func (s *Starter) Run(ctx context.Context, req RunRequest) error {
	if strings.TrimSpace(req.Task) == "" {
		return errEmptyTask
	}
	r, _, err := s.ensure(ctx, req.Name, s.Settings.Agent(), "")
	if err != nil {
		return err
	}
	fetched := false
	defer func() {
		if !fetched { // the exec started it; a fetch guards it itself
			s.guardSbxRemote(ctx, r.Name)
		}
	}()
	agentName := s.agentFor(r)
	a, _ := agent.Lookup(agentName)
	argv, known := a.HeadlessArgv(req.Task, req.AgentArgs)
	if !known && workflow.SituationChanged(s.Repo, s.Sbx.DryRun(), "headless."+agentName, "unknown") {
		s.UI.Warnf("%s has no known headless mode; passing the task as its last argument", agentName)
	}
	s.UI.Infof("running %s headless in sandbox %q", agentName, r.Name)
	s.beginSession(r.Name, agentName, ModeRun)
	err = s.Sbx.Exec(ctx, sbx.ExecRequest{Name: r.Name, Argv: argv, Streams: xec.Streams{Out: req.Streams.Out, Err: req.Streams.Err},
		Stream: true, Mutates: true})
	s.endSession(r.Name, sessionStatus(ctx, err))
	code := 0
	var ee *xec.ExitError
	if errors.As(err, &ee) {
		code = ee.Code
	} else if err != nil {
		return workflow.SbxError(err)
	}
	if !req.NoFetch {
		fetched = true
		if ferr := s.fetch(ctx, r); ferr != nil {
			s.UI.Warnf("%v", ferr)
		}
	}
	if code != 0 {
		s.UI.Warnf("the agent exited with status %d", code)
		s.credentialHint(ctx, r.Name, agentName)
		return &hint.ExitError{Code: code}
	}
	s.UI.Infof("the agent finished; review with %s", s.reviewWith(r.Name))
	return nil
}

// reviewWith is the next step once an agent finished: the commands that
// show its work, naming the sandbox unless it is the plain choice.
func (s *Common) reviewWith(name string) string {
	return "'" + workflow.Suggest(s.Entries, name, "diff") + "' or '" + workflow.Suggest(s.Entries, name, "review") + "'"
}

// agentFor is the agent a sandbox runs: the one it was made for, unless
// --agent names another for this invocation.
func (s *Common) agentFor(sb workflow.Sandbox) string {
	if v := s.Settings.Get("agent"); v.Origin.Source == config.Flag || sb.Agent == "" {
		return s.Settings.Agent()
	}
	return sb.Agent
}

// offerSetup points, when a sandbox is made, at what a new user of this
// repository may not know to ask for: the gate hooks (once per repository,
// and again after they were removed; they stay optional) and code-airlock's
// sandbox.conf, whose settings git-airlock does not read until imported.
func (s *Starter) offerSetup(ctx context.Context, root string) {
	if conf, ok := workflow.UnimportedSandboxConf(s.Repo, root); ok {
		s.UI.Hint("code-airlock's %s is here and git-airlock does not read it; bring its settings into git config: git airlock config import %s", conf, xec.Quote(conf))
	}
	dir, err := s.Repo.HooksDir(ctx)
	if err != nil {
		return
	}
	state := "absent"
	if st, err := hooks.Status(dir, hooks.Names[0]); err == nil && st == hooks.Current {
		state = "installed"
	}
	if workflow.SituationChanged(s.Repo, s.Sbx.DryRun(), "gateHooks", state) && state == "absent" {
		s.UI.Hint("'git airlock merge' checks the agent's work before it lands; for a plain 'git merge' to be checked too: git airlock hooks install (optional; 'git airlock hooks uninstall' removes them)")
	}
}
