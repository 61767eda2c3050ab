package main

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/sbx"
)

type portsCmd struct {
	JSON bool `name:"json" help:"Print JSON."`
}

func (c *portsCmd) Help() string {
	return `Lists the sandbox's ports published on the host, from sbx's list of
sandboxes: looking never starts a stopped sandbox, and a stopped sandbox
publishes nothing. Port 9418 is the git daemon of sbx's own remote.

  git airlock ports
  git airlock ports --json`
}

// portJSON is one published port in 'ports --json'.
type portJSON struct {
	HostIP      string `json:"host_ip"`
	HostPort    int    `json:"host_port"`
	SandboxPort int    `json:"sandbox_port"`
	Protocol    string `json:"protocol"`
	URL         string `json:"url"`
}

func (c *portsCmd) Run(ctx context.Context, svc *lifecycle.Publisher, t target, u *ui.UI, l *Loaded) error {
	p, err := svc.Ports(ctx, string(t))
	if err != nil {
		return err
	}
	if c.JSON {
		rows := []portJSON{}
		for _, q := range p.Ports {
			rows = append(rows, portJSON{q.HostIP, q.HostPort, q.SandboxPort, q.Protocol, portURL(q)})
		}
		return u.JSON(struct {
			Sandbox string     `json:"sandbox"`
			State   string     `json:"state"`
			Ports   []portJSON `json:"ports"`
		}{p.Name, p.State, rows})
	}
	if !p.Running {
		u.Infof("sandbox %q is %s: it publishes nothing", p.Name, p.State)
		u.Hint("publish a port with '%s' (it starts the sandbox)", workflow.Suggest(l.Entries, p.Name, "open PORT"))
		return nil
	}
	w := u.Table()
	fmt.Fprintln(w, "SANDBOX PORT\tHOST\tPROTOCOL\tURL")
	for _, q := range p.Ports {
		url := portURL(q)
		if q.SandboxPort == sbx.GitDaemonPort {
			url = "(git daemon of sbx's remote sandbox-" + p.Name + "; fetch with 'git fetch " + sandboxref.Remote(p.Name) + "')"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", q.SandboxPort, hostAddr(q), q.Protocol, url)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if l.sbx.Remote != nil {
		u.Hint("%s", loopbackHint(l.sbx.Remote.Host, p.Ports))
	}
	return nil
}

// hostAddr is where a published port listens on the host. An unspecified
// or missing address is reached on loopback; the address is used as given
// rather than "localhost", which may resolve to IPv6 first.
func hostAddr(p sbx.Port) string {
	ip := p.HostIP
	switch ip {
	case "", "0.0.0.0":
		ip = "127.0.0.1"
	case "::":
		ip = "::1"
	}
	return net.JoinHostPort(ip, strconv.Itoa(p.HostPort))
}

// portURL is the URL of a published port on the host.
func portURL(p sbx.Port) string {
	if p.SandboxPort == sbx.GitDaemonPort {
		return "git://" + hostAddr(p) + "/"
	}
	return "http://" + hostAddr(p) + "/"
}
