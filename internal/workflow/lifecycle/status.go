package lifecycle

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/sbx"
)

// BranchStatus is one fetched sandbox branch. JSON field names are part of
// the documented output of `status --json` and `ls --json`.
type BranchStatus struct {
	Name   string `json:"name"`
	Commit string `json:"commit"`
	Ahead  *int   `json:"ahead,omitempty"`  // commits the base lacks
	Behind *int   `json:"behind,omitempty"` // base commits the branch lacks
}

// States of a sandbox in SandboxStatus.State besides sbx's own (running,
// stopped).
const (
	StateMissing = "missing" // registered here, gone from sbx
	StateRemoved = "removed" // removed; its kept refs remain
)

// SandboxStatus describes one sandbox of the repository.
type SandboxStatus struct {
	Name string `json:"name"`
	// Removal is set for a removed sandbox: <name>@<n>, the namespace
	// under refs/airlock/removed/ that one removal kept.
	Removal   string `json:"removal,omitempty"`
	Remote    string `json:"remote,omitempty"`
	State     string `json:"state"` // running, stopped, missing (gone from sbx), removed (kept refs only)
	Agent     string `json:"agent,omitempty"`
	Path      string `json:"path,omitempty"`
	Workspace string `json:"workspace,omitempty"`
	// Host is the machine whose sbx runs it ([user@]server[:port]); unset
	// for this one.
	Host string `json:"host,omitempty"`
	Base string `json:"base,omitempty"`
	// RemovedAt is when a removal happened, from the record rm writes;
	// unset for removals kept before the record existed.
	RemovedAt *time.Time     `json:"removed_at,omitempty"`
	Branches  []BranchStatus `json:"branches"`
	// Unfetched is set only when asked for (it wakes the sandbox): the
	// sandbox's refs that are not fetched yet, and uncommitted changes.
	Unfetched []string `json:"unfetched,omitempty"`
	Checked   bool     `json:"unfetched_checked,omitempty"`
	// Accepted lists risks accepted at merge, apply or pr.
	Accepted []AcceptedRisk `json:"accepted_risks,omitempty"`
}

// AcceptedRisk is one acceptance of high-severity findings, for the
// commit the gate inspected.
type AcceptedRisk struct {
	Commit string    `json:"commit"`
	Time   time.Time `json:"time"`
	Count  int       `json:"count"`
	Rules  []string  `json:"rules"`
}

// StatusRequest asks for one sandbox (Name) or all of them.
type StatusRequest struct {
	Name      string
	All       bool
	Unfetched bool
}

// Status reports sandboxes of this repository: state from one `sbx ls`,
// branches from the refs fetched last time, ahead/behind against the base.
func (s *Service) Status(ctx context.Context, req StatusRequest) ([]SandboxStatus, error) {
	if s.Repo == nil {
		return nil, workflow.ErrNotRepository
	}
	var sandboxes []workflow.Sandbox
	if req.All {
		sandboxes = s.sandboxes()
	} else {
		sb, err := s.mustRegistered(req.Name)
		if err != nil {
			return nil, err
		}
		sandboxes = []workflow.Sandbox{sb}
	}
	// sbx answers while git counts ahead/behind: the two children overlap.
	type listed struct {
		states      map[string]sbx.Sandbox
		unreachable map[string]error
		err         error
	}
	lc := make(chan listed, 1)
	go func() {
		states, unreachable, err := s.listByHost(ctx, sandboxes)
		lc <- listed{states, unreachable, err}
	}()
	base := DefaultBase(s.Settings.Base(), workflow.CurrentBranch(s.Repo))
	out := make([]SandboxStatus, 0, len(sandboxes))
	for _, sb := range sandboxes {
		st := SandboxStatus{Name: sb.Name, Remote: sb.Remote, Agent: sb.Agent, Path: sb.Path, Base: base, State: StateMissing, Host: sb.Host}
		for _, a := range gate.Accepted(s.Entries, sb.Name) {
			st.Accepted = append(st.Accepted, AcceptedRisk{Commit: a.Commit, Time: a.Time.UTC(), Count: a.Count, Rules: a.Rules})
		}
		var err error
		if st.Branches, err = s.branches(sandboxref.TrackingPrefix(sb.Remote)); err != nil {
			<-lc
			return nil, err
		}
		out = append(out, st)
	}
	s.aheadBehind(ctx, sandboxes, out, base)
	l := <-lc
	if l.err != nil {
		return nil, workflow.SbxError(l.err)
	}
	for i, sb := range sandboxes {
		st := &out[i]
		if _, ok := l.unreachable[sb.Host]; ok {
			st.State = StateUnreachable
			continue
		}
		if live, ok := l.states[hostKey(sb.Host, sb.Name)]; ok {
			st.State = live.Status
			if len(live.Workspaces) > 0 {
				st.Workspace = live.Workspaces[0]
			}
		}
		if st.State != StateMissing && sb.Host == "" { // sbx adds its remote here only for this machine's sandboxes
			// After the survey, which may start it; without one, this
			// command started nothing, so what it read at start decides.
			if req.Unfetched || !workflow.SbxRemoteGuarded(s.Entries, sb.Name) {
				defer s.guardSbxRemote(ctx, sb.Name)
			}
		}
		if req.Unfetched && st.State != StateMissing {
			st.Checked = true
			problems, notes, err := s.unsaved(ctx, sb)
			if err != nil {
				return nil, workflow.SbxError(err)
			}
			st.Unfetched = problems
			for _, n := range notes {
				st.Unfetched = append(st.Unfetched, "not kept by rm: "+n)
			}
		}
	}
	if req.All {
		removed, err := s.Removals()
		if err != nil {
			return nil, err
		}
		out = append(out, removed...)
	}
	return out, nil
}

// DefaultBase is the host side when none is given: airlock.base, else the
// checked-out branch, else HEAD.
func DefaultBase(setting, currentBranch string) string {
	switch {
	case setting != "":
		return setting
	case currentBranch != "":
		return currentBranch
	}
	return "HEAD"
}

// branches lists fetched refs under prefix (the refs are read once per
// command, whatever the number of sandboxes).
func (s *Service) branches(prefix string) ([]BranchStatus, error) {
	refs, err := s.Repo.Refs(prefix)
	if err != nil {
		return nil, err
	}
	out := []BranchStatus{}
	for name, hash := range refs {
		out = append(out, BranchStatus{Name: strings.TrimPrefix(name, prefix), Commit: hash})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// aheadBehind fills in ahead/behind of each sandbox's HEAD against base,
// for every sandbox in one git call where git can (other branches show
// their commit only). A count git cannot give is left out, as before.
func (s *Service) aheadBehind(ctx context.Context, sandboxes []workflow.Sandbox, out []SandboxStatus, base string) {
	if base == "" {
		return
	}
	var heads []string
	for _, sb := range sandboxes {
		heads = append(heads, sandboxref.TrackingPrefix(sb.Remote)+"HEAD")
	}
	counts, _ := s.Repo.AheadBehindMany(ctx, base, heads)
	for i := range out {
		c, ok := counts[heads[i]]
		if !ok {
			continue
		}
		for j := range out[i].Branches {
			if b := &out[i].Branches[j]; b.Name == "HEAD" {
				b.Ahead, b.Behind = &c.Ahead, &c.Behind
			}
		}
	}
}

// Removals lists removed sandboxes from their kept refs, one row per
// removal (a name removed twice is two rows), with when and which sandbox
// from the record rm wrote.
func (s *Service) Removals() ([]SandboxStatus, error) {
	refs, err := s.Repo.Refs(sandboxref.RemovedPrefix)
	if err != nil {
		return nil, err
	}
	byRemoval := map[string]*SandboxStatus{}
	var removals []string
	for ref, hash := range refs {
		name, removal, branch, ok := sandboxref.ParseRemoved(ref)
		if !ok {
			continue
		}
		st := byRemoval[removal]
		if st == nil {
			st = &SandboxStatus{Name: name, Removal: removal, State: StateRemoved}
			byRemoval[removal] = st
			removals = append(removals, removal)
		}
		st.Branches = append(st.Branches, BranchStatus{Name: branch, Commit: hash})
	}
	for _, e := range s.Entries {
		rec, ok := sandboxref.ParseRemovalRecord(e.Key, e.Value)
		if st := byRemoval[rec.Removal]; ok && st != nil {
			at := rec.Time
			st.RemovedAt, st.Agent, st.Base = &at, rec.Agent, rec.Base
		}
	}
	sort.Slice(removals, func(i, j int) bool { return removalLess(removals[i], removals[j]) })
	out := make([]SandboxStatus, 0, len(removals))
	for _, r := range removals {
		st := byRemoval[r]
		sort.Slice(st.Branches, func(i, j int) bool { return st.Branches[i].Name < st.Branches[j].Name })
		out = append(out, *st)
	}
	return out, nil
}

// removalLess orders removals by name, then by number (box@2 before
// box@10).
func removalLess(a, b string) bool {
	an, ak, _ := strings.Cut(a, sandboxref.RemovalSep)
	bn, bk, _ := strings.Cut(b, sandboxref.RemovalSep)
	if an != bn {
		return an < bn
	}
	if len(ak) != len(bk) {
		return len(ak) < len(bk)
	}
	return ak < bk
}

// MachineSandbox is a row of `ls --all-repos`: every sandbox sbx knows.
type MachineSandbox struct {
	Name      string `json:"name"`
	Agent     string `json:"agent"`
	State     string `json:"state"`
	Workspace string `json:"workspace"`
	// Host is the machine it runs on, when not this one.
	Host string `json:"host,omitempty"`
}

// ListMachine lists every sandbox on the machine, whatever its repository,
// and on every other machine this repository's sandboxes live on
// (host.go).
func (s *Service) ListMachine(ctx context.Context) ([]MachineSandbox, error) {
	list, err := s.Sbx.List(ctx)
	if err != nil {
		return nil, workflow.SbxError(err)
	}
	out := []MachineSandbox{}
	for _, sb := range list {
		m := MachineSandbox{Name: sb.Name, Agent: sb.Agent, State: sb.Status, Host: s.currentHost()}
		if len(sb.Workspaces) > 0 {
			m.Workspace = sb.Workspaces[0]
		}
		out = append(out, m)
	}
	return append(out, s.listOtherHosts(ctx)...), nil
}
