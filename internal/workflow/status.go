package workflow

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

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

// SandboxStatus describes one sandbox of the repository.
type SandboxStatus struct {
	Name      string         `json:"name"`
	Remote    string         `json:"remote,omitempty"`
	State     string         `json:"state"` // running, stopped, missing (gone from sbx), removed (kept refs only)
	Agent     string         `json:"agent,omitempty"`
	Path      string         `json:"path,omitempty"`
	Workspace string         `json:"workspace,omitempty"`
	Base      string         `json:"base,omitempty"`
	Branches  []BranchStatus `json:"branches"`
	// Unfetched is set only when asked for (it wakes the sandbox): the
	// sandbox's refs that are not fetched yet, and uncommitted changes.
	Unfetched []string `json:"unfetched,omitempty"`
	Checked   bool     `json:"unfetched_checked,omitempty"`
	// Accepted lists risks accepted at merge, apply or pr:
	// "<commit> <time> <count> <rules>".
	Accepted []string `json:"accepted_risks,omitempty"`
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
	if err := s.requireRepo(); err != nil {
		return nil, err
	}
	var sandboxes []Sandbox
	if req.All {
		sandboxes = s.Sandboxes()
	} else {
		sb, err := s.mustRegistered(req.Name)
		if err != nil {
			return nil, err
		}
		sandboxes = []Sandbox{sb}
	}
	// sbx answers while git counts ahead/behind: the two children overlap.
	type listed struct {
		list []sbx.Sandbox
		err  error
	}
	lc := make(chan listed, 1)
	go func() {
		list, err := s.Sbx.List(ctx)
		lc <- listed{list, err}
	}()
	out := make([]SandboxStatus, 0, len(sandboxes))
	for _, sb := range sandboxes {
		st := SandboxStatus{Name: sb.Name, Remote: sb.Remote, Agent: sb.Agent, Path: sb.Path, Base: s.defaultBase(), State: "missing"}
		st.Accepted = s.Accepted(sb.Name)
		var err error
		if st.Branches, err = s.branches(ctx, "refs/remotes/"+sb.Remote+"/", st.Base); err != nil {
			<-lc
			return nil, err
		}
		out = append(out, st)
	}
	l := <-lc
	if l.err != nil {
		return nil, sbxError(l.err)
	}
	states := map[string]sbx.Sandbox{}
	for _, sb := range l.list {
		states[sb.Name] = sb
	}
	for i, sb := range sandboxes {
		st := &out[i]
		if live, ok := states[sb.Name]; ok {
			st.State = live.Status
			if len(live.Workspaces) > 0 {
				st.Workspace = live.Workspaces[0]
			}
		}
		if req.Unfetched && st.State != "missing" {
			st.Checked = true
			var err error
			if st.Unfetched, err = s.unsaved(ctx, sb); err != nil {
				return nil, sbxError(err)
			}
		}
	}
	if req.All {
		removed, err := s.removed()
		if err != nil {
			return nil, err
		}
		out = append(out, removed...)
	}
	return out, nil
}

// defaultBase is the host side when none is given: airlock.base, else the
// checked-out branch, else HEAD.
func (s *Service) defaultBase() string {
	if b := s.Settings.Base(); b != "" {
		return b
	}
	if cur := s.currentBranch(); cur != "" {
		return cur
	}
	return "HEAD"
}

// branches lists fetched refs under prefix with ahead/behind for the
// sandbox's HEAD (one git call); other branches show their commit only.
func (s *Service) branches(ctx context.Context, prefix, base string) ([]BranchStatus, error) {
	refs, err := s.Repo.Refs(prefix)
	if err != nil {
		return nil, err
	}
	out := []BranchStatus{}
	for name, hash := range refs {
		b := BranchStatus{Name: strings.TrimPrefix(name, prefix), Commit: hash}
		if b.Name == "HEAD" && base != "" {
			if a, bh, err := s.Repo.AheadBehind(ctx, hash, base); err == nil {
				b.Ahead, b.Behind = &a, &bh
			}
		}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// removed lists sandboxes that were removed, from their kept refs.
func (s *Service) removed() ([]SandboxStatus, error) {
	refs, err := s.Repo.Refs(RemovedPrefix)
	if err != nil {
		return nil, err
	}
	byName := map[string]*SandboxStatus{}
	var names []string
	for ref, hash := range refs {
		rest := strings.TrimPrefix(ref, RemovedPrefix)
		name, branch, ok := strings.Cut(rest, "/")
		if !ok {
			continue
		}
		st := byName[name]
		if st == nil {
			st = &SandboxStatus{Name: name, State: "removed"}
			byName[name] = st
			names = append(names, name)
		}
		st.Branches = append(st.Branches, BranchStatus{Name: branch, Commit: hash})
	}
	sort.Strings(names)
	out := make([]SandboxStatus, 0, len(names))
	for _, n := range names {
		st := byName[n]
		sort.Slice(st.Branches, func(i, j int) bool { return st.Branches[i].Name < st.Branches[j].Name })
		out = append(out, *st)
	}
	return out, nil
}

// MachineSandbox is a row of `ls --all-repos`: every sandbox sbx knows.
type MachineSandbox struct {
	Name      string `json:"name"`
	Agent     string `json:"agent"`
	State     string `json:"state"`
	Workspace string `json:"workspace"`
}

// ListMachine lists every sandbox on the machine, whatever its repository.
func (s *Service) ListMachine(ctx context.Context) ([]MachineSandbox, error) {
	list, err := s.Sbx.List(ctx)
	if err != nil {
		return nil, sbxError(err)
	}
	out := []MachineSandbox{}
	for _, sb := range list {
		m := MachineSandbox{Name: sb.Name, Agent: sb.Agent, State: sb.Status}
		if len(sb.Workspaces) > 0 {
			m.Workspace = sb.Workspaces[0]
		}
		out = append(out, m)
	}
	return out, nil
}

// PrintStatus renders statuses as text on stdout.
func (s *Service) PrintStatus(list []SandboxStatus, detailed bool) {
	if len(list) == 0 {
		s.UI.Infof("no sandboxes in this repository")
		s.UI.Hint("start one with 'git airlock up'")
		return
	}
	if !detailed {
		w := tabwriter.NewWriter(s.UI.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SANDBOX\tSTATE\tAGENT\tBRANCHES\tAHEAD/BEHIND")
		for _, st := range list {
			ab := "-"
			for _, b := range st.Branches {
				if b.Ahead != nil {
					ab = fmt.Sprintf("+%d/-%d", *b.Ahead, *b.Behind)
				}
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\n", st.Name, st.State, orDash(st.Agent), len(st.Branches), ab)
		}
		w.Flush()
		for _, st := range list {
			if st.State == "removed" {
				s.UI.Hint("branches of removed sandboxes: git branch <name> %s<sandbox>/<branch>", RemovedPrefix)
				break
			}
		}
		return
	}
	for i, st := range list {
		if i > 0 {
			fmt.Fprintln(s.UI.Out)
		}
		fmt.Fprintf(s.UI.Out, "sandbox   %s (%s)\n", st.Name, st.State)
		if st.Remote != "" {
			fmt.Fprintf(s.UI.Out, "remote    %s\n", st.Remote)
		}
		if st.Agent != "" {
			fmt.Fprintf(s.UI.Out, "agent     %s\n", st.Agent)
		}
		if st.Base != "" {
			fmt.Fprintf(s.UI.Out, "base      %s\n", st.Base)
		}
		if len(st.Branches) == 0 {
			fmt.Fprintln(s.UI.Out, "branches  none fetched yet (git airlock fetch)")
		}
		for j, b := range st.Branches {
			label := "branches "
			if j > 0 {
				label = "         "
			}
			extra := ""
			if b.Ahead != nil {
				extra = fmt.Sprintf("  %d ahead, %d behind %s", *b.Ahead, *b.Behind, st.Base)
			}
			fmt.Fprintf(s.UI.Out, "%s %s %s%s\n", label, b.Commit[:12], b.Name, extra)
		}
		for _, a := range st.Accepted {
			f := strings.SplitN(a, " ", 4)
			if len(f) == 4 {
				fmt.Fprintf(s.UI.Out, "accepted  %s high-risk (%s) in %.12s on %s\n", f[2], f[3], f[0], f[1])
			}
		}
		if st.State == "missing" {
			s.UI.Hint("sandbox %q is gone from sbx; 'git airlock rm --name %s' keeps what was fetched and drops the remote", st.Name, st.Name)
		}
		if st.Checked {
			if len(st.Unfetched) == 0 {
				fmt.Fprintln(s.UI.Out, "unfetched nothing: every commit in the sandbox is fetched")
			}
			for _, u := range st.Unfetched {
				fmt.Fprintf(s.UI.Out, "unfetched %s\n", u)
			}
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
