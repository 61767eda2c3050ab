package main

import (
	"cmp"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/agentrun"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/sandboxstore"
	"github.com/git-airlock/git-airlock/internal/tmux"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/internal/workflow/machine"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// Invocation is what main was started with: the raw arguments (for --tmux,
// which re-runs the command inside tmux) and the environment lookup, which
// only the config loader and this layer read.
type Invocation struct {
	Args    []string
	Env     func(string) (string, bool)
	Environ []string // the whole environment, handed to a tmux session
}

// Globals are the options every command takes.
type Globals struct {
	Agent        string `group:"global" help:"Agent to run: claude, codex, opencode, copilot, cursor, kiro, droid, devin, docker-agent, shell (gemini only on sbx before 0.53)." placeholder:"AGENT"`
	Name         string `group:"global" help:"Sandbox to act on (default: this repository's only sandbox, or <agent>-<folder>-<hash>)." placeholder:"SANDBOX"`
	Host         string `group:"global" help:"Machine whose sbx runs the sandbox, over ssh (default: airlock.host, else this machine)." placeholder:"[USER@]SERVER[:PORT]"`
	DryRun       bool   `group:"global" help:"Print every sbx and git command that would change something, and change nothing."`
	Tmux         bool   `group:"global" help:"Run up or run inside a tmux session of its own and attach to it."`
	TmuxDetached bool   `group:"global" help:"Run up or run inside a tmux session of its own, in the background."`
	SeedConfig   bool   `group:"global" help:"Copy the agent's curated user config (never credentials) into a new sandbox."`
	Verbose      bool   `group:"global" short:"v" help:"Echo every git and sbx command that changes something."`
	Quiet        bool   `group:"global" short:"q" help:"Print only errors."`

	ShowVersion kong.VersionFlag `group:"global" name:"version" help:"Print the version and exit."`
}

// CLI is the kong model: one field per command, one file per command.
type CLI struct {
	Globals

	Up         upCmd         `cmd:"" help:"Create the sandbox if needed and start the agent in it."`
	Run        runCmd        `cmd:"" help:"Run the agent headless on one task, then fetch its work."`
	Attach     attachCmd     `cmd:"" help:"Attach to the sandbox's tmux session."`
	Shell      shellCmd      `cmd:"" help:"Open a shell inside the sandbox."`
	Status     statusCmd     `cmd:"" help:"Show the sandbox's state and fetched branches."`
	Ls         lsCmd         `cmd:"" help:"List this repository's sandboxes, or every sandbox."`
	Fetch      fetchCmd      `cmd:"" help:"Fetch the agent's commits (git fetch airlock-<name>)."`
	Log        logCmd        `cmd:"" help:"Show the agent's commits that the base lacks."`
	Diff       diffCmd       `cmd:"" help:"Show what the agent changed since it forked from the base."`
	Review     reviewCmd     `cmd:"" help:"Review the agent's change in your git difftool."`
	Inspect    inspectCmd    `cmd:"" help:"Report what a merge would bring that can run code or widen access."`
	Merge      mergeCmd      `cmd:"" help:"Merge the agent's work into the current branch."`
	Compare    compareCmd    `cmd:"" help:"Compare the sandboxes of one task side by side, then merge the one you pick."`
	Apply      applyCmd      `cmd:"" help:"Bring the agent's changes in as one uncommitted change."`
	Pr         prCmd         `cmd:"" name:"pr" help:"Push the agent's work from the host and open a pull request."`
	Push       pushCmd       `cmd:"" help:"Hand host commits to the agent as a branch in its clone."`
	Wait       waitCmd       `cmd:"" help:"Wait until the agent finishes or asks for input, then show what arrived."`
	Ports      portsCmd      `cmd:"" help:"List the sandbox's ports published on the host."`
	Open       openCmd       `cmd:"" help:"Publish a sandbox port on the host and print its URL."`
	Stop       stopCmd       `cmd:"" help:"Stop the sandbox; its clone and commits are kept, its ports withdrawn."`
	Rm         rmCmd         `cmd:"" help:"Remove the sandbox after making sure none of its work is lost."`
	Restore    restoreCmd    `cmd:"" help:"Restore a removed sandbox's kept branch as a local branch."`
	Prune      pruneCmd      `cmd:"" help:"Delete the branches removed sandboxes kept, naming each removal."`
	Doctor     doctorCmd     `cmd:"" help:"Check the machine, sbx and this repository."`
	Setup      setupCmd      `cmd:"" help:"Install and prepare sbx, asking before each command."`
	Init       initCmd       `cmd:"" help:"Write a starter AGENTS.md (never overwrites)."`
	Hooks      hooksCmd      `cmd:"" help:"Install, remove or show the hooks that check sandbox commits landing."`
	Hook       hookCmd       `cmd:"" hidden:"" help:"Run a hook (called by the installed shims)."`
	Lockdown   lockdownCmd   `cmd:"" help:"Make deny-all sbx's default network policy and apply the allowlist."`
	Unlock     unlockCmd     `cmd:"" help:"Return sbx's default network policy to balanced."`
	Allow      allowCmd      `cmd:"" help:"Add hosts to the allowlist and apply them to the sandbox."`
	Net        netCmd        `cmd:"" help:"Show the sandbox's network log, blocked hosts first."`
	Trust      trustCmd      `cmd:"" help:"Trust the current .airlock.toml so its settings take effect."`
	Config     configCmd     `cmd:"" help:"Show every effective setting with its origin, or import code-airlock's config."`
	Completion completionCmd `cmd:"" help:"Print a shell completion script."`
	Version    versionCmd    `cmd:"" help:"Print the version."`
	Help       helpCmd       `cmd:"" help:"Show help for a command."`
	Man        manCmd        `cmd:"" hidden:"" help:"Write the man pages (make install runs it)."`
}

// AfterApply binds the lazy dependencies once the command line is parsed:
// a command that never asks for a use case never opens the repository, so
// `git airlock version` works anywhere. The sandbox a command acts on is
// resolved once, by the target provider. It is the global flags' hook, so
// that the whole model and a scoped one (see scopedModel) both run it.
func (g *Globals) AfterApply(kctx *kong.Context, ctx context.Context, u *ui.UI, inv *Invocation) error {
	u.Verbose, u.Quiet, u.DryRun = g.Verbose, g.Quiet, g.DryRun
	kctx.Bind(g)
	var how loading
	if sel := kctx.Selected(); sel != nil && sel.Target.CanAddr() {
		cmd := sel.Target.Addr().Interface()
		_, how.earlyList = cmd.(listsFirst)
		_, how.trusting = cmd.(*trustCmd)
	}
	providers := []any{
		// load never fails here: an error of a provider's own dependency
		// reaches the user prefixed with Go type names, so each provider
		// returns the load error itself (l.valid).
		func() (*Loaded, error) {
			l, err := load(ctx, g, u, inv, how)
			if err != nil {
				return &Loaded{Err: err}, nil
			}
			return l, nil
		},
		lifecycleProvider((*lifecycleDeps).starter),
		lifecycleProvider((*lifecycleDeps).console),
		lifecycleProvider((*lifecycleDeps).waiter),
		lifecycleProvider((*lifecycleDeps).reporter),
		lifecycleProvider((*lifecycleDeps).remover),
		lifecycleProvider((*lifecycleDeps).restorer),
		lifecycleProvider((*lifecycleDeps).publisher),
		func(l *Loaded) (*review.Reviewer, error) { return l.Reviewer, l.valid() },
		func(l *Loaded) (*review.Lander, error) { return l.Lander, l.valid() },
		machineProvider((*machineDeps).diagnoser),
		machineProvider((*machineDeps).installer),
		machineProvider((*machineDeps).warden),
		machineProvider((*machineDeps).configurer),
		machineProvider((*machineDeps).hookKeeper),
		func(l *Loaded) (target, error) { return l.target() },
	}
	for _, p := range providers {
		if err := kctx.BindSingletonProvider(p); err != nil {
			return err
		}
	}
	return nil
}

// provider binds a handler, built for the command that asks for it from
// the one set of clients deps picks (the lifecycle's or the machine's).
func provider[D, H any](deps func(*Loaded) D, build func(D) H) func(*Loaded) (H, error) {
	return func(l *Loaded) (H, error) {
		if err := l.valid(); err != nil {
			var none H
			return none, err
		}
		return build(deps(l)), nil
	}
}

// lifecycleProvider binds a lifecycle handler.
func lifecycleProvider[H any](build func(*lifecycleDeps) H) func(*Loaded) (H, error) {
	return provider(func(l *Loaded) *lifecycleDeps { return l.Lifecycle }, build)
}

// machineProvider binds a machine handler.
func machineProvider[H any](build func(*machineDeps) H) func(*Loaded) (H, error) {
	return provider(func(l *Loaded) *machineDeps { return l.Machine }, build)
}

// target is the sandbox a command acts on.
type target string

// Loaded is what the command line and the repository give the use cases.
// Settings may be invalid: only `config` shows them anyway, to say what is
// wrong.
type Loaded struct {
	Err         error // the repository or its settings could not be read
	Run         *xec.Runner
	Repo        *gitx.Repo // nil outside a repository
	Settings    *config.Settings
	Entries     []gitx.ConfigEntry
	Records     map[string]sandboxstore.Sandbox // the store's records of the sandboxes
	SettingsErr error

	Lifecycle *lifecycleDeps
	Reviewer  *review.Reviewer
	Lander    *review.Lander
	Machine   *machineDeps

	sbx   *sbx.Client
	early *sbx.EarlyList // taken by the client that lists this machine
	args  []string       // the command line, for hints that repeat it
	tmux  *tmux.Client
	env   func(string) (string, bool)
}

func (l *Loaded) valid() error {
	if l.Err != nil {
		return l.Err
	}
	if l.SettingsErr != nil {
		return hint.With(l.SettingsErr, "fix or unset the value (git airlock config lists every setting and its origin)")
	}
	return nil
}

// target picks the sandbox: --name, SANDBOX_NAME or airlock.name; else the
// repository's only sandbox; else the default name for the agent.
func (l *Loaded) target() (target, error) {
	if err := l.valid(); err != nil {
		return "", err
	}
	if l.Repo == nil {
		return "", workflow.ErrNotRepository
	}
	def := sandboxref.DefaultName(l.Settings.Agent(), l.Repo.Root)
	name, err := workflow.PickTarget(l.Settings.Name(), workflow.Registered(l.Entries, l.Records), def)
	if err != nil {
		return "", l.pickHints(err)
	}
	l.followSandbox(name)
	return target(name), nil
}

// pickHints adds to a choice left open the command lines that make it:
// this invocation again with --name in front, once per sandbox.
func (l *Loaded) pickHints(err error) error {
	var amb *workflow.AmbiguousError
	if !errors.As(err, &amb) {
		return err
	}
	var hints []string
	for _, n := range amb.Names() {
		hints = append(hints, "git airlock "+xec.Quote(append([]string{"--name", n}, l.args...)...))
	}
	return hint.With(err, hints...)
}

// createName is the sandbox up and run act on: they create, so an unset
// name means the default for this repository and agent rather than "the
// only sandbox", and a second sandbox is made only when named.
func (l *Loaded) createName() (string, error) {
	if n := l.Settings.Name(); n != "" {
		l.followSandbox(n)
		return n, nil
	}
	if l.Repo == nil {
		return "", workflow.ErrNotRepository
	}
	name, err := workflow.PickStart("", workflow.Registered(l.Entries, l.Records), sandboxref.DefaultName(l.Settings.Agent(), l.Repo.Root))
	if err != nil {
		return "", l.pickHints(err)
	}
	l.followSandbox(name)
	return name, nil
}

// listsFirst is a command whose first question is this machine's `sbx
// ls`: load starts it before anything else (sbx.EarlyList says why).
type listsFirst interface{ listsFirst() }

// loading is what the command being run changes in load: earlyList
// starts this machine's `sbx ls` beside the reads (listsFirst); trusting
// (trust itself) is not told that the file is not trusted.
type loading struct{ earlyList, trusting bool }

// load reads the repository and its settings.
func load(ctx context.Context, g *Globals, u *ui.UI, inv *Invocation, how loading) (*Loaded, error) {
	run := &xec.Runner{}
	if g.DryRun {
		run.DryRun = u.Out
	}
	if g.Verbose {
		run.Echo = u.Err
	}
	if v, _ := inv.Env("GIT_AIRLOCK_TRACE"); v != "" {
		run.Trace = u.Err
	}
	// The repository and its settings in two git processes that run side
	// by side: every command pays for them before its first step. sbx's
	// answer takes longest: started first where this looks like a work
	// tree, else once git says it is one (nothing reaches sbx from
	// anywhere else), before the settings are read. Not for a command
	// sent to another machine on its command line; one sent there by its
	// git config leaves it untaken.
	var list *sbx.EarlyList
	var also gitx.Also
	if _, host := inv.Env(config.Must("host").Env); how.earlyList && g.Host == "" && !host {
		start := func() { list = sbx.StartList(ctx, &sbx.Client{Run: run, CacheDir: sbx.CacheDir(inv.Env)}) }
		if gitx.SeemsWorkTree(".", inv.Env) {
			start()
		} else {
			also.Found = start
		}
	}
	repo, entries, err := gitx.OpenWithConfig(ctx, run, ".", `^(airlock|remote)\.|^color\.(ui|airlock)$`, also)
	switch {
	case errors.Is(err, gitx.ErrNotRepository):
		repo = nil
		// Outside a repository only the user's airlock.* settings count
		// (and colour).
		entries = slices.DeleteFunc(entries, func(e gitx.ConfigEntry) bool {
			return !strings.HasPrefix(e.Key, "airlock.") && !strings.HasPrefix(e.Key, "color.")
		})
	case errors.Is(err, gitx.ErrNoWorkTree):
		return nil, hint.With(err, "git-airlock works from a repository's work tree (the agent gets a clone of it): cd into one")
	case err != nil:
		return nil, err
	}
	var records map[string]sandboxstore.Sandbox
	if repo != nil {
		// The store's records: file reads, no process.
		if records, err = sandboxstore.For(repo.CommonDir, nil).Sandboxes(); err != nil {
			return nil, err
		}
	}
	var file config.FileInput
	if repo != nil {
		if content, rerr := os.ReadFile(filepath.Join(repo.Root, config.FileName)); rerr == nil {
			file.Content = content
		}
	}
	file.TrustedHash = config.TrustedHash(entries)
	if noColor, _ := inv.Env("NO_COLOR"); noColor == "" {
		u.UseColor(colorSetting(entries))
	}
	settings, serr := config.Load(config.Inputs{File: file, Git: entries, Env: inv.Env, Flags: g.settings()})
	for _, w := range settings.Warnings {
		if w.Untrusted && how.trusting {
			continue
		}
		u.Warnf("%s", w.Text)
		if w.Hint != "" {
			u.Hint("%s", w.Hint)
		}
	}
	l := &Loaded{Run: run, Repo: repo, Settings: settings, Entries: entries, Records: records, SettingsErr: serr, early: list, args: inv.Args}
	l.wire(inv, u)
	return l, nil
}

// settings are the global flags that are settings, as config.Load takes
// them.
func (g *Globals) settings() map[string][]string {
	flags := map[string][]string{}
	if g.Agent != "" {
		flags["agent"] = []string{g.Agent}
	}
	if g.Name != "" {
		flags["name"] = []string{g.Name}
	}
	if g.SeedConfig {
		flags["seed-config"] = []string{"true"}
	}
	if g.Host != "" {
		flags["host"] = []string{g.Host}
	}
	return flags
}

// wire builds the use cases over the concrete git, sbx and tmux clients.
// The interfaces stay nil outside a repository (never a typed nil).
func (l *Loaded) wire(inv *Invocation, u *ui.UI) {
	self, _ := os.Executable()
	home, _ := inv.Env("HOME")
	client := &sbx.Client{Run: l.Run, Timeout: l.Settings.Timeout(), CreateTimeout: l.Settings.CreateTimeout(), CacheDir: sbx.CacheDir(inv.Env)}
	l.sbx, l.env = client, inv.Env
	l.tmux = &tmux.Client{Run: l.Run}
	l.Lifecycle = &lifecycleDeps{common: &lifecycle.Common{UI: u, Settings: l.Settings, Entries: l.Entries, Records: l.Records},
		sbx: client, tmux: l.tmux, self: self, home: home, progress: u.Err}
	l.wireReview(u, client)
	l.Machine = &machineDeps{common: &machine.Common{UI: u, Settings: l.Settings, Entries: l.Entries, Records: l.Records, DryRun: l.Run.DryRun},
		sbx: client, env: inv.Env,
		gitVersion: func(ctx context.Context) (string, error) { return gitx.Version(ctx, l.Run) }}
	if l.Repo != nil {
		l.Lifecycle.sessions = agentrun.Store{Dir: filepath.Join(l.Repo.CommonDir, "airlock", "sessions")}
		l.Lifecycle.repo, l.Lifecycle.common.Registry = l.Repo, l.Repo
		l.Lifecycle.common.Store = sandboxstore.For(l.Repo.CommonDir, l.Run.DryRun)
		l.Machine.repo, l.Machine.common.Root = l.Repo, l.Repo.Root
	}
	l.useHost(l.Settings.Host())
}

// reopen loads everything again, after up or run created the repository.
func (l *Loaded) reopen(ctx context.Context, g *Globals, u *ui.UI, inv *Invocation) error {
	fresh, err := load(ctx, g, u, inv, loading{})
	if err != nil {
		return err
	}
	*l = *fresh
	return nil
}

// streams returns the UI's streams for git and sbx passthrough.
func streams(u *ui.UI) xec.Streams { return xec.Streams{In: u.In, Out: u.Out, Err: u.Err} }

// withoutTmux drops the tmux flags from the original arguments, for the
// command that runs inside the session.
func withoutTmux(args []string) []string {
	var out []string
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if a != "--tmux" && a != "--tmux-detached" {
			out = append(out, a)
		}
	}
	return out
}

// insideTmux reports whether git-airlock runs inside a tmux client.
func insideTmux(inv *Invocation) bool {
	v, _ := inv.Env("TMUX")
	return v != ""
}

// sessionEnv is the environment for a command re-run inside tmux: this
// invocation's, less tmux's own variables.
func sessionEnv(inv *Invocation) []string {
	var out []string
	for _, e := range inv.Environ {
		if !strings.HasPrefix(e, "TMUX=") && !strings.HasPrefix(e, "TMUX_PANE=") && strings.Contains(e, "=") {
			out = append(out, e)
		}
	}
	return out
}

// colorSetting is git's colour setting for git-airlock's output:
// color.airlock, else color.ui, as git lets color.diff override color.ui.
func colorSetting(entries []gitx.ConfigEntry) string {
	general, own := "", ""
	for _, e := range entries {
		switch e.Key {
		case "color.ui":
			general = e.Value
		case "color.airlock":
			own = e.Value
		}
	}
	return cmp.Or(own, general)
}
