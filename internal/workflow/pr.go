package workflow

import (
	"context"
	"errors"
	"strings"

	"github.com/git-airlock/git-airlock/internal/forge"
	"github.com/git-airlock/git-airlock/internal/ui"
)

// PRRequest publishes a sandbox branch from the host and opens a PR.
type PRRequest struct {
	MergeRequest
	Into   string // the PR's base branch on the forge; default the current branch
	Branch string // branch to push to origin; default airlock/<sandbox>
	Remote string // default origin
	GH     *forge.GH
}

// PR pushes the sandbox's work from the host (the agent never needs forge
// credentials) and opens a pull request.
func (s *Service) PR(ctx context.Context, req PRRequest) error {
	_, theirs, sb, err := s.sides(ctx, req.CompareRequest)
	if err != nil {
		return err
	}
	into := req.Into
	if into == "" {
		into = s.Settings.Base()
	}
	if into == "" {
		into = s.currentBranch()
	}
	if into == "" {
		return ui.Errorf([]string{"name the PR's base branch: git airlock pr <base>"}, "HEAD is detached")
	}
	// Inspect against the local branch the PR targets, else HEAD; never
	// against an arbitrary revision a setting names.
	gateBase := "HEAD"
	if _, err := s.Repo.ResolveCommit("refs/heads/" + into); err == nil {
		gateBase = "refs/heads/" + into
	}
	if err := s.gate(ctx, sb, gateBase, theirs, req.AcceptRisk); err != nil {
		return err
	}
	branch := req.Branch
	if branch == "" {
		branch = "airlock/" + sb.Name
	}
	remoteName := req.Remote
	if remoteName == "" {
		remoteName = "origin"
	}
	remoteURL, ok, err := s.Repo.ConfigGet(ctx, "remote."+remoteName+".url")
	if err != nil {
		return err
	}
	if !ok {
		return ui.Errorf([]string{"add the forge remote: git remote add origin <url>"}, "no remote %q to push to", remoteName)
	}
	if err := s.Repo.Passthrough(ctx, req.Streams, true, "push", remoteName, theirs+":refs/heads/"+branch); err != nil {
		return err
	}
	err = req.GH.CreatePR(ctx, s.Repo.Root, into, branch, req.Streams.Out, req.Streams.Err)
	if err == nil {
		return nil
	}
	if !errors.Is(err, forge.ErrNoGH) {
		return ui.WithHint(err, "the branch is pushed; open the pull request on the forge by hand")
	}
	if u := forge.CompareURL(remoteURL, into, branch); u != "" {
		s.UI.Printf("%s\n", u)
		s.UI.Hint("open the URL above to create the pull request (install gh to do it from here)")
		return nil
	}
	s.UI.Infof("pushed %s to %s (%s); open a pull request from it into %s on your forge", branch, remoteName, strings.TrimSpace(remoteURL), into)
	return nil
}
