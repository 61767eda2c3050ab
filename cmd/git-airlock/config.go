package main

import (
	"context"
	"strings"

	"github.com/git-airlock/git-airlock/internal/ui"
)

type configCmd struct {
	List   configListCmd   `cmd:"" default:"withargs" help:"List every effective setting with its origin."`
	Import configImportCmd `cmd:"" help:"Migrate a code-airlock sandbox.conf into local git config."`
}

type configListCmd struct {
	JSON bool `name:"json" help:"Print JSON."`
}

func (c *configListCmd) Help() string {
	return `Precedence, lowest first: defaults < .airlock.toml (once trusted) < git config
(system < global < local < worktree) < environment (AGENT, SANDBOX_NAME, ALLOW,
REVIEW_TOOL, GLOBAL_NETWORK_POLICY, SEED_PATHS, SEED_CONFIG, TMUX_SESSION) <
flags. Set values with 'git config airlock.<key> <value>'; lists with
'git config --add'.`
}

func (c *configListCmd) Run(l *Loaded, u *ui.UI) error {
	svc := l.Service
	views := svc.SettingsView()
	if c.JSON {
		if err := u.JSON(views); err != nil {
			return err
		}
	} else {
		svc.PrintSettings(views)
	}
	if l.SettingsErr != nil {
		return &ui.ExitError{Code: 1, Err: l.SettingsErr}
	}
	return nil
}

type configImportCmd struct {
	File string `arg:"" type:"existingfile" help:"code-airlock's sandbox.conf."`
}

func (c *configImportCmd) Run(ctx context.Context, l *Loaded, u *ui.UI) error {
	values, err := l.Service.ImportConfig(ctx, c.File)
	if err != nil {
		return err
	}
	for _, v := range values {
		u.Printf("airlock.%s = %s (from %s)\n", v.Key.Name, strings.Join(v.Values, ","), v.From)
	}
	if len(values) == 0 {
		u.Infof("%s sets nothing git-airlock uses", c.File)
	}
	return nil
}
