package review

import (
	"context"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// allRepo is every review handler's view of the host repository, which
// fakeRepo implements.
type allRepo interface {
	HostRepo
	ReviewRepo
	LandRepo
	Pusher
	gate.Repo
	gate.NoteStore
}

// Service builds each verb's handler from a test's fakes when the verb
// is called, as cmd/git-airlock builds them from the real clients.
type Service struct {
	UI          workflow.UI
	Repo        allRepo // nil outside a repository
	Root        string
	Settings    *config.Settings
	Entries     []gitx.ConfigEntry
	Forge       Forge
	Sbx         Execer
	DryRun      bool
	ConfirmRisk func(gate.Report) bool
}

func (d *Service) common() *Common {
	c := &Common{UI: d.UI, Root: d.Root, Settings: d.Settings, Entries: d.Entries, DryRun: d.DryRun}
	if d.Repo != nil {
		c.Host, c.GateRepo, c.Notes = d.Repo, d.Repo, d.Repo
	}
	return c
}

func (d *Service) reviewer() *Reviewer {
	h := &Reviewer{Common: d.common(), Sbx: d.Sbx}
	if d.Repo != nil {
		h.Repo = d.Repo
	}
	return h
}

func (d *Service) lander() *Lander {
	h := &Lander{Common: d.common(), Forge: d.Forge, ConfirmRisk: d.ConfirmRisk}
	if d.Repo != nil {
		h.Repo, h.Remote = d.Repo, d.Repo
	}
	return h
}

func (d *Service) Fetch(ctx context.Context, req FetchRequest) error {
	return d.reviewer().Fetch(ctx, req)
}

func (d *Service) Diff(ctx context.Context, req CompareRequest, form gitx.Form) error {
	return d.reviewer().Diff(ctx, req, form)
}

func (d *Service) Log(ctx context.Context, req CompareRequest, form gitx.Form) error {
	return d.reviewer().Log(ctx, req, form)
}

func (d *Service) Review(ctx context.Context, req CompareRequest) error {
	return d.reviewer().Review(ctx, req)
}

func (d *Service) Inspect(ctx context.Context, req CompareRequest) (gate.Report, error) {
	return d.reviewer().Inspect(ctx, req)
}

func (d *Service) CompareAgents(ctx context.Context, req CompareAgentsRequest) (Comparison, error) {
	return d.reviewer().CompareAgents(ctx, req)
}

func (d *Service) Reviews(ctx context.Context, st xec.Streams, oneline bool) error {
	return d.reviewer().Reviews(ctx, st, oneline)
}

func (d *Service) Merge(ctx context.Context, req MergeRequest) error {
	return d.lander().Merge(ctx, req)
}

func (d *Service) Apply(ctx context.Context, req MergeRequest) error {
	return d.lander().Apply(ctx, req)
}

func (d *Service) PR(ctx context.Context, req PRRequest) (PRResult, error) {
	return d.lander().PR(ctx, req)
}

func (d *Service) Push(ctx context.Context, req PushRequest) error {
	return d.lander().Push(ctx, req)
}

func (d *Service) Arrived(ctx context.Context, req CompareRequest) error {
	return d.reviewer().Arrived(ctx, req)
}
