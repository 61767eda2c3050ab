package machine

import (
	"context"
	"errors"
	"fmt"

	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// Doctor's reading of sbx's own settings (`sbx settings get KEY --json`)
// where they bear on git-airlock, and of variables sbx stopped reading.

// settingsChecks, from one `sbx settings list --json`: whether sandboxes
// get the host's SSH agent (the agent could then sign and push with the
// user's keys, past the review that git-airlock puts before anything
// lands; the docs disagree on the default, so it is read), and the
// upstream proxy of sandbox traffic when one is set (credentials in its
// URL never shown). An sbx without settings, or without the setting,
// says nothing.
func (s *Diagnoser) settingsChecks(ctx context.Context, caps sbx.Capabilities, add func(string, string, string, string)) {
	if !caps.Settings {
		return
	}
	settings, err := s.Sbx.Settings(ctx)
	if errors.Is(err, sbx.ErrNotLoggedIn) || errors.Is(err, sbx.ErrDaemonDown) {
		return // the login check says so, with its next step
	}
	if err != nil {
		add("ssh agent", "WARN", "cannot read sbx's settings: "+err.Error(), s.daemonLogsHint(caps, ""))
		return
	}
	fwd, listed := settings[sbx.SettingSSHAgentForwarding]
	switch on, isBool := fwd.Bool(); {
	case !listed:
	case !isBool:
		add("ssh agent", "WARN", fmt.Sprintf("sbx's %s is %q, not true or false", sbx.SettingSSHAgentForwarding, fwd.Value), "")
	case on:
		add("ssh agent", "WARN", "sbx forwards your SSH agent into sandboxes"+settingSource(fwd)+": the agent can sign and push with your keys",
			xec.Quote("sbx", "settings", "set", sbx.SettingSSHAgentForwarding, "false"))
	default:
		add("ssh agent", "OK", "sbx does not forward your SSH agent into sandboxes"+settingSource(fwd), "")
	}
	for _, key := range []string{sbx.SettingProxySandbox, sbx.SettingProxy} {
		if p := settings[key]; p.Value != "" {
			add("proxy", "OK", fmt.Sprintf("sandbox traffic goes through %s: sbx setting %s%s", sbx.RedactURL(p.Value), key, settingSource(p)), "")
			return
		}
	}
}

// settingSource renders where a setting's value comes from: " (the
// default)", " (set with sbx settings)", " (from an environment
// variable)"; "" when sbx did not say.
func settingSource(st sbx.Setting) string {
	switch st.Source {
	case "default":
		return " (sbx's default)"
	case "override":
		return " (set with sbx settings)"
	case "envvar":
		return " (from an environment variable)"
	}
	return ""
}

// daemonLogsHint points at sbx's own daemon log where the sbx has one
// (0.55), after first when set.
func (s *Diagnoser) daemonLogsHint(caps sbx.Capabilities, first string) string {
	logs := s.Sbx.DaemonLogsCommand(caps, 50)
	switch {
	case logs == nil:
		return first
	case first == "":
		return "see what the daemon says: " + xec.Quote(logs...)
	}
	return first + "; if it keeps failing, see what it says: " + xec.Quote(logs...)
}

// envChecks warns of DOCKER_SANDBOXES_* variables set here that the
// installed sbx no longer reads (0.53, 0.55): they look set and do
// nothing. A server's sbx does not see this machine's environment.
func (s *Diagnoser) envChecks(caps sbx.Capabilities, add func(string, string, string, string)) {
	if s.Env == nil || s.Host != "" {
		return
	}
	for _, r := range sbx.RetiredEnvs {
		if _, set := s.Env(r.Name); !set || caps.Version.Less(r.Since) {
			continue
		}
		next := fmt.Sprintf("save it as sbx's %s setting (sbx settings set KEY VALUE; sbx settings list names the keys), run 'sbx daemon restart', and unset the variable", r.Setting)
		add("environment", "WARN", fmt.Sprintf("%s is set, but sbx %s no longer reads it (since %s)", r.Name, caps.Version, r.Since), next)
	}
}
