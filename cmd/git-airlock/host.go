package main

import (
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/internal/workflow"
)

// useHost points sbx (and, for up and run, the repository's copy there) at
// a host value: "" is this machine. Values reach here validated (settings,
// or an airlock:// URL parsed by sandboxref).
func (l *Loaded) useHost(host string) {
	l.sbx.Remote, l.Lifecycle.Server = nil, nil
	if host == "" {
		return
	}
	runtime, _ := l.env("XDG_RUNTIME_DIR")
	t, err := sshhost.New(host, sshhost.Settings{Command: l.Settings.SSHCommand(), Share: l.Settings.SSHShare(), RuntimeDir: runtime})
	if err != nil {
		return // settings validation has said so already
	}
	l.sbx.Remote = t
	if l.Repo != nil {
		l.Lifecycle.Server = &gitx.ServerRepo{Run: l.Run, Transport: t, ID: sandboxref.ServerRepoID(l.Repo.Root), Local: l.Repo}
	}
}

// followSandbox makes a command on a registered sandbox reach it where it
// lives: the host its airlock:// URL names wins over airlock.host, which
// decides only where new sandboxes go.
func (l *Loaded) followSandbox(name string) {
	if l.sbx == nil {
		return
	}
	if sb, ok := workflow.Find(workflow.Registered(l.Entries), name); ok {
		l.useHost(sb.Host)
	}
}
