package lifecycle

import (
	"context"
	"fmt"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/sbx"
)

// Ports is what a sandbox publishes on the host, as `sbx ls` shows it: a
// look that never starts a stopped sandbox (sbx's own ports verb would).
// The git daemon of sbx's sandbox-<name> remote is among them while the
// sandbox runs (SandboxPort sbx.GitDaemonPort).
type Ports struct {
	Name    string     `json:"sandbox"`
	State   string     `json:"state"`
	Ports   []sbx.Port `json:"ports"`
	Running bool       `json:"-"`
}

// Ports lists the published ports of a sandbox.
func (s *Publisher) Ports(ctx context.Context, name string) (Ports, error) {
	if _, err := s.mustRegistered(name); err != nil {
		return Ports{}, err
	}
	sb, err := s.Sbx.Get(ctx, name)
	if err != nil {
		return Ports{}, workflow.SbxError(err)
	}
	out := Ports{Name: name, State: sb.Status, Ports: sb.Ports, Running: sb.Running()}
	if out.Ports == nil {
		out.Ports = []sbx.Port{}
	}
	return out, nil
}

// OpenRequest publishes a sandbox port on the host.
type OpenRequest struct {
	Name     string
	Port     int // in the sandbox
	HostPort int // 0: an ephemeral port chosen by sbx
}

// Open publishes a port of the sandbox on the host's loopback through sbx
// and returns the mapping sbx reports. A port already published is
// returned as it is. sbx starts a stopped sandbox to publish.
func (s *Publisher) Open(ctx context.Context, req OpenRequest) (port sbx.Port, already bool, err error) {
	if req.Port < 1 || req.Port > 65535 {
		return sbx.Port{}, false, hint.Errorf([]string{"give the port the program in the sandbox listens on, e.g. git airlock open 3000"},
			"invalid port %d: a port is a number from 1 to 65535", req.Port)
	}
	if req.HostPort < 0 || req.HostPort > 65535 {
		return sbx.Port{}, false, hint.Errorf([]string{"give a free port of this machine with --host-port, or leave it out for one sbx picks"},
			"invalid host port %d: a port is a number from 1 to 65535", req.HostPort)
	}
	if req.Port == sbx.GitDaemonPort {
		return sbx.Port{}, false, hint.Errorf([]string{fmt.Sprintf("fetch the agent's work with 'git fetch %s'", sandboxref.Remote(req.Name))},
			"port %d is the git daemon of sbx's own remote, already published", req.Port)
	}
	if _, err := s.mustRegistered(req.Name); err != nil {
		return sbx.Port{}, false, err
	}
	cur, err := s.Sbx.Get(ctx, req.Name)
	if err != nil {
		return sbx.Port{}, false, workflow.SbxError(err)
	}
	if p, ok := findPort(cur.Ports, req.Port, req.HostPort); ok && cur.Running() {
		return p, true, nil
	}
	if !cur.Running() {
		s.UI.Infof("starting sandbox %q to publish its port %d", req.Name, req.Port)
	}
	defer s.guardSbxRemote(ctx, req.Name) // publishing starts it
	if err := s.Sbx.Publish(ctx, req.Name, req.Port, req.HostPort); err != nil {
		return sbx.Port{}, false, workflow.SbxError(err)
	}
	if s.Sbx.DryRun() {
		return sbx.Port{HostIP: "127.0.0.1", HostPort: req.HostPort, SandboxPort: req.Port, Protocol: "tcp4"}, false, nil
	}
	list, err := s.Sbx.Ports(ctx, req.Name)
	if err != nil {
		return sbx.Port{}, false, workflow.SbxError(err)
	}
	if p, ok := findPort(list, req.Port, req.HostPort); ok {
		return p, false, nil
	}
	if p, ok := findPort(list, req.Port, 0); ok && req.HostPort != 0 {
		// sbx took another host port for the one asked (in use), as it may
		// without asking under --no-input.
		s.UI.Warnf("host port %d is in use: sbx published port %d of sandbox %q on %s:%d instead", req.HostPort, req.Port, req.Name, p.HostIP, p.HostPort)
		return p, false, nil
	}
	return sbx.Port{}, false, hint.Errorf([]string{fmt.Sprintf("see what sbx lists: sbx ports %s", req.Name)},
		"sbx published port %d of sandbox %q but does not list it", req.Port, req.Name)
}

func findPort(list []sbx.Port, port, hostPort int) (sbx.Port, bool) {
	for _, p := range list {
		if p.SandboxPort == port && (hostPort == 0 || p.HostPort == hostPort) {
			return p, true
		}
	}
	return sbx.Port{}, false
}

// withdrawPorts unpublishes what a running sandbox publishes besides sbx's
// git daemon, so that a stopped sandbox serves nothing on the host: sbx
// keeps saved mappings and publishes them again on the next start. A
// stopped sandbox is not started to do it (its ports serve nothing while
// it is stopped). Failures are warnings: the stop goes on.
func (s *Console) withdrawPorts(ctx context.Context, name string) {
	sb, err := s.Sbx.Get(ctx, name)
	if err != nil || !sb.Running() {
		return
	}
	for _, p := range sb.Ports {
		if p.SandboxPort == sbx.GitDaemonPort {
			continue
		}
		if err := s.Sbx.Unpublish(ctx, name, p); err != nil {
			s.UI.Warnf("%v", workflow.SbxError(err))
			continue
		}
		s.UI.Infof("withdrew port %d of sandbox %q (was %s:%d)", p.SandboxPort, name, p.HostIP, p.HostPort)
	}
}
