package machine

import (
	"errors"
	"testing"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/sbx"
)

var caps055 = sbx.Capabilities{Version: sbx.Version{0, 55, 0}, Clone: true, DetachFlag: sbx.FlagDetached, PolicyInit: sbx.PolicyVerbInit,
	SecretGlobal: sbx.SecretSandboxFlag, NoInput: true, Settings: true}

// SSH agent forwarding is read from sbx's settings, both ways (its
// default differs between the docs' versions); a proxy shows without the
// credentials its URL may hold.
func TestDoctorSettings(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings map[string]sbx.Setting
		err      error
		level    string
		detail   string
		hint     string
		proxy    string
	}{
		{name: "forwarding on", settings: map[string]sbx.Setting{sbx.SettingSSHAgentForwarding: {Value: "true", Source: "default"}},
			level: "WARN", detail: "sbx forwards your SSH agent into sandboxes (sbx's default): the agent can sign and push with your keys",
			hint: "sbx settings set ssh.agentForwardingEnabled false"},
		{name: "forwarding off, a proxy", settings: map[string]sbx.Setting{sbx.SettingSSHAgentForwarding: {Value: "false", Source: "override"},
			sbx.SettingProxy: {Value: "http://me:s3cret@proxy.corp:3128", Source: "override"}},
			level: "OK", detail: "sbx does not forward your SSH agent into sandboxes (set with sbx settings)",
			proxy: "sandbox traffic goes through http://…@proxy.corp:3128: sbx setting proxy (set with sbx settings)"},
		{name: "unreadable", err: errors.New("read sbx's settings: boom"), level: "WARN", detail: "cannot read sbx's settings: read sbx's settings: boom",
			hint: "see what the daemon says: sbx daemon logs -n 50"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, config.Inputs{}, nil)
			w.sbx.caps, w.sbx.settings, w.sbx.settingErr = caps055, tc.settings, tc.err
			checks := w.doctor.Doctor(ctx, linuxKVM, "")
			c := mustCheck(t, checks, "ssh agent")
			if c.Level != tc.level || c.Detail != tc.detail || c.Hint != tc.hint {
				t.Errorf("got %+v", c)
			}
			p, ok := check(t, checks, "proxy")
			if ok != (tc.proxy != "") || p.Detail != tc.proxy {
				t.Errorf("proxy: %+v", p)
			}
		})
	}
	w := newWorld(t, config.Inputs{}, nil) // 0.47 caps: no settings verb
	if _, ok := check(t, w.doctor.Doctor(ctx, linuxKVM, ""), "ssh agent"); ok {
		t.Error("a settings check without sbx settings")
	}
}

func TestDoctorRetiredEnv(t *testing.T) {
	env := map[string]string{"DOCKER_SANDBOXES_SSH_DEFAULT_AGENT": "codex", "DOCKER_SANDBOXES_PROXY": "http://p:1"}
	w := newWorld(t, config.Inputs{}, nil)
	w.sbx.caps = caps055
	w.doctor.Env = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	checks := w.doctor.Doctor(ctx, linuxKVM, "")
	c := mustCheck(t, checks, "environment")
	if c.Level != "WARN" || c.Detail != "DOCKER_SANDBOXES_SSH_DEFAULT_AGENT is set, but sbx 0.55.0 no longer reads it (since 0.55.0)" {
		t.Errorf("got %+v", c)
	}
	n := 0
	for _, c := range checks {
		if c.Name == "environment" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d environment checks; DOCKER_SANDBOXES_PROXY is still read", n)
	}
	w.sbx.caps.Version = sbx.Version{0, 53, 0}
	if _, ok := check(t, w.doctor.Doctor(ctx, linuxKVM, ""), "environment"); ok {
		t.Error("0.53 still reads it")
	}
}

func TestDoctorDaemonLogs(t *testing.T) {
	w := newWorld(t, config.Inputs{}, nil)
	w.sbx.caps, w.sbx.pingErr = caps055, sbx.ErrDaemonDown
	c := mustCheck(t, w.doctor.Doctor(ctx, linuxKVM, ""), "login")
	if c.Hint != "sbx daemon start; if it keeps failing, see what it says: sbx daemon logs -n 50" {
		t.Errorf("0.55: %+v", c)
	}
	w.sbx.caps = newCaps
	if c := mustCheck(t, w.doctor.Doctor(ctx, linuxKVM, ""), "login"); c.Hint != "sbx daemon start" {
		t.Errorf("0.47: %+v", c)
	}
}
