package lifecycle_test

import (
	"context"
	"time"

	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// allRepo and allSbx are every handler's view of the repository and of
// sbx, which the fakes implement; a test swaps one (nil: outside a
// repository, or a wrapper that fails a call) for all the handlers.
type allRepo interface {
	lifecycle.SandboxRegistry
	lifecycle.StarterRepo
	lifecycle.GroupRepo
	lifecycle.ConsoleRepo
	lifecycle.ReporterRepo
	lifecycle.SurveyRepo
	lifecycle.RemoverRepo
	lifecycle.RestorerRepo
}

type allSbx interface {
	lifecycle.StarterSbx
	lifecycle.Setup
	lifecycle.SeederSbx
	lifecycle.GroupSbx
	lifecycle.ConsoleSbx
	lifecycle.WaiterSbx
	lifecycle.ReporterSbx
	lifecycle.RemoverSbx
	lifecycle.PublisherSbx
}

// service builds each verb's handler from the world's fakes when the
// verb is called, as cmd/git-airlock builds them from the real clients;
// the handlers of one test share its Common.
type service struct {
	*lifecycle.Common
	Repo     allRepo // nil outside a repository
	Sbx      allSbx
	SbxOn    func(host string) allSbx
	Server   lifecycle.Server
	Tmux     lifecycle.Tmux
	Sessions lifecycle.Sessions
	Home     string
	Now      func() time.Time
	Sleep    func(ctx context.Context, d time.Duration) error
}

func (d *service) common() *lifecycle.Common {
	d.Common.Server = d.Server
	d.Registry = nil
	if d.Repo != nil {
		d.Registry = d.Repo
	}
	return d.Common
}

func (d *service) seeder() *lifecycle.Seeder {
	return &lifecycle.Seeder{Common: d.common(), Sbx: d.Sbx, Home: d.Home}
}

func (d *service) starter() *lifecycle.Starter {
	h := &lifecycle.Starter{Common: d.common(), Sbx: d.Sbx, Setup: d.Sbx, Seed: d.seeder(), Sessions: d.Sessions}
	if d.Repo != nil {
		h.Repo, h.Fetcher = d.Repo, d.Repo
	}
	return h
}

func (d *service) waiter() *lifecycle.Waiter {
	h := &lifecycle.Waiter{Common: d.common(), Sbx: d.Sbx, Tmux: d.Tmux, Sessions: d.Sessions, Now: d.Now, Sleep: d.Sleep}
	if d.Repo != nil {
		h.Repo = d.Repo
	}
	return h
}

func (d *service) console() *lifecycle.Console {
	h := &lifecycle.Console{Common: d.common(), Start: d.starter(), Wait: d.waiter(), Sbx: d.Sbx, Tmux: d.Tmux, Sessions: d.Sessions}
	if d.Repo != nil {
		h.Repo = d.Repo
	}
	return h
}

func (d *service) surveyor() *lifecycle.Surveyor {
	h := &lifecycle.Surveyor{Common: d.common(), Sbx: d.Sbx}
	if d.Repo != nil {
		h.Repo = d.Repo
	}
	return h
}

func (d *service) reporter() *lifecycle.Reporter {
	h := &lifecycle.Reporter{Common: d.common(), Sbx: d.Sbx, Survey: d.surveyor(), Sessions: d.Sessions}
	if d.Repo != nil {
		h.Repo = d.Repo
	}
	if d.SbxOn != nil {
		h.SbxOn = func(host string) lifecycle.ReporterSbx { return d.SbxOn(host) }
	}
	return h
}

func (d *service) remover() *lifecycle.Remover {
	h := &lifecycle.Remover{Common: d.common(), Sbx: d.Sbx, Survey: d.surveyor(), Tmux: d.Tmux, Sessions: d.Sessions}
	if d.Repo != nil {
		h.Repo, h.Fetcher = d.Repo, d.Repo
	}
	return h
}

func (d *service) restorer() *lifecycle.Restorer {
	h := &lifecycle.Restorer{Common: d.common()}
	if d.Repo != nil {
		h.Repo = d.Repo
	}
	return h
}

func (d *service) Up(ctx context.Context, req lifecycle.UpRequest) error {
	return d.starter().Up(ctx, req)
}

func (d *service) Run(ctx context.Context, req lifecycle.RunRequest) error {
	return d.starter().Run(ctx, req)
}

func (d *service) RunAgents(ctx context.Context, req lifecycle.AgentsRequest) (lifecycle.AgentsResult, error) {
	g := &lifecycle.GroupRunner{Common: d.common(), Start: d.starter(), Sbx: d.Sbx}
	if d.Repo != nil {
		g.Repo = d.Repo
	}
	return g.RunAgents(ctx, req)
}

func (d *service) Shell(ctx context.Context, name string, st xec.Streams) error {
	return d.console().Shell(ctx, name, st)
}

func (d *service) Stop(ctx context.Context, name string) error { return d.console().Stop(ctx, name) }

func (d *service) Attach(ctx context.Context, name string, insideTmux bool, st xec.Streams) error {
	return d.console().Attach(ctx, name, insideTmux, st)
}

func (d *service) RunInServerTmux(ctx context.Context, req lifecycle.RunRequest, detached bool) error {
	return d.console().RunInServerTmux(ctx, req, detached)
}

func (d *service) Wait(ctx context.Context, req lifecycle.WaitRequest) (lifecycle.WaitResult, error) {
	return d.waiter().Wait(ctx, req)
}

func (d *service) Status(ctx context.Context, req lifecycle.StatusRequest) ([]lifecycle.SandboxStatus, error) {
	return d.reporter().Status(ctx, req)
}

func (d *service) ListMachine(ctx context.Context) ([]lifecycle.MachineSandbox, error) {
	return d.reporter().ListMachine(ctx)
}

func (d *service) Remove(ctx context.Context, req lifecycle.RemoveRequest) error {
	return d.remover().Remove(ctx, req)
}

func (d *service) Removals() ([]lifecycle.SandboxStatus, error) { return d.restorer().Removals() }

func (d *service) Restore(ctx context.Context, req lifecycle.RestoreRequest) (lifecycle.Restored, error) {
	return d.restorer().Restore(ctx, req)
}

func (d *service) Prune(ctx context.Context, req lifecycle.PruneRequest) ([]lifecycle.Pruned, error) {
	return d.restorer().Prune(ctx, req)
}

func (d *service) Open(ctx context.Context, req lifecycle.OpenRequest) (port sbx.Port, already bool, err error) {
	return (&lifecycle.Publisher{Common: d.common(), Sbx: d.Sbx}).Open(ctx, req)
}
