// Package workflow holds git-airlock's policy: what each command does, in
// which order, and what it refuses. Commands in cmd/git-airlock are thin
// adapters that build a request and call one method here; this package in
// turn only talks to the domain packages (gitx, sbx, config, hooks,
// internal/tmux), never to kong or the process environment.
package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/remote"
	"github.com/git-airlock/git-airlock/internal/tmux"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/sbx"
)

// RemotePrefix names git-airlock's remotes: airlock-<sandbox>.
const RemotePrefix = "airlock-"

// RemovedPrefix is where a removed sandbox's fetched branches are kept:
// refs/airlock/removed/<sandbox>/<branch>.
const RemovedPrefix = "refs/airlock/removed/"

// Service carries the dependencies of every workflow.
type Service struct {
	UI       *ui.UI
	Repo     *gitx.Repo // nil outside a repository
	Sbx      *sbx.Client
	Tmux     *tmux.Client
	Settings *config.Settings
	// Entries are the repository's airlock.* and remote.* git config
	// entries, read once.
	Entries []gitx.ConfigEntry
	// Self is the path of the running git-airlock, for tmux sessions.
	Self string
	// Home is the user's home directory, the only root seed paths may name.
	Home string
}

// Sandbox is a sandbox registered in this repository as a remote.
type Sandbox struct {
	Name   string `json:"name"`
	Remote string `json:"remote"`
	URL    string `json:"url"`
	Path   string `json:"path"`  // the clone's path inside the VM
	Agent  string `json:"agent"` // as recorded at registration
	Base   string `json:"base"`  // host branch checked out when it was created
}

// Sandboxes lists the sandboxes registered in this repository.
func (s *Service) Sandboxes() []Sandbox {
	var out []Sandbox
	for _, r := range gitx.Remotes(s.Entries) {
		t, err := remote.ParseURL(r.URL)
		if err != nil || r.Name != RemotePrefix+t.Sandbox {
			continue
		}
		out = append(out, Sandbox{Name: t.Sandbox, Remote: r.Name, URL: r.URL, Path: t.Path,
			Agent: r.Extra["airlockagent"], Base: r.Extra["airlockbase"]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// DefaultName is the sandbox name `up` uses when none is given:
// <agent>-<folder>-<6 hex of the repository path>. Stable per repository,
// different for two repositories that share a folder name, valid for sbx.
func DefaultName(agentName, root string) string {
	sum := sha256.Sum256([]byte(root))
	hash := hex.EncodeToString(sum[:3])
	folder := sbx.SanitizeName(filepath.Base(root))
	if folder == "" {
		folder = "repo"
	}
	max := 63 - len(agentName) - len(hash) - 2
	if len(folder) > max {
		folder = strings.TrimRight(folder[:max], "-")
	}
	return agentName + "-" + folder + "-" + hash
}

// requireRepo fails outside a repository.
func (s *Service) requireRepo() error {
	if s.Repo == nil {
		return ui.Errorf([]string{"run git-airlock inside a git repository, or create one with 'git init' and a first commit"},
			"not a git repository")
	}
	return nil
}

// Target picks the sandbox a command acts on: the name from --name,
// SANDBOX_NAME or airlock.name; else this repository's only sandbox; else
// the default name for the configured agent.
func (s *Service) Target() (string, error) {
	if err := s.requireRepo(); err != nil {
		return "", err
	}
	if n := s.Settings.Name(); n != "" {
		return n, nil
	}
	list := s.Sandboxes()
	def := DefaultName(s.Settings.Agent(), s.Repo.Root)
	switch len(list) {
	case 0:
		return def, nil
	case 1:
		return list[0].Name, nil
	}
	names := make([]string, len(list))
	for i, sb := range list {
		if sb.Name == def {
			return def, nil
		}
		names[i] = sb.Name
	}
	return "", ui.Errorf([]string{"pick one with --name <sandbox>"},
		"this repository has %d sandboxes (%s)", len(list), strings.Join(names, ", "))
}

// registered returns the registered sandbox of that name.
func (s *Service) registered(name string) (Sandbox, bool) {
	for _, sb := range s.Sandboxes() {
		if sb.Name == name {
			return sb, true
		}
	}
	return Sandbox{}, false
}

// mustRegistered is registered() with the error a user needs.
func (s *Service) mustRegistered(name string) (Sandbox, error) {
	sb, ok := s.registered(name)
	if !ok {
		return sb, ui.Errorf([]string{"start one with 'git airlock up', or list them with 'git airlock ls'"},
			"no sandbox %q in this repository", name)
	}
	return sb, nil
}

// sbxError adds the next step to typed sbx failures.
func sbxError(err error) error {
	var missing *sbx.MissingError
	var unsupported *sbx.UnsupportedError
	var notFound *sbx.NotFoundError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &missing):
		return ui.WithHint(err, "install Docker Sandboxes (sbx): 'git airlock setup' shows how, 'git airlock doctor' checks the machine")
	case errors.As(err, &unsupported):
		return ui.WithHint(err, "upgrade sbx to "+sbx.MinVersion.String()+" or newer (brew upgrade docker/tap/sbx, or your package manager)")
	case errors.Is(err, sbx.ErrNotLoggedIn):
		return ui.WithHint(err, "run 'sbx login' (a Docker account is required even for local sandboxes)")
	case errors.Is(err, sbx.ErrDaemonDown):
		return ui.WithHint(err, "start it with 'sbx daemon start', then try again; 'git airlock doctor' checks the rest")
	case errors.As(err, &notFound):
		return ui.WithHint(err, "list sandboxes with 'git airlock ls'")
	}
	return err
}

// branchName is HEAD's branch, or "" when detached.
func (s *Service) currentBranch() string {
	h, err := s.Repo.Head()
	if err != nil {
		return ""
	}
	return h.Branch
}

func (s *Service) reloadEntries(ctx context.Context) error {
	entries, err := s.Repo.ConfigEntries(ctx, `^(airlock|remote)\.`)
	if err != nil {
		return err
	}
	s.Entries = entries
	return nil
}

// plural renders a count with the singular or plural form of a noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
