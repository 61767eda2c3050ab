package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/internal/hint"
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

// settingView is one row of `git airlock config --json`.
type settingView struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
	Origin string   `json:"origin"`
	InFile bool     `json:"allowed_in_airlock_toml"`
	Help   string   `json:"help"`
}

// Run shows the settings even when one is invalid, so that the user sees
// which, and then fails.
func (c *configListCmd) Run(l *Loaded, u *ui.UI) error {
	if l.Err != nil {
		return l.Err
	}
	var views []settingView
	for _, v := range l.Settings.All() {
		views = append(views, settingView{Key: "airlock." + v.Key.Name, Values: append([]string{}, v.Values...),
			Origin: v.Origin.String(), InFile: v.Key.InFile, Help: v.Key.Help})
	}
	if c.JSON {
		if err := u.JSON(views); err != nil {
			return err
		}
	} else {
		var buf bytes.Buffer
		w := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "KEY\tVALUE\tORIGIN")
		// A list, one value per line: the default allowlist joined on
		// one line was 170 columns wide.
		for _, v := range views {
			first := ""
			if len(v.Values) > 0 {
				first = v.Values[0]
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", v.Key, first, v.Origin)
			for _, more := range v.Values[min(1, len(v.Values)):] {
				fmt.Fprintf(w, "\t%s\t\n", more)
			}
		}
		w.Flush()
		for _, line := range strings.SplitAfter(buf.String(), "\n") {
			fmt.Fprint(u.Out, strings.TrimRight(line, " \n")+strings.Repeat("\n", strings.Count(line, "\n")))
		}
		if l.Settings.File != config.FileAbsent {
			fmt.Fprintf(u.Out, "\n%s: %s\n", config.FileName, l.Settings.File)
		}
	}
	if l.SettingsErr != nil {
		return &hint.ExitError{Code: 1, Err: l.SettingsErr}
	}
	return nil
}

type configImportCmd struct {
	File string `arg:"" type:"existingfile" help:"code-airlock's sandbox.conf."`
}

func (c *configImportCmd) Run(ctx context.Context, l *Loaded, u *ui.UI) error {
	if err := l.valid(); err != nil {
		return err
	}
	values, err := l.Machine.configurer().ImportConfig(ctx, c.File)
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
