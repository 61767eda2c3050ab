package inspect

import (
	"fmt"
	"strings"
)

// Submodules inspects a submodule's own history: the changes between its
// old and new commit, judged at the submodule's paths in the
// superproject (as tools see them there). old is "" for a new submodule.
// A *SubmoduleMissing error says the objects are not here.
type Submodules interface {
	InspectSubmodule(path, old, new string) ([]Finding, error)
}

// SubmoduleMissing is a submodule whose commits cannot be read here.
type SubmoduleMissing struct {
	Path, Why string
}

func (e *SubmoduleMissing) Error() string {
	return fmt.Sprintf("submodule %q: %s", e.Path, e.Why)
}

// Commit is one commit the merge brings, as far as its identity goes.
type Commit struct {
	ID                            string
	AuthorName, AuthorEmail       string
	CommitterName, CommitterEmail string
	Signed                        bool // carries a gpgsig header (OpenPGP, SSH or X.509)
}

// identityFindings report agent commits that pass for the host user's own
// or carry a signature: a reader of the history, a forge or a branch
// protection rule takes them for the user's work.
func identityFindings(commits []Commit, host Host) []Finding {
	var yours, signed []string
	for _, c := range commits {
		if host.same(c.AuthorName, c.AuthorEmail) || host.same(c.CommitterName, c.CommitterEmail) {
			yours = append(yours, short(c.ID))
		}
		if c.Signed {
			signed = append(signed, short(c.ID))
		}
	}
	var out []Finding
	if len(yours) > 0 {
		out = append(out, Finding{Severity: Medium, Rule: "commit-identity", Family: "identity", Path: ".",
			Why: fmt.Sprintf("%s your own name or email (%s): in the history and on the forge they read as your work", commitsWord(len(yours), "carries", "carry"), firstFew(yours))})
	}
	if len(signed) > 0 {
		out = append(out, Finding{Severity: Medium, Rule: "commit-signature", Family: "identity", Path: ".",
			Why: fmt.Sprintf("%s signed (%s): the sandbox signed with a key it could use (sbx forwards your SSH agent when SSH_AUTH_SOCK is set), so they verify as that key's owner", commitsWord(len(signed), "is", "are"), firstFew(signed))})
	}
	return out
}

func commitsWord(n int, one, many string) string {
	if n == 1 {
		return "1 agent commit " + one
	}
	return fmt.Sprintf("%d agent commits %s", n, many)
}

// same compares an identity with the host user's: the email decides when
// both are known (case-insensitive, as forges match them), else the name.
func (h Host) same(name, email string) bool {
	if h.Email != "" && email != "" {
		return strings.EqualFold(strings.TrimSpace(h.Email), strings.TrimSpace(email))
	}
	return h.Name != "" && strings.TrimSpace(h.Name) == strings.TrimSpace(name)
}
