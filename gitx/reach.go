package gitx

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// Reachability of many commits at once, each answer one git process, so
// that the cost grows with the commits walked, never with commits × tips
// (rm and status --unfetched ask it for every ref of a sandbox).

// Commits answers which of ids are commits this repository holds: one
// `git cat-file --batch-check`. Anything that is not an object id is left
// out of the question (and so of the answer).
func (r *Repo) Commits(ctx context.Context, ids []string) (map[string]bool, error) {
	var in strings.Builder
	for _, id := range ids {
		if isHash(id) {
			in.WriteString(id + "\n")
		}
	}
	out := map[string]bool{}
	if in.Len() == 0 {
		return out, nil
	}
	b, err := r.run.Output(ctx, xec.Cmd{Argv: r.git("cat-file", "--batch-check=%(objectname) %(objecttype)"), Stdin: strings.NewReader(in.String())})
	if err != nil {
		return nil, fmt.Errorf("look up %d objects: %w", len(ids), err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		id, typ, _ := strings.Cut(sc.Text(), " ")
		if typ == "commit" && isHash(id) {
			out[id] = true
		}
	}
	return out, nil
}

// Unreached answers which of commits (all held here; see Commits) no tip
// reaches: one `git rev-list --stdin`, which walks only what lies between
// them and the tips.
func (r *Repo) Unreached(ctx context.Context, commits, tips []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(commits) == 0 {
		return out, nil
	}
	var in strings.Builder
	for _, c := range commits {
		in.WriteString(c + "\n")
	}
	for _, t := range tips {
		in.WriteString("^" + t + "\n") // "--not" on stdin is newer than git 2.26
	}
	b, err := r.run.Output(ctx, xec.Cmd{Argv: r.git("rev-list", "--stdin"), Stdin: strings.NewReader(in.String())})
	if err != nil {
		return nil, fmt.Errorf("walk %d commits: %w", len(commits), err)
	}
	want := map[string]bool{}
	for _, c := range commits {
		want[c] = true
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		if c := sc.Text(); want[c] {
			out[c] = true
		}
	}
	return out, nil
}

// Independent is the least set of commits that reaches all of commits
// (held here): one `git merge-base --independent`.
func (r *Repo) Independent(ctx context.Context, commits []string) ([]string, error) {
	if len(commits) < 2 {
		return slices.Clone(commits), nil
	}
	out, err := r.output(ctx, append([]string{"merge-base", "--independent"}, commits...)...)
	if err != nil {
		return nil, fmt.Errorf("merge-base --independent of %d commits: %w", len(commits), err)
	}
	return strings.Fields(out), nil
}

// ReflogsCommits is every commit the reflogs of refs hold (a ref without
// a reflog adds none): one `git log -g --stdin` for them all. Every ref must
// exist.
func (r *Repo) ReflogsCommits(ctx context.Context, refs []string) ([]string, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	in := strings.Join(refs, "\n") + "\n"
	b, err := r.run.Output(ctx, xec.Cmd{Argv: r.git("log", "-g", "--format=%H", "--stdin", "--"), Stdin: strings.NewReader(in)})
	out := string(b)
	if err != nil {
		return nil, fmt.Errorf("read the reflogs of %d refs: %w", len(refs), err)
	}
	return strings.Fields(out), nil
}
