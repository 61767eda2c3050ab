package lifecycle

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/gate"
	"github.com/git-airlock/git-airlock/internal/quote"
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
	// Copy marks the sandbox's copy of a host branch that brings nothing
	// new: the host has a branch of that name (less host/) and this one
	// is at its commit, or holds no commit the base lacks. Not agent work.
	Copy bool `json:"copy,omitempty"`
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
	// Ports are the ports published on the host (git airlock open),
	// besides the git daemon of sbx's own remote.
	Ports []sbx.Port `json:"ports,omitempty"`
	// Session is the last agent session run or up started for the
	// sandbox, from this machine's record (status of one sandbox only).
	Session *SessionStatus `json:"session,omitempty"`
}

// SessionStatus is an agent session as its record tells it: running,
// ended with a status, or lost (its process gone without an end). A
// session in tmux on a server reads as running until `wait` has asked
// the server.
type SessionStatus struct {
	Mode    string     `json:"mode"` // run or up
	Agent   string     `json:"agent"`
	State   string     `json:"state"` // running, ended, lost
	Started time.Time  `json:"started"`
	Ended   *time.Time `json:"ended,omitempty"`
	Exit    *int       `json:"exit,omitempty"`
	Host    string     `json:"host,omitempty"`
}

// session reads the sandbox's last session record; nil when there is
// none or it cannot be read (status is not the place to fail on it).
func (s *Reporter) session(name string) *SessionStatus {
	if s.Sessions == nil {
		return nil
	}
	r, ok, err := s.Sessions.Read(name)
	if err != nil || !ok {
		return nil
	}
	st := &SessionStatus{Mode: r.Mode, Agent: r.Agent, State: r.State(), Started: r.Started.UTC(), Exit: r.Exit, Host: r.Host}
	if r.Ended != nil {
		ended := r.Ended.UTC()
		st.Ended = &ended
	}
	return st
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
func (s *Reporter) Status(ctx context.Context, req StatusRequest) ([]SandboxStatus, error) {
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
	// Every branch of every sandbox, the host's branches (to tell copies
	// and which one is checked out) and the removals' kept refs: one
	// read, ahead/behind included. Without airlock.base the count is
	// against HEAD, which is the checked-out branch, named from the read.
	counted := make([]string, 0, len(sandboxes))
	for _, sb := range sandboxes {
		counted = append(counted, sandboxref.TrackingPrefix(sb.Remote))
	}
	plain := statusPlain(req.All)
	base := s.Settings.Base()
	refs, err := s.Repo.CountRefs(ctx, cmp.Or(base, "HEAD"), counted, plain)
	if err != nil {
		<-lc
		return nil, err
	}
	if base == "" {
		base = DefaultBase("", currentBranch(refs))
	}
	// Acceptances are read from the review notes (and the config record
	// of older versions), once for every sandbox; the notes are read only
	// when the same ref read saw their ref, and when they cannot be read
	// none are shown.
	var notes map[string]string
	if _, ok := refs[sandboxref.NotesRef]; ok {
		notes, _ = s.Repo.Notes(sandboxref.NotesRef)
	}
	out := s.statusRows(sandboxes, refs, counted, gate.Accepted(notes, s.Entries), base, !req.All)
	l := <-lc
	if l.err != nil {
		return nil, workflow.SbxError(l.err)
	}
	// After the survey, which may start a sandbox; without one, this
	// command started nothing, so what it read at start decides.
	for _, name := range applyStates(out, sandboxes, l.states, l.unreachable, req.Unfetched) {
		if req.Unfetched || !workflow.SbxRemoteGuarded(s.Entries, name) {
			defer s.guardSbxRemote(ctx, name)
		}
	}
	if req.Unfetched {
		if err := s.surveyByHost(ctx, sandboxes, out); err != nil {
			return nil, workflow.SbxError(err)
		}
	}
	if req.All {
		removed, err := s.removals(commits(refs, sandboxref.RemovedPrefix))
		if err != nil {
			return nil, err
		}
		out = append(out, removed...)
	}
	return out, nil
}

// statusRows are the rows of Status from the one ref read: branches,
// accepted risks and (for one sandbox) its agent session; State is
// StateMissing until sbx's list says otherwise.
func (s *Reporter) statusRows(sandboxes []workflow.Sandbox, refs map[string]gitx.CountedRef, counted []string, accepted map[string][]sandboxref.Acceptance, base string, session bool) []SandboxStatus {
	out := make([]SandboxStatus, 0, len(sandboxes))
	for i, sb := range sandboxes {
		st := SandboxStatus{Name: sb.Name, Remote: sb.Remote, Agent: sb.Agent, Path: sb.Path, Base: base, State: StateMissing, Host: sb.Host}
		for _, a := range accepted[sb.Name] {
			st.Accepted = append(st.Accepted, AcceptedRisk{Commit: a.Commit, Time: a.Time.UTC(), Count: a.Count, Rules: a.Rules})
		}
		st.Branches = branches(refs, counted[i])
		if session {
			st.Session = s.session(sb.Name)
		}
		out = append(out, st)
	}
	return out
}

// applyStates fills in what sbx's list says of each sandbox (its state,
// workspace and published ports; unreachable for a server that did not
// answer) and returns the names of this machine's listed sandboxes, whose
// sbx remote may need its guard.
func applyStates(out []SandboxStatus, sandboxes []workflow.Sandbox, states map[string]sbx.Sandbox, unreachable map[string]error, unfetched bool) []string {
	var listed []string
	for i, sb := range sandboxes {
		st := &out[i]
		if _, ok := unreachable[sb.Host]; ok {
			st.State = StateUnreachable
			continue
		}
		if live, ok := states[hostKey(sb.Host, sb.Name)]; ok {
			st.State = live.Status
			if len(live.Workspaces) > 0 {
				st.Workspace = live.Workspaces[0]
			}
			for _, p := range live.Ports {
				if p.SandboxPort != sbx.GitDaemonPort {
					st.Ports = append(st.Ports, p)
				}
			}
		}
		if st.State != StateMissing && sb.Host == "" { // sbx adds its remote here only for this machine's sandboxes
			listed = append(listed, sb.Name)
		}
		if unfetched && st.State != StateMissing {
			st.Checked = true
		}
	}
	return listed
}

// statusPlain are the refs Status reads besides the sandboxes' branches:
// the host's branches, the review notes and, for every sandbox, the
// removals' kept refs.
func statusPlain(all bool) []string {
	plain := []string{"refs/heads/", sandboxref.NotesRef}
	if all {
		plain = append(plain, sandboxref.RemovedPrefix)
	}
	return plain
}

// surveyByHost asks each checked sandbox what the host lacks through the
// sbx of the machine it lives on: one machine after another would add
// their round trips, so the machines are asked side by side (a machine's
// own sandboxes one after another). The first error, in sandbox order, is
// the answer.
func (s *Reporter) surveyByHost(ctx context.Context, sandboxes []workflow.Sandbox, out []SandboxStatus) error {
	byHost := map[string][]int{}
	for i := range out {
		if out[i].Checked {
			byHost[sandboxes[i].Host] = append(byHost[sandboxes[i].Host], i)
		}
	}
	errs := make([]error, len(out))
	var wg sync.WaitGroup
	for host, idx := range byHost {
		on := s.on(host)
		wg.Go(func() {
			for _, i := range idx {
				out[i].Unfetched, errs[i] = on.unfetched(ctx, sandboxes[i])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// unfetched is status --unfetched's lines for one sandbox.
func (s *Surveyor) unfetched(ctx context.Context, sb workflow.Sandbox) ([]string, error) {
	work, err := s.unsaved(ctx, sb, true)
	if err != nil {
		return nil, err
	}
	// Which refs on no branch a fetch would not bring (a branch's own
	// commits always come): one more exec, only when there are such
	// refs. A dry run's survey kept only those already.
	lost := slices.DeleteFunc(slices.Clone(work.missing), func(r gitx.VMRef) bool { return strings.HasPrefix(r.Name, "refs/heads/") })
	if len(lost) > 0 && !s.Sbx.DryRun() {
		if lost, err = s.unfetchedInClone(ctx, sb, lost); err != nil {
			return nil, err
		}
	}
	lines := append(work.problems, unfetchedRefs(work.missing, lost, work.leftOut)...)
	for _, n := range work.notes {
		lines = append(lines, "not kept by rm: "+n)
	}
	return lines, nil
}

// unfetchedRefs says, one line per ref, what of the sandbox's refs the
// host lacks and what to do about it: a branch's new commits come with a
// fetch, and so do a detached HEAD's (into refs/airlock/head/<remote>); a
// ref neither reaches (lost), which no fetch brings, would be lost by rm.
// Refs a fetch brings otherwise (a HEAD on a branch, a tag) need no line
// of their own. A branch named like git's own refs (leftOut) is never
// fetched: the line says why, with the helper's words, and that renaming
// it in the sandbox brings it.
func unfetchedRefs(missing, lost []gitx.VMRef, leftOut map[string]string) []string {
	isLost := map[gitx.VMRef]bool{}
	for _, ref := range lost {
		isLost[ref] = true
	}
	tips := map[string]bool{} // commits of branches with new commits
	for _, ref := range missing {
		if strings.HasPrefix(ref.Name, "refs/heads/") {
			tips[ref.Commit] = true
		}
	}
	var out []string
	for _, ref := range missing {
		at := ref.Commit[:12]
		switch branch, ok := strings.CutPrefix(ref.Name, "refs/heads/"); {
		case ok && leftOut[ref.Name] != "":
			out = append(out, fmt.Sprintf("%s (%s): left out of fetches: %s; renaming it in the sandbox brings it", quote.Path(branch), at, leftOut[ref.Name]))
		case ok:
			out = append(out, fmt.Sprintf("%s (%s): new commits, not fetched yet", branch, at))
		case ref.Name == "HEAD" && !isLost[ref] && !tips[ref.Commit]:
			out = append(out, fmt.Sprintf("HEAD (%s): detached, new commits, not fetched yet", at))
		case !isLost[ref]:
		case ref.Name == "HEAD" || strings.HasSuffix(ref.Name, ": HEAD"):
			out = append(out, fmt.Sprintf("%s (%s): detached, on no branch; rm would lose it", ref.Name, at))
		default:
			out = append(out, fmt.Sprintf("%s (%s): on no branch; rm would lose it", ref.Name, at))
		}
	}
	return out
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

// branches lists the fetched refs under prefix with their counts, and
// marks the sandbox's copies of host branches.
func branches(refs map[string]gitx.CountedRef, prefix string) []BranchStatus {
	out := []BranchStatus{}
	for name, ref := range refs {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		b := BranchStatus{Name: strings.TrimPrefix(name, prefix), Commit: ref.Commit}
		if ref.Counts != nil {
			b.Ahead, b.Behind = &ref.Counts.Ahead, &ref.Counts.Behind
		}
		if host, ok := refs["refs/heads/"+strings.TrimPrefix(b.Name, "host/")]; ok && b.Name != "HEAD" {
			b.Copy = host.Commit == b.Commit || (b.Ahead != nil && *b.Ahead == 0)
		}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// currentBranch is the short name of the branch HEAD points at, "" when
// detached.
func currentBranch(refs map[string]gitx.CountedRef) string {
	for name, ref := range refs {
		if ref.Current {
			return strings.TrimPrefix(name, "refs/heads/")
		}
	}
	return ""
}

// commits is the name-to-commit map of the refs under prefix.
func commits(refs map[string]gitx.CountedRef, prefix string) map[string]string {
	out := map[string]string{}
	for name, ref := range refs {
		if strings.HasPrefix(name, prefix) {
			out[name] = ref.Commit
		}
	}
	return out
}

// Removals lists removed sandboxes from their kept refs, one row per
// removal (a name removed twice is two rows), with when and which sandbox
// from the record rm wrote.
func (s *Restorer) Removals() ([]SandboxStatus, error) {
	refs, err := s.Repo.Refs(sandboxref.RemovedPrefix)
	if err != nil {
		return nil, err
	}
	return s.removals(refs)
}

// removals groups the kept refs (name to commit) by removal, with each
// removal's record.
func (s *Common) removals(refs map[string]string) ([]SandboxStatus, error) {
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
	if len(removals) > 0 {
		records, err := s.removalRecords()
		if err != nil {
			return nil, err
		}
		for _, rec := range records {
			if st := byRemoval[rec.Removal]; st != nil {
				at := rec.Time
				st.RemovedAt, st.Agent, st.Base = &at, rec.Agent, rec.Base
			}
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

// removalRecords are rm's records of its removals: what an older
// git-airlock kept in git config (sandboxref.RemovalRecordKey), then the
// store's, which win.
func (s *Common) removalRecords() ([]sandboxref.RemovalRecord, error) {
	var out []sandboxref.RemovalRecord
	for _, e := range s.Entries {
		if rec, ok := sandboxref.ParseRemovalRecord(e.Key, e.Value); ok {
			out = append(out, rec)
		}
	}
	if s.Store == nil {
		return out, nil
	}
	stored, err := s.Store.Removals()
	return append(out, stored...), err
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
// and on every other machine this repository's sandboxes live on, asking
// them all side by side (each is a round trip, over ssh for a server). This
// machine's failure is the command's; another machine that cannot be
// asked is one unreachable row, in host order.
func (s *Reporter) ListMachine(ctx context.Context) ([]MachineSandbox, error) {
	hosts := append([]string{s.currentHost()}, s.otherHosts()...)
	lists := make([][]sbx.Sandbox, len(hosts))
	errs := make([]error, len(hosts))
	var wg sync.WaitGroup
	for i, host := range hosts {
		client := s.Sbx
		if i > 0 {
			client = s.SbxOn(host)
		}
		wg.Go(func() { lists[i], errs[i] = client.List(ctx) })
	}
	wg.Wait()
	if errs[0] != nil {
		return nil, workflow.SbxError(errs[0])
	}
	out := []MachineSandbox{}
	for i, host := range hosts {
		if errs[i] != nil {
			out = append(out, MachineSandbox{Name: "-", State: StateUnreachable, Host: host, Workspace: "-"})
		}
		for _, sb := range lists[i] {
			out = append(out, machineRow(sb, host))
		}
	}
	return out, nil
}

// machineRow is sbx's row of a sandbox on host as ls --all-repos shows it.
func machineRow(sb sbx.Sandbox, host string) MachineSandbox {
	m := MachineSandbox{Name: sb.Name, Agent: sb.Agent, State: sb.Status, Host: host}
	if len(sb.Workspaces) > 0 {
		m.Workspace = sb.Workspaces[0]
	}
	return m
}
