package sbx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// GitDaemonPort is the sandbox port of the git daemon that serves sbx's
// own sandbox-<name> remote; sbx publishes it itself.
const GitDaemonPort = 9418

// PortsJSONVersion is the first sbx whose `ports` verb has --json (RN 0.45,
// H47); older releases print a table of HOST:PORT->PORT/PROTO mappings.
var PortsJSONVersion = Version{0, 45, 0}

// Ports lists what a sandbox publishes, from `sbx ports NAME` (--json where
// the version has it). sbx starts a stopped sandbox for this verb, so
// callers that only want to look use the ports of `sbx ls --json` (Get).
func (c *Client) Ports(ctx context.Context, name string) ([]Port, error) {
	caps, err := c.Probe(ctx)
	if err != nil {
		return nil, err
	}
	args := []string{"ports", name}
	if !caps.Version.Less(PortsJSONVersion) {
		args = append(args, "--json")
	}
	subject := fmt.Sprintf("list the ports of sandbox %q", name)
	out, err := c.call(ctx, subject, false, args...)
	var xe *xec.ExitError
	if err != nil && len(args) == 3 && errors.As(err, &xe) && strings.Contains(strings.ToLower(xe.Stderr), "unknown flag") {
		// An sbx older than its probe said (the cache outlived a
		// downgrade): its table.
		out, err = c.call(ctx, subject, false, args[:2]...)
	}
	if err != nil {
		return nil, portsError(name, err)
	}
	return ParsePorts([]byte(out))
}

// Publish publishes a sandbox port on the host (`sbx ports NAME --publish
// [HOST_PORT:]SANDBOX_PORT`): loopback only, sbx's default (tcp4), and an
// ephemeral host port when hostPort is 0. sbx starts a stopped sandbox
// first. What sbx prints is not read: callers list the ports afterwards.
func (c *Client) Publish(ctx context.Context, name string, sandboxPort, hostPort int) error {
	spec := strconv.Itoa(sandboxPort)
	if hostPort != 0 {
		spec = strconv.Itoa(hostPort) + ":" + spec
	}
	_, err := c.call(ctx, fmt.Sprintf("publish port %d of sandbox %q", sandboxPort, name), true, "ports", name, "--publish", spec)
	return portsError(name, err)
}

// Unpublish withdraws one published port (`--unpublish
// HOST_PORT:SANDBOX_PORT[/PROTOCOL]`, the protocol only when it is not
// sbx's default tcp4).
func (c *Client) Unpublish(ctx context.Context, name string, p Port) error {
	spec := strconv.Itoa(p.HostPort) + ":" + strconv.Itoa(p.SandboxPort)
	if p.Protocol != "" && p.Protocol != "tcp4" {
		spec += "/" + p.Protocol
	}
	_, err := c.call(ctx, fmt.Sprintf("withdraw port %d of sandbox %q", p.SandboxPort, name), true, "ports", name, "--unpublish", spec)
	return portsError(name, err)
}

// portsError recognises sbx's "no sandbox" answer, which is sbx's own
// text here (no command runs inside the sandbox), on either stream.
func portsError(name string, err error) error {
	var ce *CommandError
	if errors.As(err, &ce) && saysNoSandbox(ce.Text()) {
		return &NotFoundError{Name: name}
	}
	return err
}

// ParsePorts reads what `sbx ports NAME` prints, in every form seen or
// plausible: JSON as a bare array of rows or an object with a "ports"
// array (after lines of sbx's own text), rows of {host_ip, host_port,
// sandbox_port, protocol} with numbers as numbers or strings (camelCase
// keys accepted too); or, without --json, a table whose mappings read
// HOST_IP:HOST_PORT->SANDBOX_PORT/PROTOCOL, as in `sbx ls`'s PORTS column.
func ParsePorts(out []byte) ([]Port, error) {
	if len(bytes.TrimSpace(out)) == 0 {
		return nil, nil
	}
	var ports []Port
	err := jsonValues(out, func(raw json.RawMessage) error {
		rows, err := rowsOf(raw, "ports")
		if err != nil {
			return err
		}
		got := []Port{}
		for _, r := range rows {
			m, err := fields(r)
			if err != nil {
				return err
			}
			got = append(got, Port{HostIP: text(first(m, "host_ip", "hostIP", "hostIp")), HostPort: number(first(m, "host_port", "hostPort")),
				SandboxPort: number(first(m, "sandbox_port", "sandboxPort")), Protocol: text(first(m, "protocol"))})
		}
		ports = got
		return nil
	})
	if err == nil {
		return ports, nil
	}
	if !errors.Is(err, errNoJSON) {
		return nil, fmt.Errorf("sbx ports: %w", err)
	}
	for _, m := range arrowPort().FindAllStringSubmatch(string(out), -1) {
		hp, _ := strconv.Atoi(m[2])
		sp, _ := strconv.Atoi(m[3])
		ports = append(ports, Port{HostIP: strings.Trim(m[1], "[]"), HostPort: hp, SandboxPort: sp, Protocol: m[4]})
	}
	return ports, nil
}

// arrowPort is one mapping in sbx's table form: 127.0.0.1:8080->3000/tcp4,
// [::1]:8080->3000/tcp6; the protocol may be missing.
var arrowPort = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(\[[0-9a-fA-F:.]+\]|[0-9.]+|[0-9a-fA-F:]*::[0-9a-fA-F:]*|localhost):([0-9]{1,5})->([0-9]{1,5})(?:/([a-z0-9]+))?`)
})

func first(m map[string]json.RawMessage, keys ...string) json.RawMessage {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}
