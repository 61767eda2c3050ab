package main

import (
	"context"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/machine"
	"github.com/git-airlock/git-airlock/sbx"
)

// useHost points sbx (and, for up and run, the repository's copy there) at
// a host value: "" is this machine. Values reach here validated (settings,
// or an airlock:// URL parsed by sandboxref).
func (l *Loaded) useHost(host string) {
	l.sbx.Remote, l.tmux.Remote, l.Lifecycle.common.Server, l.Machine.common.Host = nil, nil, nil, ""
	l.Lifecycle.sbxOn = l.sbxOn
	if host == "" {
		l.sbx.Early = l.early
		return
	}
	t, err := l.transport(host)
	if err != nil {
		return // settings validation has said so already
	}
	l.sbx.Remote, l.tmux.Remote, l.Machine.common.Host = t, t, t.Host.String()
	if l.Repo != nil {
		l.Lifecycle.common.Server = &gitx.ServerRepo{Run: l.Run, Transport: t, ID: sandboxref.ServerRepoID(l.Repo.Root), Local: l.Repo}
	}
}

// transport reaches a host with the user's ssh settings.
func (l *Loaded) transport(host string) (*sshhost.Transport, error) {
	runtime, _ := l.env("XDG_RUNTIME_DIR")
	return sshhost.New(host, sshhost.Settings{Command: l.Settings.SSHCommand(), Share: l.Settings.SSHShare(), RuntimeDir: runtime})
}

// sbxOn is a client of another machine's sbx, with this command's limits.
func (l *Loaded) sbxOn(host string) *sbx.Client {
	if host == "" { // this machine, when the command's is a server
		return &sbx.Client{Bin: l.sbx.Bin, Run: l.Run, Timeout: l.sbx.Timeout, CreateTimeout: l.sbx.CreateTimeout, CacheDir: l.sbx.CacheDir, Early: l.early}
	}
	t, err := l.transport(host)
	if err != nil {
		return l.sbx // unreachable: hosts come from parsed URLs
	}
	return &sbx.Client{Run: l.Run, Timeout: l.sbx.Timeout, CreateTimeout: l.sbx.CreateTimeout, Remote: t}
}

// platform is the machine doctor checks: this one, or the server sbx runs
// on.
func (l *Loaded) platform(ctx context.Context) machine.Platform {
	if l.sbx.Remote == nil {
		return machine.HostPlatform()
	}
	p := machine.Platform{Host: l.sbx.Host()}
	p.OS, p.Arch, p.KVM, p.Err = l.sbx.ServerPlatform(ctx)
	return p
}

// followSandbox makes a command on a registered sandbox reach it where it
// lives: the host its airlock:// URL names wins over airlock.host, which
// decides only where new sandboxes go.
func (l *Loaded) followSandbox(name string) {
	if l.sbx == nil {
		return
	}
	if sb, ok := workflow.Find(workflow.Registered(l.Entries, l.Records), name); ok {
		l.useHost(sb.Host)
	}
}
