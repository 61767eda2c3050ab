package workflow

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/hooks"
	"github.com/git-airlock/git-airlock/internal/inspect"
	"github.com/git-airlock/git-airlock/internal/ui"
)

// Report is the result of `inspect`; its JSON field names are documented.
type Report struct {
	Sandbox      string            `json:"sandbox,omitempty"`
	Ref          string            `json:"ref"`
	Commit       string            `json:"commit"`
	Base         string            `json:"base"`
	MergeBase    string            `json:"merge_base"`
	ChangedFiles int               `json:"changed_files"`
	Counts       map[string]int    `json:"counts"`
	Findings     []inspect.Finding `json:"findings"`
}

// InspectExitCode is inspect's exit status when findings reach the threshold.
const InspectExitCode = 3

// inspectRange inspects what merging theirs into base would bring.
func (s *Service) inspectRange(ctx context.Context, base, theirs string) (Report, error) {
	r := Report{Ref: strings.TrimPrefix(theirs, "refs/remotes/"), Base: base, Findings: []inspect.Finding{}}
	var err error
	if r.Commit, err = s.Repo.ResolveCommit(theirs); err != nil {
		return r, err
	}
	baseCommit, err := s.Repo.ResolveCommit(base)
	if err != nil {
		return r, err
	}
	r.MergeBase, err = s.Repo.MergeBase(ctx, baseCommit, r.Commit)
	if err != nil {
		return r, err
	}
	from := r.MergeBase
	if from == "" {
		from = emptyTree
	}
	changes, err := s.Repo.DiffTree(ctx, from, r.Commit)
	if err != nil {
		return r, err
	}
	r.ChangedFiles = len(changes)
	findings, err := inspect.Inspect(changes, s.Repo, inspect.Options{Protect: s.Settings.Protect()})
	if err != nil {
		return r, err
	}
	if findings != nil {
		r.Findings = findings
	}
	r.Counts = inspect.Count(r.Findings)
	return r, nil
}

// emptyTree is git's well-known empty tree, for unrelated histories.
const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// Inspect reports what a merge of the sandbox branch would bring.
func (s *Service) Inspect(ctx context.Context, req CompareRequest) (Report, error) {
	if err := s.requireRepo(); err != nil {
		return Report{}, err
	}
	// A ref that resolves as given (airlock-x/main, a commit) is inspected
	// as is; anything else names a branch of the sandbox.
	if req.Branch != "" && !s.Sbx.DryRun() {
		if _, err := s.Repo.ResolveCommit(req.Branch); err == nil && strings.Contains(req.Branch, "/") {
			return s.inspectRange(ctx, cmp.Or(req.Base, s.defaultBase()), req.Branch)
		}
	}
	base, theirs, sb, err := s.sides(ctx, req)
	if err != nil {
		return Report{}, err
	}
	r, err := s.inspectRange(ctx, base, theirs)
	r.Sandbox = sb.Name
	return r, err
}

// onlyHigh narrows a report to its high-severity findings.
func onlyHigh(r Report) Report {
	r.Findings = inspect.AtLeast(r.Findings, inspect.High)
	r.Counts = inspect.Count(r.Findings)
	return r
}

// PrintReport renders a report as text.
func PrintReport(w io.Writer, r Report) {
	for _, f := range r.Findings {
		name := f.Path
		if f.OldPath != "" {
			name = f.OldPath + " -> " + f.Path
		}
		fmt.Fprintf(w, "%-6s %-22s %s\n       %s\n", f.Level, f.Rule, quotePath(name), f.Why)
	}
	c := r.Counts
	total := c["high"] + c["medium"] + c["low"]
	fmt.Fprintf(w, "%s (%d high, %d medium, %d low) in %s: %s vs %s\n",
		plural(total, "finding", "findings"), c["high"], c["medium"], c["low"],
		plural(r.ChangedFiles, "changed file", "changed files"), r.Ref, r.Base)
}

// quotePath shows control and format characters instead of letting them
// act on the terminal.
func quotePath(p string) string {
	for _, r := range p {
		if r < 0x20 || r == 0x7f || (r >= 0x200b && r <= 0x206f) || r == 0xfeff {
			return fmt.Sprintf("%+q", p)
		}
	}
	return p
}

// gate stops merge, apply and pr on high-severity findings unless the user
// accepts them (flag, or a confirmation on a terminal); an acceptance is
// recorded in local git config for status to show.
func (s *Service) gate(ctx context.Context, sb Sandbox, base, theirs string, accept bool) error {
	if s.Sbx.DryRun() {
		return nil
	}
	r, err := s.inspectRange(ctx, base, theirs)
	if err != nil {
		return err
	}
	hr := onlyHigh(r)
	high := hr.Findings
	if len(high) == 0 {
		if len(r.Findings) > 0 {
			s.UI.Infof("inspection: %s below high severity; see 'git airlock inspect'", plural(len(r.Findings), "finding", "findings"))
		}
		return nil
	}
	if !accept {
		fmt.Fprintln(s.UI.Err, "git-airlock: this change can run code or widen access on your machine:")
		PrintReport(s.UI.Err, hr)
		if !s.UI.Interactive || !s.UI.Confirm("accept these risks and go on?") {
			return ui.Errorf([]string{"review them with 'git airlock inspect' and 'git airlock diff'",
				"to go on anyway, run the command again with --accept-risk"},
				"stopped: %s", plural(len(high), "high-severity finding", "high-severity findings"))
		}
	}
	rules := map[string]bool{}
	var list []string
	for _, f := range high {
		if !rules[f.Rule] {
			rules[f.Rule] = true
			list = append(list, f.Rule)
		}
	}
	record := fmt.Sprintf("%s %s %s %d %s", sb.Name, r.Commit, time.Now().UTC().Format(time.RFC3339), len(high), strings.Join(list, ","))
	if err := s.Repo.ConfigAdd(ctx, AcceptedKey, record); err != nil {
		return err
	}
	s.UI.Warnf("accepted %s (%s); recorded in %s", plural(len(high), "high-severity finding", "high-severity findings"), strings.Join(list, ", "), AcceptedKey)
	return nil
}

// AcceptedKey records accepted risks: "<sandbox> <commit> <time> <count> <rules>".
const AcceptedKey = "airlock.acceptedRisk"

// Accepted returns the recorded acceptances for a sandbox.
func (s *Service) Accepted(name string) []string {
	var out []string
	for _, e := range s.Entries {
		if e.Key == strings.ToLower(AcceptedKey) {
			if n, rest, ok := strings.Cut(e.Value, " "); ok && n == name {
				out = append(out, rest)
			}
		}
	}
	return out
}

// PreMergeCommit is the hook's logic: a merge of a commit that comes from
// an airlock remote (or a removed sandbox's kept refs) is inspected and
// stopped on high-severity findings; every other merge passes untouched.
//
// git writes MERGE_HEAD only for a merge that stopped (conflicts, then
// `git commit`); for an automatic merge the hook learns what is merged from
// GIT_REFLOG_ACTION ("merge <what>...").
func (s *Service) PreMergeCommit(ctx context.Context, reflogAction string) error {
	if s.Repo == nil {
		return nil
	}
	var heads []string
	if b, err := os.ReadFile(filepath.Join(s.Repo.GitDir, "MERGE_HEAD")); err == nil {
		heads = strings.Fields(string(b))
	} else if args, ok := strings.CutPrefix(reflogAction, "merge "); ok {
		for _, a := range strings.Fields(args) {
			if h, err := s.Repo.ResolveCommit(a); err == nil {
				heads = append(heads, h)
			}
		}
	}
	for _, head := range heads {
		ref, ok := s.airlockRefContaining(head)
		if !ok {
			continue
		}
		r, err := s.inspectRange(ctx, "HEAD", head)
		if err != nil {
			return err
		}
		r = onlyHigh(r)
		if len(r.Findings) == 0 {
			continue
		}
		r.Ref = ref
		fmt.Fprintf(s.UI.Err, "git-airlock: the merge of %s can run code or widen access on your machine:\n", ref)
		PrintReport(s.UI.Err, r)
		return ui.Errorf([]string{"review with 'git airlock inspect' and 'git airlock diff'; 'git merge --abort' undoes the merge",
			"to merge anyway: git merge --no-verify (or git commit --no-verify after resolving conflicts)"},
			"merge stopped by the git-airlock pre-merge-commit hook")
	}
	return nil
}

// airlockRefContaining finds a sandbox ref whose history holds commit.
func (s *Service) airlockRefContaining(commit string) (string, bool) {
	for _, prefix := range []string{"refs/remotes/" + RemotePrefix, RemovedPrefix} {
		refs, err := s.Repo.Refs(prefix)
		if err != nil {
			continue
		}
		for name, tip := range refs {
			if ok, _ := s.Repo.IsAncestor(commit, tip); ok {
				return strings.TrimPrefix(name, "refs/remotes/"), true
			}
		}
	}
	return "", false
}

// HookStatus is one line of `hooks status`.
type HookStatus struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	State string `json:"state"`
}

// Hooks installs, uninstalls or reports git-airlock's hooks.
func (s *Service) Hooks(ctx context.Context, action string, force bool) ([]HookStatus, error) {
	if err := s.requireRepo(); err != nil {
		return nil, err
	}
	dir, err := s.Repo.HooksDir(ctx)
	if err != nil {
		return nil, err
	}
	var out []HookStatus
	for _, name := range hooks.Names {
		p := filepath.Join(dir, name)
		var st hooks.State
		switch action {
		case "install":
			if s.Sbx.DryRun() {
				fmt.Fprintf(s.Sbx.Run.DryRun, "write %s\n", p)
				continue
			}
			st, err = hooks.Install(dir, name, force)
			if err != nil {
				return nil, ui.WithHint(err, "--force keeps it as "+name+".local, run before git-airlock's check")
			}
			switch st {
			case hooks.Current:
				s.UI.Infof("%s is already installed at %s", name, p)
			case hooks.Outdated:
				s.UI.Infof("upgraded %s at %s", name, p)
			case hooks.Foreign:
				s.UI.Infof("installed %s at %s; the existing hook now runs first as %s.local", name, p, name)
			default:
				s.UI.Infof("installed %s at %s", name, p)
			}
			s.UI.Hint("fast-forward merges run no merge hook; 'git airlock merge' checks by itself")
		case "uninstall":
			if s.Sbx.DryRun() {
				fmt.Fprintf(s.Sbx.Run.DryRun, "remove %s\n", p)
				continue
			}
			st, err = hooks.Uninstall(dir, name)
			if err != nil {
				return nil, ui.WithHint(err, "it is not git-airlock's, so it was left alone")
			}
			if st == hooks.Absent {
				s.UI.Infof("%s is not installed", name)
			} else {
				s.UI.Infof("removed %s from %s", name, dir)
			}
		}
		now, err := hooks.Status(dir, name)
		if err != nil {
			return nil, err
		}
		out = append(out, HookStatus{Name: name, Path: p, State: now.String()})
	}
	return out, nil
}
