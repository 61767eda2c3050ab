package machine

import (
	"context"
	"errors"

	"github.com/git-airlock/git-airlock/internal/agent"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// Setup walks through installing and preparing sbx, asking before each
// command it runs. Without a terminal it only says what it would do.
func (s *Installer) Setup(ctx context.Context, p Platform, streams xec.Streams) error {
	ask := func(what string, argv []string) bool {
		s.UI.Infof("next: %s", what)
		s.UI.Infof("  %s", xec.Quote(argv...))
		if s.Sbx.DryRun() {
			return true
		}
		if !s.UI.CanAsk() {
			s.UI.Hint("run it yourself, or run 'git airlock setup' in a terminal to be asked")
			return false
		}
		return s.UI.Confirm("run it now?")
	}
	caps, err := s.Sbx.Probe(ctx)
	var missing *sbx.MissingError
	if errors.As(err, &missing) {
		cmds := sbx.InstallCommands(p.OS)
		if cmds == nil {
			s.UI.Infof("install Docker Sandboxes (Ubuntu 24.04 or newer, with KVM):")
			s.UI.Infof("  %s", sbx.LinuxInstallText)
			return hint.Errorf([]string{"run the command above, then 'git airlock setup' again"}, "sbx is not installed")
		}
		for _, argv := range cmds {
			if !ask("install sbx", argv) {
				return hint.Errorf([]string{"install sbx, then run 'git airlock setup' again"}, "sbx is not installed")
			}
			if err := s.Sbx.Install(ctx, argv, streams); err != nil {
				return err
			}
		}
		if caps, err = s.Sbx.Probe(ctx); err != nil {
			return workflow.SbxError(err)
		}
	} else if err != nil {
		return workflow.SbxError(err)
	}
	s.UI.Infof("sbx %s found", caps.Version)
	if !caps.Clone || caps.Version.Less(sbx.MinVersion) {
		return workflow.SbxError(&sbx.UnsupportedError{Version: caps.Version.String(), Feature: "clone mode"})
	}
	if err := s.Sbx.Ping(ctx); errors.Is(err, sbx.ErrNotLoggedIn) {
		if !ask("sign in to Docker", s.Sbx.LoginCommand()) {
			return workflow.SbxError(err)
		}
		if err := s.Sbx.Login(ctx, streams); err != nil {
			return workflow.SbxError(err)
		}
	} else if err != nil {
		return workflow.SbxError(err)
	}
	if ok, err := s.Sbx.PolicyInitialised(ctx); err != nil {
		return workflow.SbxError(err)
	} else if !ok {
		preset := s.Settings.NetworkPolicy()
		if ask("choose the default network policy (airlock.networkPolicy)", s.Sbx.PolicyInitCommand(caps, preset)) {
			if err := s.Sbx.PolicyInit(ctx, preset); err != nil {
				return workflow.SbxError(err)
			}
		}
	}
	if a, ok := agent.Lookup(s.Settings.Agent()); ok && a.Secret != "" {
		s.UI.Infof("to use an API key for %s, store it in sbx on the host (it never enters the VM):", a.Name)
		s.UI.Infof("  %s", xec.Quote(s.Sbx.SecretSetCommand(caps, a.Secret)...))
	}
	if s.Repo != nil && !lifecycle.HasInstructions(s.Repo) {
		s.UI.Hint("'git airlock init' writes a starter AGENTS.md for this repository")
	}
	s.UI.Infof("setup done; start an agent with 'git airlock up'")
	return nil
}
