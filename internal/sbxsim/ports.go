//go:build unix

package sbxsim

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// Published is one port mapping of `sbx ports --publish`. Processes "in
// the VM" run on the host, so a sandbox port is the host's loopback port
// of that number; the host side is a forwarder process of the simulator's
// own (forwardVerb) that listens on HostIP:HostPort and relays each
// connection to 127.0.0.1:SandboxPort. A stopped sandbox keeps its
// mappings without forwarders, and a start publishes them again, on the
// same host port when it is free and on a new one otherwise (sbx: "host
// ports of saved mappings can change across restarts").
type Published struct {
	HostIP      string `json:"host_ip"`
	HostPort    int    `json:"host_port"`
	SandboxPort int    `json:"sandbox_port"`
	Protocol    string `json:"protocol"`
	PID         int    `json:"pid,omitempty"`
}

// forwardVerb is the simulator's own hidden verb for a forwarder: it
// serves the listening socket it inherits as descriptor 3.
const forwardVerb = "__sbxsim-forward"

// ports plays `sbx ports NAME [--publish SPEC]... [--unpublish SPEC]...
// [--json]`. Like sbx it starts a stopped sandbox. The listing's forms:
// from PortsJSON releases, --json prints a bare array of rows, or
// {"ports":[…]} under SBXSIM_PORTS_JSON=object (host_port a string under
// SBXSIM_LS_PORT_STRING, as ls); SBXSIM_PORTS_NOTICE prints a line of
// sbx's own text first. Without --json, one HOST_IP:HOST_PORT->PORT/PROTO
// line per mapping.
func (s *sim) ports(args []string) error {
	bools := ""
	if release().PortsJSON {
		bools = "--json"
	}
	f, err := parse(args, bools, "--format --publish --unpublish", 0)
	if err != nil {
		return err
	}
	if len(f.pos) != 1 {
		return fail("requires exactly one sandbox")
	}
	name := f.pos[0]
	if _, err := s.start(name); err != nil {
		return err
	}
	var rows []lsPort
	err = s.locked(func(st *state) error {
		sb := st.Sandboxes[name]
		for _, spec := range f.values["--unpublish"] {
			p, err := parseSpec(spec)
			if err != nil {
				return err
			}
			kept := sb.Published[:0]
			found := false
			for _, q := range sb.Published {
				if q.SandboxPort == p.SandboxPort && (p.HostPort == 0 || q.HostPort == p.HostPort) && (p.Protocol == "" || q.Protocol == p.Protocol) {
					stopForwarder(q)
					found = true
					continue
				}
				kept = append(kept, q)
			}
			if !found {
				return fail("port %s is not published", spec)
			}
			sb.Published = kept
			fmt.Fprintf(os.Stderr, "Unpublished %s\n", spec)
		}
		for _, spec := range f.values["--publish"] {
			p, err := parseSpec(spec)
			if err != nil {
				return err
			}
			if p.Protocol == "" {
				p.Protocol = "tcp4"
			}
			if p.HostIP == "" {
				p.HostIP = "127.0.0.1"
			}
			for _, q := range sb.Published {
				if q.SandboxPort == p.SandboxPort && q.Protocol == p.Protocol {
					return fail("port %d/%s is already published on %s:%d", p.SandboxPort, p.Protocol, q.HostIP, q.HostPort)
				}
			}
			if err := startForwarder(&p); err != nil {
				if p.HostPort == 0 || !release().PortRetry {
					return err
				}
				if err := s.retryPort(f, name, &p, err); err != nil {
					return err
				}
			}
			sb.Published = append(sb.Published, p)
			fmt.Fprintf(os.Stderr, "Published %s:%d -> %d/%s\n", p.HostIP, p.HostPort, p.SandboxPort, p.Protocol)
		}
		rows = portRows(sb)
		return nil
	})
	if err != nil || len(f.values["--publish"])+len(f.values["--unpublish"]) > 0 {
		return err
	}
	if os.Getenv("SBXSIM_PORTS_NOTICE") != "" {
		fmt.Println("A new version of sbx is available (simulated notice)")
	}
	if f.has("--json") {
		if os.Getenv("SBXSIM_PORTS_JSON") == "object" {
			return printJSON(map[string]any{"ports": rows})
		}
		return printJSON(rows)
	}
	for _, r := range rows {
		fmt.Printf("%s:%v->%d/%s\n", r.HostIP, r.HostPort, r.SandboxPort, r.Protocol)
	}
	return nil
}

// retryPort is sbx's offer (RN 0.47) when the host port asked for is in
// use: publish on a free one instead. It is a question: under --no-input
// it fails naming the command that publishes on a free port, unless
// SBXSIM_PORT_RETRY=auto plays a retry that does not ask; without a
// terminal the bind's failure stands.
func (s *sim) retryPort(f *flags, name string, p *Published, bindErr error) error {
	taken := p.HostPort
	noInput := s.noInput || f.has("--no-input")
	switch {
	case noInput && os.Getenv("SBXSIM_PORT_RETRY") == "auto":
	case noInput:
		return needsAnswer(fmt.Sprintf("host port %d is in use (%s:%d); publishing port %d on a free one", taken, p.HostIP, taken, p.SandboxPort),
			fmt.Sprintf("sbx ports %s --publish %d", name, p.SandboxPort))
	case !term.IsTerminal(int(os.Stdin.Fd())):
		return bindErr
	default:
		fmt.Fprintf(os.Stderr, "Host port %d is in use (%s:%d). Publish on a free port instead? [y/N] ", taken, p.HostIP, taken)
		var ans string
		fmt.Scanln(&ans)
		if ans != "y" {
			return bindErr
		}
	}
	p.HostPort = 0
	if err := startForwarder(p); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "Host port %d is in use; published on %d instead\n", taken, p.HostPort)
	return nil
}

// portRows is what ls and ports show of a running sandbox: the git
// daemon's mapping, then the published ports.
func portRows(sb *Sandbox) []lsPort {
	rows := []lsPort{newPort(sb.Port)}
	for _, p := range sb.Published {
		if p.PID == 0 {
			continue
		}
		r := newPort(p.HostPort)
		r.HostIP, r.SandboxPort, r.Protocol = p.HostIP, p.SandboxPort, p.Protocol
		rows = append(rows, r)
	}
	return rows
}

// parseSpec reads [[HOST_IP:]HOST_PORT:]SANDBOX_PORT[/PROTOCOL].
func parseSpec(spec string) (Published, error) {
	var p Published
	rest, proto, _ := strings.Cut(spec, "/")
	switch proto {
	case "", "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6":
	default:
		return p, fail("invalid protocol %q in %q", proto, spec)
	}
	p.Protocol = proto
	parts := strings.Split(rest, ":")
	if len(parts) > 3 {
		return p, fail("invalid port spec %q", spec)
	}
	var err error
	if p.SandboxPort, err = strconv.Atoi(parts[len(parts)-1]); err != nil || p.SandboxPort < 1 || p.SandboxPort > 65535 {
		return p, fail("invalid sandbox port in %q", spec)
	}
	if len(parts) >= 2 {
		if p.HostPort, err = strconv.Atoi(parts[len(parts)-2]); err != nil || p.HostPort < 0 || p.HostPort > 65535 {
			return p, fail("invalid host port in %q", spec)
		}
	}
	if len(parts) == 3 {
		p.HostIP = parts[0]
	}
	return p, nil
}

// startForwarder binds the host side (an ephemeral port when HostPort is
// 0) and leaves a detached forwarder serving it.
func startForwarder(p *Published) error {
	l, err := net.Listen("tcp", net.JoinHostPort(p.HostIP, strconv.Itoa(p.HostPort)))
	if err != nil {
		return fail("publish %d: %v", p.SandboxPort, err)
	}
	defer l.Close()
	file, err := l.(*net.TCPListener).File()
	if err != nil {
		return err
	}
	defer file.Close()
	p.HostPort = l.Addr().(*net.TCPAddr).Port
	cmd := exec.Command(os.Args[0], forwardVerb, strconv.Itoa(p.SandboxPort))
	cmd.Env = os.Environ()
	cmd.ExtraFiles = []*os.File{file}
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	p.PID = cmd.Process.Pid
	_ = cmd.Process.Release()
	return nil
}

func stopForwarder(p Published) {
	if p.PID > 0 {
		_ = syscall.Kill(p.PID, syscall.SIGTERM)
	}
}

// stopForwarders withdraws a sandbox's mappings from the host, keeping
// them saved for its next start.
func stopForwarders(sb *Sandbox) {
	for i := range sb.Published {
		stopForwarder(sb.Published[i])
		sb.Published[i].PID = 0
	}
}

// republish starts the forwarders of a starting sandbox's saved mappings.
func republish(sb *Sandbox) {
	kept := sb.Published[:0]
	for _, p := range sb.Published {
		if p.PID > 0 && alive(p.PID) {
			kept = append(kept, p)
			continue
		}
		if startForwarder(&p) != nil {
			p.HostPort = 0 // taken meanwhile: a new one
			if startForwarder(&p) != nil {
				continue
			}
		}
		kept = append(kept, p)
	}
	sb.Published = kept
}

// forward is the forwarder: it relays every connection on the inherited
// listener to the sandbox port until it is killed.
func forward(args []string) int {
	if len(args) != 1 {
		return 2
	}
	l, err := net.FileListener(os.NewFile(3, "listener"))
	if err != nil {
		return 1
	}
	target := net.JoinHostPort("127.0.0.1", args[0])
	for {
		c, err := l.Accept()
		if err != nil {
			return 1
		}
		go func() {
			defer c.Close()
			up, err := net.Dial("tcp", target)
			if err != nil {
				return // nothing serves that port in the sandbox: the connection drops
			}
			defer up.Close()
			go func() { _, _ = io.Copy(up, c); _ = up.(*net.TCPConn).CloseWrite() }()
			_, _ = io.Copy(c, up)
		}()
	}
}
