package gitx

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// ErrUnknownRevision means git names no commit by the revision.
var ErrUnknownRevision = errors.New("unknown revision or not a commit")

// ResolveCommit resolves a revision to the commit it names, as
// `git rev-parse --verify <rev>^{commit}` does: an annotated tag gives its
// commit. git answers (anything `git help revisions` names), through the
// Repo's one `cat-file --batch-check` process, however many revisions a
// command resolves.
//
// The name is asked first and only what is not a commit is peeled: a
// "^{commit}" suffix would become part of ":/text" or "rev:path".
func (r *Repo) ResolveCommit(rev string) (string, error) {
	o, err := r.objectInfo(rev)
	if err == nil && o.kind != "commit" {
		o, err = r.objectInfo(o.hash + "^{commit}")
	}
	switch {
	case errors.Is(err, errMissing):
		return "", fmt.Errorf("resolve %q: %w", rev, ErrUnknownRevision)
	case err != nil:
		return "", fmt.Errorf("resolve %q: %w", rev, err)
	}
	return o.hash, nil
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

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}
