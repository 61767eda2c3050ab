package gitx

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// RefsContaining lists the refs under any of prefixes whose history holds
// commit, sorted: one `git for-each-ref --contains`, which walks only the
// refs of the prefixes' directories (a prefix that does not end in a slash,
// such as refs/remotes/airlock-, is matched in Go).
func (r *Repo) RefsContaining(ctx context.Context, commit string, prefixes ...string) ([]string, error) {
	if len(prefixes) == 0 {
		return nil, nil
	}
	args := []string{"for-each-ref", "--format=%(refname)", "--contains", commit}
	var dirs []string
	for _, p := range prefixes {
		d := p[:strings.LastIndex(p, "/")+1]
		if d != "" && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	out, err := r.output(ctx, append(args, dirs...)...)
	if err != nil {
		return nil, fmt.Errorf("for-each-ref --contains %s: %w", commit, err)
	}
	var refs []string
	for _, name := range strings.Fields(out) {
		if slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			refs = append(refs, name)
		}
	}
	slices.Sort(refs)
	return refs, nil
}

// PriorValue is ref's value before its last update, read from its reflog
// (ref@{1}); "" when the reflog holds no earlier value.
func (r *Repo) PriorValue(ctx context.Context, ref string) string {
	out, err := r.output(ctx, "rev-parse", "--verify", "-q", ref+"@{1}")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}
