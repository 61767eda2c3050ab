package review

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/inspect"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// Execer runs a command inside a sandbox (compare's --check).
type Execer interface {
	Exec(ctx context.Context, req sbx.ExecRequest) error
}

var _ Execer = (*sbx.Client)(nil)

// CompareAgentsRequest compares the sandboxes of one run --agents.
type CompareAgentsRequest struct {
	Names   []string // default: the sandboxes of the latest run --agents
	Check   string   // a command run inside each sandbox (sh -c), optional
	NoFetch bool
	// CheckOutput is where each sandbox's check writes; the caller labels it.
	CheckOutput func(sandbox string) xec.Streams
	Streams     xec.Streams // the fetch's progress
}

// Comparison is compare's table; its JSON field names are documented in
// the README.
type Comparison struct {
	Group     string          `json:"group,omitempty"` // "<base> <commit> <time>"
	From      string          `json:"from,omitempty"`  // the commit the run cloned
	Base      string          `json:"base"`            // what each is measured against
	Sandboxes []CompareResult `json:"sandboxes"`
}

// CompareResult is one row.
type CompareResult struct {
	Name    string         `json:"name"`
	Agent   string         `json:"agent"`
	Exit    *int           `json:"exit"` // the agent's exit status; null when not recorded
	Commit  string         `json:"commit,omitempty"`
	Commits int            `json:"commits"` // the sandbox's commits the base lacks
	Files   int            `json:"files"`
	Added   int            `json:"added"`
	Deleted int            `json:"deleted"`
	Counts  inspect.Counts `json:"counts"` // inspect findings by severity
	Check   *CheckResult   `json:"check"`  // null without --check
	Error   string         `json:"error,omitempty"`
}

// CheckResult is --check's outcome in one sandbox.
type CheckResult struct {
	Command string `json:"command"`
	Exit    int    `json:"exit"` // -1 when it could not run (Error says why)
	Error   string `json:"error,omitempty"`
}

// CompareAgents measures each sandbox's work against HEAD (what a merge
// would take it into): the agent's exit status as run recorded it, commits,
// files and lines changed, inspect's findings by severity, and, with a
// check command, that command's exit status inside the sandbox (sbx exec;
// never on the host).
func (s *Reviewer) CompareAgents(ctx context.Context, req CompareAgentsRequest) (Comparison, error) {
	if s.Repo == nil {
		return Comparison{}, workflow.ErrNotRepository
	}
	cmp, list, err := s.compared(req.Names)
	if err != nil {
		return Comparison{}, err
	}
	if req.Check != "" && s.Sbx == nil {
		return Comparison{}, errors.New("compare --check: no sbx client")
	}
	if !req.NoFetch {
		if err := workflow.Fetch(ctx, s.Host, s.Store, s.UI, req.Streams, s.DryRun, list...); err != nil {
			s.UI.Warnf("%v", err)
		}
	}
	cmp.Base = s.baseName("HEAD")
	// The checks (a test suite, minutes each) run in every sandbox at
	// once, each in its own VM, while the host measures.
	checks := make([]*CheckResult, len(list))
	var wg sync.WaitGroup
	if req.Check != "" {
		for i, sb := range list {
			var st xec.Streams
			if req.CheckOutput != nil {
				st = req.CheckOutput(sb.Name)
			}
			wg.Go(func() { checks[i] = s.check1(ctx, sb, req.Check, st) })
		}
	}
	g := s.gate()
	for _, sb := range list {
		row := CompareResult{Name: sb.Name, Agent: sb.Agent}
		if n, err := strconv.Atoi(sb.Record.Exit); err == nil {
			row.Exit = &n
		}
		theirs := sandboxref.Head(sb.Remote)
		if c, err := s.Host.ResolveCommit(theirs); err != nil {
			row.Error = "nothing fetched"
		} else {
			row.Commit = c
			s.measure(ctx, g, &row)
		}
		cmp.Sandboxes = append(cmp.Sandboxes, row)
	}
	wg.Wait()
	for i := range cmp.Sandboxes {
		cmp.Sandboxes[i].Check = checks[i]
	}
	return cmp, nil
}

// measure fills a row's numbers; a failure is the row's error, not the
// table's.
func (s *Reviewer) measure(ctx context.Context, g *gate.Gate, row *CompareResult) {
	ahead, _, err := s.Repo.AheadBehind(ctx, row.Commit, "HEAD")
	if err != nil {
		row.Error = err.Error()
		return
	}
	row.Commits = ahead
	st, err := s.Repo.DiffStat(ctx, "HEAD", row.Commit)
	if err != nil {
		row.Error = err.Error()
		return
	}
	row.Files, row.Added, row.Deleted = st.Files, st.Added, st.Deleted
	r, err := g.Inspect(ctx, "HEAD", row.Commit)
	if err != nil {
		row.Error = err.Error()
		return
	}
	row.Counts = r.Counts
}

// check1 runs the check command in one sandbox, through sh, in the clone,
// its output to st.
func (s *Reviewer) check1(ctx context.Context, sb workflow.Sandbox, check string, st xec.Streams) *CheckResult {
	res := &CheckResult{Command: check}
	err := s.Sbx.Exec(ctx, sbx.ExecRequest{Name: sb.Name, Argv: []string{"sh", "-c", check}, Dir: sb.Path,
		Streams: xec.Streams{Out: st.Out, Err: st.Err}, Stream: true, Mutates: true})
	var ee *xec.ExitError
	switch {
	case errors.As(err, &ee):
		res.Exit = ee.Code
	case err != nil:
		res.Exit = -1
		res.Error = workflow.ErrorText(workflow.SbxError(err))
	}
	return res
}

// compared picks the sandboxes: the names given, else those of the latest
// run --agents (the group with the latest time), else every sandbox.
func (s *Reviewer) compared(names []string) (Comparison, []workflow.Sandbox, error) {
	all := workflow.Registered(s.Entries, s.Records)
	if len(names) > 0 {
		var list []workflow.Sandbox
		for _, n := range names {
			sb, err := workflow.MustFind(all, n)
			if err != nil {
				return Comparison{}, nil, err
			}
			list = append(list, sb)
		}
		return Comparison{}, list, nil
	}
	latest := ""
	for _, sb := range all {
		if groupTime(sb.Record.Group) > groupTime(latest) {
			latest = sb.Record.Group
		}
	}
	var list []workflow.Sandbox
	for _, sb := range all {
		if latest == "" || sb.Record.Group == latest {
			list = append(list, sb)
		}
	}
	if len(list) == 0 {
		return Comparison{}, nil, hint.Errorf([]string{`start several: git airlock run --agents claude,codex "the task"`}, "this repository has no sandboxes")
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	c := Comparison{Group: latest}
	if f := strings.Fields(latest); len(f) == 3 {
		c.From = f[1]
	}
	return c, list, nil
}

func groupTime(g string) string {
	if f := strings.Fields(g); len(f) == 3 {
		return f[2]
	}
	return ""
}
