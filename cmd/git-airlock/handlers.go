package main

import (
	"context"
	"io"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/forge"
	"github.com/git-airlock/git-airlock/internal/sandboxstore"
	"github.com/git-airlock/git-airlock/internal/tmux"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/internal/workflow/machine"
	"github.com/git-airlock/git-airlock/internal/workflow/review"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// lifecycleDeps are what the lifecycle handlers are built from: the one
// place each handler gets its clients. The handlers of one command share
// common (a sandbox up registers, a later step sees). Interfaces stay nil
// outside a repository (never a typed nil).
type lifecycleDeps struct {
	common   *lifecycle.Common
	repo     *gitx.Repo // nil outside a repository
	sbx      *sbx.Client
	sbxOn    func(host string) *sbx.Client
	tmux     *tmux.Client
	sessions lifecycle.Sessions // nil outside a repository
	self     string
	home     string
	progress io.Writer
}

func (d *lifecycleDeps) starter() *lifecycle.Starter {
	h := &lifecycle.Starter{Common: d.common, Sbx: d.sbx, Setup: d.sbx, Sessions: d.sessions, Progress: d.progress,
		Seed: &lifecycle.Seeder{Common: d.common, Sbx: d.sbx, Home: d.home}}
	if d.repo != nil {
		h.Repo, h.Fetcher = d.repo, d.repo
	}
	return h
}

func (d *lifecycleDeps) groupRunner() *lifecycle.GroupRunner {
	h := &lifecycle.GroupRunner{Common: d.common, Start: d.starter(), Sbx: d.sbx, Progress: d.progress}
	if d.repo != nil {
		h.Repo = d.repo
	}
	return h
}

func (d *lifecycleDeps) waiter() *lifecycle.Waiter {
	h := &lifecycle.Waiter{Common: d.common, Sbx: d.sbx, Tmux: d.tmux, Sessions: d.sessions, Progress: d.progress}
	if d.repo != nil {
		h.Repo = d.repo
	}
	return h
}

func (d *lifecycleDeps) console() *lifecycle.Console {
	h := &lifecycle.Console{Common: d.common, Start: d.starter(), Wait: d.waiter(), Sbx: d.sbx,
		Tmux: d.tmux, Sessions: d.sessions, Self: d.self}
	if d.repo != nil {
		h.Repo = d.repo
	}
	return h
}

func (d *lifecycleDeps) surveyor() *lifecycle.Surveyor {
	h := &lifecycle.Surveyor{Common: d.common, Sbx: d.sbx}
	if d.repo != nil {
		h.Repo = d.repo
	}
	return h
}

func (d *lifecycleDeps) reporter() *lifecycle.Reporter {
	h := &lifecycle.Reporter{Common: d.common, Sbx: d.sbx, Survey: d.surveyor(), Sessions: d.sessions}
	if d.repo != nil {
		h.Repo = d.repo
	}
	if d.sbxOn != nil {
		h.SbxOn = func(host string) lifecycle.ReporterSbx { return d.sbxOn(host) }
	}
	return h
}

func (d *lifecycleDeps) remover() *lifecycle.Remover {
	h := &lifecycle.Remover{Common: d.common, Sbx: d.sbx, Survey: d.surveyor(), Tmux: d.tmux,
		Sessions: d.sessions, Progress: d.progress}
	if d.repo != nil {
		h.Repo, h.Fetcher = d.repo, d.repo
	}
	return h
}

func (d *lifecycleDeps) restorer() *lifecycle.Restorer {
	h := &lifecycle.Restorer{Common: d.common}
	if d.repo != nil {
		h.Repo = d.repo
	}
	return h
}

func (d *lifecycleDeps) publisher() *lifecycle.Publisher {
	return &lifecycle.Publisher{Common: d.common, Sbx: d.sbx}
}

// wireReview builds the review handlers, which share one review.Common.
func (l *Loaded) wireReview(u *ui.UI, client *sbx.Client) {
	c := &review.Common{UI: u, Settings: l.Settings, Entries: l.Entries, Records: l.Records, DryRun: l.Run.DryRun != nil}
	l.Reviewer = &review.Reviewer{Common: c, Sbx: client}
	l.Lander = &review.Lander{Common: c, Forge: &forge.GH{Run: l.Run}, ConfirmRisk: confirmRisk(u)}
	if l.Repo != nil {
		c.Host, c.GateRepo, c.Notes, c.Root = l.Repo, l.Repo, l.Repo, l.Repo.Root
		c.Store = sandboxstore.For(l.Repo.CommonDir, l.Run.DryRun)
		l.Reviewer.Repo, l.Lander.Repo, l.Lander.Remote = l.Repo, l.Repo, l.Repo
	}
}

// machineDeps are what the machine handlers are built from; they share
// common (useHost sets its Host). Interfaces stay nil outside a
// repository (never a typed nil).
type machineDeps struct {
	common     *machine.Common
	repo       *gitx.Repo // nil outside a repository
	sbx        *sbx.Client
	gitVersion func(ctx context.Context) (string, error)
	env        func(string) (string, bool)
}

func (d *machineDeps) hookKeeper() *machine.HookKeeper {
	h := &machine.HookKeeper{Common: d.common}
	if d.repo != nil {
		h.Repo = d.repo
	}
	return h
}

func (d *machineDeps) diagnoser() *machine.Diagnoser {
	h := &machine.Diagnoser{Common: d.common, Sbx: d.sbx, Hooks: d.hookKeeper(),
		GitVersion: d.gitVersion, LookPath: xec.LookPath, Env: d.env}
	if d.repo != nil {
		h.Repo = d.repo
	}
	return h
}

func (d *machineDeps) installer() *machine.Installer {
	h := &machine.Installer{Common: d.common, Sbx: d.sbx}
	if d.repo != nil {
		h.Repo = d.repo
	}
	return h
}

func (d *machineDeps) warden() *machine.Warden {
	h := &machine.Warden{Common: d.common, Sbx: d.sbx}
	if d.repo != nil {
		h.Repo = d.repo
	}
	return h
}

func (d *machineDeps) configurer() *machine.Configurer {
	h := &machine.Configurer{Common: d.common}
	if d.repo != nil {
		h.Repo = d.repo
	}
	return h
}
