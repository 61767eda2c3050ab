package machine

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/git-airlock/git-airlock/hooks"
	"github.com/git-airlock/git-airlock/internal/hint"
)

// HookStatus is one line of `hooks status`.
type HookStatus struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	State string `json:"state"`
}

// InstallHooks installs git-airlock's hooks where git looks for them
// (core.hooksPath honoured); a foreign hook is kept as <hook>.local only
// with force.
func (s *HookKeeper) InstallHooks(ctx context.Context, force bool) error {
	dir, err := s.hooksDir(ctx)
	if err != nil {
		return err
	}
	for _, name := range hooks.Names {
		p := filepath.Join(dir, name)
		if s.DryRun != nil {
			fmt.Fprintf(s.DryRun, "write %s\n", p)
			continue
		}
		st, err := hooks.Install(dir, name, force)
		if err != nil {
			return hint.With(err, "--force keeps it as "+name+".local, run before git-airlock's check")
		}
		switch st {
		case hooks.Current:
			s.UI.Infof("%s is already installed at %s", name, p)
		case hooks.Outdated:
			s.UI.Infof("upgraded %s at %s", name, p)
		case hooks.Foreign:
			s.UI.Infof("installed %s at %s; the existing hook now runs first as %s.local", name, p, name)
		default:
			s.UI.Infof("installed %s at %s", name, p)
		}
	}
	if s.DryRun == nil {
		s.UI.Hint("git 2.28+ stops every branch move into risky sandbox history; older git only merges, cherry-picks and rebases (docs/gate.md)")
	}
	return nil
}

// UninstallHooks removes git-airlock's hooks, never anyone else's, and
// puts a kept foreign hook back.
func (s *HookKeeper) UninstallHooks(ctx context.Context) error {
	dir, err := s.hooksDir(ctx)
	if err != nil {
		return err
	}
	for _, name := range hooks.Names {
		if s.DryRun != nil {
			fmt.Fprintf(s.DryRun, "remove %s\n", filepath.Join(dir, name))
			continue
		}
		st, err := hooks.Uninstall(dir, name)
		if err != nil {
			return hint.With(err, "it is not git-airlock's, so it was left alone")
		}
		if st == hooks.Absent {
			s.UI.Infof("%s is not installed", name)
		} else {
			s.UI.Infof("removed %s from %s", name, dir)
		}
	}
	return nil
}

// Hooks reports the state of git-airlock's hooks.
func (s *HookKeeper) Hooks(ctx context.Context) ([]HookStatus, error) {
	dir, err := s.hooksDir(ctx)
	if err != nil {
		return nil, err
	}
	var out []HookStatus
	for _, name := range hooks.Names {
		st, err := hooks.Status(dir, name)
		if err != nil {
			return nil, err
		}
		out = append(out, HookStatus{Name: name, Path: filepath.Join(dir, name), State: st.String()})
	}
	return out, nil
}

func (s *HookKeeper) hooksDir(ctx context.Context) (string, error) {
	if err := requireRepo(s.Repo); err != nil {
		return "", err
	}
	return s.Repo.HooksDir(ctx)
}
