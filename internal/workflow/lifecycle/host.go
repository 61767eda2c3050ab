package lifecycle

import (
	"context"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/workflow"
)

// Server is git-airlock's copy of the repository on the machine whose sbx
// runs the sandbox (gitx.ServerRepo): sbx there creates a clone-mode
// sandbox from it, since it cannot read this machine's disk.
type Server interface {
	Host() string
	DisplayPath() string
	// Send makes the copy hold commit, checked out on branch, and returns
	// its absolute path on the server.
	Send(ctx context.Context, commit, branch string) (string, error)
	Remove(ctx context.Context) error
}

var _ Server = (*gitx.ServerRepo)(nil)

// sendToServer hands the server the current commit's history and returns
// the path sbx there creates the sandbox from.
func (s *Service) sendToServer(ctx context.Context) (string, error) {
	head, err := s.Repo.Head()
	if err != nil {
		return "", err
	}
	s.UI.Infof("sending the history of %s to %s (%s)", shortHash(head.Hash), s.Server.Host(), s.Server.DisplayPath())
	path, err := s.Server.Send(ctx, head.Hash, head.Branch)
	if err != nil {
		return "", workflow.SbxError(err)
	}
	return path, nil
}

// dropServerCopy removes the server's copy once no registered sandbox of
// this repository lives on that server any more.
func (s *Service) dropServerCopy(ctx context.Context, removed workflow.Sandbox) {
	if s.Server == nil || removed.Host == "" || removed.Host != s.Server.Host() {
		return
	}
	for _, sb := range s.sandboxes() {
		if sb.Name != removed.Name && sb.Host == removed.Host {
			return
		}
	}
	if err := s.Server.Remove(ctx); err != nil {
		s.UI.Warnf("%v", err)
		return
	}
	s.UI.Infof("removed git-airlock's copy of the repository on %s (%s)", s.Server.Host(), s.Server.DisplayPath())
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
