package sandboxref

import (
	"fmt"
	"strings"
	"unicode"
)

// Which sandbox branches a fetch leaves out, and why: the remote helper
// applies the rule to the ref advertisement, and status and rm apply it to
// what the sandbox holds, so that all three agree on what a fetch brings.

// pseudoRefs are git's own names at the top of a repository: a branch so
// named reads as one of them in `git log <remote>/<name>` and in tools.
var pseudoRefs = map[string]bool{"HEAD": true, "FETCH_HEAD": true, "ORIG_HEAD": true, "MERGE_HEAD": true,
	"CHERRY_PICK_HEAD": true, "REVERT_HEAD": true, "REBASE_HEAD": true, "BISECT_HEAD": true,
	"AUTO_MERGE": true, "MERGE_AUTOSTASH": true}

// NameCheck decides which sandbox branches a fetch leaves out. Remotes
// are the host's remote names; FoldCase is a host file system that does
// not tell case apart (core.ignoreCase); HostHas reports a commit the host
// already has (host/* branches carry what the host pushed). It is
// stateful: names are checked in the order the sandbox lists them.
type NameCheck struct {
	Remote   string
	Remotes  []string
	FoldCase bool
	HostHas  func(oid string) bool
	// Tracked are the branches already fetched (else the host's own), by
	// lower-case name: of names that differ only by case, that one is kept.
	Tracked map[string]string
	folded  map[string]string
}

// Skip says why the branch ref name (with oid, "" when not known yet) is
// left out of a fetch, or "" to fetch it. Names outside refs/heads/ are
// not fetched by a sandbox remote's refspecs and pass.
func (c *NameCheck) Skip(name, oid string) string {
	branch, ok := strings.CutPrefix(name, "refs/heads/")
	if !ok {
		return ""
	}
	first, _, _ := strings.Cut(branch, "/")
	switch {
	case !validRefName(branch):
		return "not a valid branch name"
	case branch == "HEAD":
		return fmt.Sprintf("named like git's HEAD, it would overwrite %s/HEAD", c.Remote)
	case pseudoRefs[branch] || (strings.HasSuffix(branch, "_HEAD") && strings.ToUpper(branch) == branch):
		return fmt.Sprintf("named like git's own %s", branch)
	case first == "refs":
		return fmt.Sprintf("named like a full ref name, %s/%s would read as refs/%s", c.Remote, branch, strings.TrimPrefix(branch, "refs/"))
	case c.isRemote(first):
		return fmt.Sprintf("named like remote %s's branches, %s/%s would read as %s", first, c.Remote, branch, branch)
	}
	if strings.HasPrefix(branch, "host/") && oid != "" && c.HostHas != nil && !c.HostHas(oid) {
		return "host/ branches carry what the host pushed, and the host never had this commit"
	}
	if c.FoldCase && oid != "" {
		k := strings.ToLower(branch)
		if t, ok := c.Tracked[k]; ok && t != branch {
			return fmt.Sprintf("differs only by case from branch %s, which this file system does not tell apart (core.ignoreCase)", t)
		}
		if c.folded == nil {
			c.folded = map[string]string{}
		}
		if other, ok := c.folded[k]; ok && other != branch {
			return fmt.Sprintf("differs only by case from branch %s, which this file system does not tell apart (core.ignoreCase)", other)
		}
		c.folded[k] = branch
	}
	return ""
}

func (c *NameCheck) isRemote(name string) bool {
	for _, r := range c.Remotes {
		if strings.EqualFold(r, name) {
			return true
		}
	}
	return false
}

// validRefName applies git check-ref-format's rules to a branch name, for
// an advertisement that did not come from a git that enforces them.
func validRefName(b string) bool {
	if b == "" || b == "@" || strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") || strings.HasSuffix(b, ".") ||
		strings.Contains(b, "..") || strings.Contains(b, "@{") || strings.Contains(b, "//") {
		return false
	}
	for _, part := range strings.Split(b, "/") {
		if strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return false
		}
	}
	for _, r := range b {
		if r < 0x20 || r == 0x7f || unicode.IsSpace(r) || strings.ContainsRune(`~^:?*[\`, r) {
			return false
		}
	}
	return true
}

// HostRefs is what a NameCheck reads of the host's repository.
type HostRefs interface {
	Refs(prefix string) (map[string]string, error)
	HasCommit(hash string) bool
}

// NewNameCheck is the check a fetch from remote makes: with the host's
// repository (nil when there is none), a commit the host has passes a
// host/ branch, and on a FoldCase host a name already fetched from remote
// wins, then the host's own branch of that name (main, not a later Main).
func NewNameCheck(remote string, remotes []string, foldCase bool, host HostRefs) *NameCheck {
	c := &NameCheck{Remote: remote, Remotes: remotes, FoldCase: foldCase}
	if host == nil {
		return c
	}
	c.HostHas = host.HasCommit
	if foldCase {
		c.Tracked = map[string]string{}
		for _, prefix := range []string{"refs/heads/", TrackingPrefix(remote)} {
			refs, _ := host.Refs(prefix)
			for name := range refs {
				b := strings.TrimPrefix(name, prefix)
				c.Tracked[strings.ToLower(b)] = b
			}
		}
	}
	return c
}
