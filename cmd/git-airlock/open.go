package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

type openCmd struct {
	Port      int  `arg:"" help:"The port a program in the sandbox listens on."`
	HostPort  int  `placeholder:"PORT" help:"Host port to publish it on (default: one sbx picks)."`
	NoBrowser bool `help:"Do not open $BROWSER, only print the URL."`
}

func (c *openCmd) Help() string {
	return `Publishes a port of the sandbox on the host's loopback through sbx (it
starts a stopped sandbox) and prints its URL. When $BROWSER names a
browser, the URL is opened in it. stop and rm withdraw what was published.

  git airlock open 3000
  git airlock open 8080 --host-port 18080`
}

func (c *openCmd) Run(ctx context.Context, svc *lifecycle.Publisher, t target, u *ui.UI, l *Loaded, inv *Invocation) error {
	p, already, err := svc.Open(ctx, lifecycle.OpenRequest{Name: string(t), Port: c.Port, HostPort: c.HostPort})
	if err != nil {
		return err
	}
	if l.Run.DryRun != nil && !already {
		return nil // the listing shows the publish; sbx would pick the port
	}
	url := portURL(p)
	// A sandbox on a server (its remote's URL names it, see followSandbox)
	// publishes on the server's loopback: the URL is served there only.
	var server *sshhost.Host
	where := ""
	if l.sbx.Remote != nil {
		server = &l.sbx.Remote.Host
		where = " of " + server.String()
	}
	if already {
		u.Infof("port %d of sandbox %q is already published%s", c.Port, t, where)
	} else {
		u.Infof("published port %d of sandbox %q on %s%s", c.Port, t, hostAddr(p), where)
	}
	fmt.Fprintln(u.Out, url)
	if server != nil {
		u.Hint("%s, then open the URL", loopbackHint(*server, []sbx.Port{p}))
	} else if browser, ok := inv.Env("BROWSER"); ok && !c.NoBrowser {
		if argv := browserArgv(browser, url); argv != nil {
			if err := l.Run.Run(ctx, xec.Cmd{Argv: argv, Stdout: u.Err, Stderr: u.Err}); err != nil {
				u.Warnf("$BROWSER (%s) failed: %v", argv[0], err)
			}
		}
	}
	u.Hint("'%s' withdraws it; '%s' lists what is published", workflow.Suggest(l.Entries, string(t), "stop"), workflow.Suggest(l.Entries, string(t), "ports"))
	return nil
}

// loopbackHint says that ports a server's sbx published are served on
// that server's loopback only, and how to forward one here: for one port,
// the exact ssh command (the same port here).
func loopbackHint(server sshhost.Host, ports []sbx.Port) string {
	if len(ports) == 1 {
		p := ports[0]
		return fmt.Sprintf("that address is %s's loopback; forward it here with '%s'", server, forwardSpec(server, fmt.Sprintf("%d:%s", p.HostPort, hostAddr(p))))
	}
	return fmt.Sprintf("these addresses are %s's loopback; forward one here with '%s'", server, forwardSpec(server, "PORT:ADDRESS"))
}

// forwardSpec is ssh -N -L with a forward spec, the server's port apart.
func forwardSpec(server sshhost.Host, spec string) string {
	cmd := "ssh -N -L " + spec
	if server.Port != 0 {
		cmd += fmt.Sprintf(" -p %d", server.Port)
	}
	return cmd + " " + server.Destination()
}

// browserArgv reads $BROWSER as its convention has it: a list of commands
// separated by ':', the first one used; "%s" in it stands for the URL,
// which is otherwise the last argument. nil when it names nothing.
func browserArgv(browser, url string) []string {
	first, _, _ := strings.Cut(browser, ":")
	argv := strings.Fields(first)
	if len(argv) == 0 {
		return nil
	}
	replaced := false
	for i, a := range argv[1:] {
		if strings.Contains(a, "%s") {
			argv[i+1] = strings.ReplaceAll(a, "%s", url)
			replaced = true
		}
	}
	if !replaced {
		argv = append(argv, url)
	}
	return argv
}
