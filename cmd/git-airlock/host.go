package main

import (
	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/internal/sshhost"
)

// transport is how sbx is reached for a host value ("" = this machine):
// ssh with the user's config and known_hosts, airlock.sshCommand when set
// (run by sh, as git runs core.sshCommand: it is the user's own command
// line, from git config only), one shared connection per server unless
// airlock.sshShare is false or the sockets' directory is not private.
func transport(host string, s *config.Settings, env func(string) (string, bool)) *sshhost.Transport {
	if host == "" {
		return nil
	}
	h, err := sshhost.Parse(host)
	if err != nil {
		return nil // settings validation has said so already
	}
	t := &sshhost.Transport{Host: h}
	if cmd := s.SSHCommand(); cmd != "" {
		t.SSH = []string{"sh", "-c", cmd + ` "$@"`, cmd}
	}
	if s.SSHShare() {
		runtime, _ := env("XDG_RUNTIME_DIR")
		dir := sshhost.DefaultControlDir(runtime)
		if sshhost.PrepareControlDir(dir) == nil {
			t.ControlDir = dir
		}
	}
	return t
}
