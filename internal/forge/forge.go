// Package forge opens pull requests: with the GitHub CLI when it is
// installed, otherwise by building the compare URL of a GitHub remote.
package forge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// GH runs the GitHub CLI.
type GH struct{ Run *xec.Runner }

// ErrNoGH: gh is not installed.
var ErrNoGH = errors.New("gh is not installed")

// CreatePR runs `gh pr create --head branch --base base --fill`.
func (g *GH) CreatePR(ctx context.Context, dir, base, branch string, out, errw io.Writer) error {
	err := g.Run.Run(ctx, xec.Cmd{Argv: []string{"gh", "pr", "create", "--head", branch, "--base", base, "--fill"},
		Dir: dir, Stdout: out, Stderr: errw, Mutates: true})
	var nf *xec.NotFoundError
	if errors.As(err, &nf) {
		return ErrNoGH
	}
	return err
}

var scpLike = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:[\w.-]+@)?github\.com:([\w.-]+)/([\w.-]+?)(?:\.git)?/?$`)
})

// CompareURL returns GitHub's "open a pull request" page for a remote URL,
// or "" when the remote is not on GitHub.
func CompareURL(remoteURL, base, branch string) string {
	var owner, repo string
	if m := scpLike().FindStringSubmatch(remoteURL); m != nil {
		owner, repo = m[1], m[2]
	} else if u, err := url.Parse(remoteURL); err == nil && strings.EqualFold(u.Hostname(), "github.com") {
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if len(parts) != 2 {
			return ""
		}
		owner, repo = parts[0], strings.TrimSuffix(parts[1], ".git")
	} else {
		return ""
	}
	return fmt.Sprintf("https://github.com/%s/%s/compare/%s...%s?expand=1", owner, repo, escapeRef(base), escapeRef(branch))
}

// escapeRef escapes a branch name for a URL path, keeping its slashes.
func escapeRef(ref string) string {
	parts := strings.Split(ref, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
