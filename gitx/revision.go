package gitx

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// ErrUnknownRevision means git names no commit by the revision.
var ErrUnknownRevision = errors.New("unknown revision or not a commit")

// ResolveCommit resolves a revision to the commit it names, as
// `git rev-parse --verify <rev>^{commit}` does: an annotated tag gives its
// commit. What is cheap and exact is read in process, with no git
// process: a full object id, or a ref name (HEAD, refs/…, or a short name
// looked up in git's order: refs/<rev>, refs/tags/, refs/heads/,
// refs/remotes/, refs/remotes/<rev>/HEAD — so a tag wins over a branch of
// the same name), each followed by any ^N and ~N. Anything else (@{-1},
// @{upstream}, :/text, abbreviated ids, FETCH_HEAD and the other
// pseudo-refs), and whatever the in-process read does not find, is left
// to git, so the answer is git's either way.
func (r *Repo) ResolveCommit(rev string) (string, error) {
	s, err := r.open()
	if err != nil {
		return "", err
	}
	if c, ok := resolveInProcess(s, rev, r.history); ok {
		return c.Hash.String(), nil
	}
	// rev-parse would read a leading dash as an option (--end-of-options
	// came to rev-parse in git 2.30), as any git command given such a
	// revision would: none names a commit here either.
	if rev == "" || strings.HasPrefix(rev, "-") || strings.ContainsAny(rev, "\x00\n") {
		return "", fmt.Errorf("resolve %q: %w", rev, ErrUnknownRevision)
	}
	// git's own answer, in two steps: `<rev>^{commit}` would not do for
	// every rev (the suffix would become part of ":/text" or "rev:path").
	// No caller has a context here; rev-parse does not wait on anything.
	ctx := context.Background()
	hash, err := r.revParse(ctx, rev)
	if err != nil {
		return "", fmt.Errorf("resolve %q: %w", rev, err)
	}
	if c, err := peelCommit(s, plumbing.NewHash(hash)); err == nil {
		return c.Hash.String(), nil
	}
	// An object git has but the store does not show (GIT_OBJECT_DIRECTORY,
	// a quarantine) or that is not a commit: git decides.
	if hash, err = r.revParse(ctx, hash+"^{commit}"); err != nil {
		return "", fmt.Errorf("resolve %q: %w", rev, err)
	}
	return hash, nil
}

// revParse is `git rev-parse --verify --quiet <rev>`: one object id, or
// ErrUnknownRevision.
func (r *Repo) revParse(ctx context.Context, rev string) (string, error) {
	out, err := r.output(ctx, "rev-parse", "--verify", "--quiet", rev)
	var ee *xec.ExitError
	if errors.As(err, &ee) && ee.Code == 1 {
		return "", ErrUnknownRevision
	}
	if err != nil {
		return "", err
	}
	hash := strings.TrimSpace(out)
	if _, err := hex.DecodeString(hash); err != nil || (len(hash) != 40 && len(hash) != 64) {
		return "", fmt.Errorf("unexpected rev-parse output %q", out)
	}
	return hash, nil
}

// resolveInProcess answers for a rev made of a full object id or a ref
// name and ^N/~N suffixes, when every step reads: ok is false for
// anything else, and for what is not found, so that git has the last word.
//
// Steps are taken only where history reads as git reads it (walk).
func resolveInProcess(s refObjectStorer, rev string, walk bool) (*object.Commit, bool) {
	base, steps, ok := splitSuffixes(rev)
	if !ok || len(steps) > 0 && !walk {
		return nil, false
	}
	var start plumbing.Hash
	switch {
	case len(base) == 2*len(plumbing.ZeroHash) && isHex(base):
		// git takes a full object id as one, even when a ref has that
		// name, and without looking for it first.
		start = plumbing.NewHash(base)
	default:
		ref, ok := dwimRef(s, base)
		if !ok {
			return nil, false
		}
		start = ref.Hash()
	}
	c, err := peelCommit(s, start)
	if err != nil {
		return nil, false
	}
	for _, st := range steps {
		if c, err = st.apply(s, c); err != nil {
			return nil, false
		}
	}
	return c, true
}

type refObjectStorer interface {
	storer.EncodedObjectStorer
	storer.ReferenceStorer
}

// dwimRef looks a name up as `git help revisions` says git does: the name
// itself, then refs/<name>, refs/tags/<name>, refs/heads/<name>,
// refs/remotes/<name>, refs/remotes/<name>/HEAD, first found wins. The
// name itself is asked only for HEAD and refs/…; a top-level name git
// could read as a pseudo-ref (FETCH_HEAD, ORIG_HEAD, …: upper case), or
// one of another worktree (main-worktree/…, worktrees/…), is left to git.
func dwimRef(s storer.ReferenceStorer, name string) (*plumbing.Reference, bool) {
	if !plainRefName(name) {
		return nil, false
	}
	first, _, _ := strings.Cut(name, "/")
	if name != "HEAD" && (first == "main-worktree" || first == "worktrees" ||
		!strings.Contains(name, "/") && strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-") == "") {
		return nil, false
	}
	rules := []string{"refs/%s", "refs/tags/%s", "refs/heads/%s", "refs/remotes/%s", "refs/remotes/%s/HEAD"}
	if name == "HEAD" || first == "refs" {
		rules = append([]string{"%s"}, rules...)
	}
	for _, rule := range rules {
		ref, err := followRef(s, plumbing.ReferenceName(fmt.Sprintf(rule, name)))
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			continue // git too goes on past a missing or dangling ref
		}
		if err != nil {
			return nil, false
		}
		return ref, true
	}
	return nil, false
}

// symrefReads is git's SYMREF_MAXDEPTH: how many refs it reads, at most,
// to resolve one.
const symrefReads = 5

// errSymrefDepth means a chain of symbolic refs longer than git follows.
var errSymrefDepth = errors.New("symbolic refs nested too deep")

// followRef reads a ref as git does: at most five reads, so through at
// most four symbolic refs (go-git's ResolveReference follows a thousand).
func followRef(s storer.ReferenceStorer, name plumbing.ReferenceName) (*plumbing.Reference, error) {
	for range symrefReads {
		ref, err := s.Reference(name)
		if err != nil {
			return nil, err
		}
		if ref.Type() == plumbing.HashReference {
			return ref, nil
		}
		name = ref.Target()
	}
	return nil, errSymrefDepth
}

// plainRefName reports whether name is a ref name git would read as
// nothing else: no revision syntax (@ ^ ~ : { } and the glob characters),
// no ".." (a range), no component starting with '.' or ending in ".lock",
// ASCII without spaces or control characters. Anything else goes to git.
func plainRefName(name string) bool {
	if name == "" || strings.HasPrefix(name, "-") || strings.Contains(name, "..") ||
		strings.HasSuffix(name, ".") {
		return false
	}
	for _, b := range []byte(name) {
		if b <= ' ' || b >= 0x7f || strings.IndexByte("@^~:{}?*[\\", b) >= 0 {
			return false
		}
	}
	for _, comp := range strings.Split(name, "/") {
		if comp == "" || strings.HasPrefix(comp, ".") || strings.HasSuffix(comp, ".lock") {
			return false
		}
	}
	return true
}

// step is one ^N (nth parent; ^0 the commit itself) or ~N (N first
// parents back).
type step struct {
	caret bool
	n     int
}

func (st step) apply(s storer.EncodedObjectStorer, c *object.Commit) (*object.Commit, error) {
	if st.caret {
		if st.n == 0 {
			return c, nil
		}
		if st.n > c.NumParents() {
			return nil, ErrUnknownRevision
		}
		return object.GetCommit(s, c.ParentHashes[st.n-1])
	}
	for range st.n {
		if c.NumParents() == 0 {
			return nil, ErrUnknownRevision
		}
		var err error
		if c, err = object.GetCommit(s, c.ParentHashes[0]); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// splitSuffixes splits "name^2~3" into the name and its steps, read from
// the end as git reads them: digits, then ^ or ~; no digits means 1.
func splitSuffixes(rev string) (string, []step, bool) {
	var steps []step
	for {
		i := strings.LastIndexAny(rev, "^~")
		if i <= 0 {
			return rev, steps, rev != ""
		}
		digits := rev[i+1:]
		if strings.Trim(digits, "0123456789") != "" {
			return rev, steps, true // no suffix here: the name check decides
		}
		n := 1
		if digits != "" {
			var err error
			if n, err = strconv.Atoi(digits); err != nil || len(digits) > 6 {
				return "", nil, false
			}
		}
		steps = append([]step{{caret: rev[i] == '^', n: n}}, steps...)
		rev = rev[:i]
	}
}

// peelCommit reads the commit an object names, through any annotated
// tags, as ^{commit} does.
func peelCommit(s storer.EncodedObjectStorer, h plumbing.Hash) (*object.Commit, error) {
	for range 16 {
		o, err := object.GetObject(s, h)
		if err != nil {
			return nil, err
		}
		switch o := o.(type) {
		case *object.Commit:
			return o, nil
		case *object.Tag:
			h = o.Target
		default:
			return nil, ErrUnknownRevision
		}
	}
	return nil, ErrUnknownRevision
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}
