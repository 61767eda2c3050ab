package sbx

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// Sandbox is one row of `sbx ls --json`.
type Sandbox struct {
	Name       string   `json:"name"`
	Agent      string   `json:"agent"`
	Status     string   `json:"status"` // running, stopped
	Workspaces []string `json:"workspaces"`
	Ports      []Port   `json:"ports"`
}

// Port is a published port of a sandbox.
type Port struct {
	HostIP      string `json:"host_ip"`
	HostPort    int    `json:"host_port"`
	SandboxPort int    `json:"sandbox_port"`
	Protocol    string `json:"protocol"`
}

// Running reports whether the sandbox is up.
func (s Sandbox) Running() bool { return s.Status == "running" }

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

// List returns every local sandbox. Under dry-run a failed read (no sbx)
// returns none, and the first answer is every later one's: a dry run
// changes nothing sbx lists, so `up --dry-run` asks once.
func (c *Client) List(ctx context.Context) ([]Sandbox, error) {
	if c.DryRun() {
		c.dryMu.Lock()
		defer c.dryMu.Unlock()
		if c.dryList == nil {
			list, err := c.list(ctx)
			if err != nil {
				list = nil
			}
			c.dryList = &list
		}
		return slices.Clone(*c.dryList), nil
	}
	return c.list(ctx)
}

func (c *Client) list(ctx context.Context) ([]Sandbox, error) {
	out, err, early := c.Early.take(c)
	if !early {
		out, err = c.call(ctx, "list sandboxes", false, "ls", "--json")
	}
	if err != nil {
		return nil, err
	}
	return ParseList([]byte(out))
}

// Get returns one sandbox or a *NotFoundError.
func (c *Client) Get(ctx context.Context, name string) (Sandbox, error) {
	list, err := c.List(ctx)
	if err != nil {
		return Sandbox{}, err
	}
	for _, s := range list {
		if s.Name == name {
			return s, nil
		}
	}
	return Sandbox{}, &NotFoundError{Name: name}
}

// CreateRequest creates a clone-mode sandbox without attaching to it.
type CreateRequest struct {
	Name  string // required
	Agent string // required
	Path  string // required: absolute path of the host repository
}

// Create runs `sbx create --clone`. Creating a VM is slow, and a first
// image pull can take minutes, so it has its own limit (CreateTimeout). An
// agent this sbx retired is a *RetiredAgentError before sbx is asked.
func (c *Client) Create(ctx context.Context, req CreateRequest) error {
	caps, err := c.RequireClone(ctx)
	if err != nil {
		return err
	}
	if err := caps.RequireAgent(req.Agent); err != nil {
		return err
	}
	cmd := xec.Cmd{Argv: c.argv("create", "--clone", "--name", req.Name, req.Agent, req.Path),
		Timeout: c.createTimeout(), Mutates: true}
	out, err := c.output(ctx, cmd)
	if err == nil {
		return nil
	}
	typed := c.classifyOutput(fmt.Sprintf("create sandbox %q", req.Name), err, string(out))
	var ce *CommandError
	if errors.As(typed, &ce) && refusesAgent(ce.Text(), req.Agent) {
		return &RetiredAgentError{Agent: req.Agent, Version: caps.Version, Said: oneLine([]byte(ce.Text()))}
	}
	return typed
}

// RetiredAgentError: the installed sbx no longer creates sandboxes for the
// agent. Since is the release that retired it, when git-airlock knows it;
// Said is sbx's own refusal, when sbx was asked.
type RetiredAgentError struct {
	Agent   string
	Version Version
	Since   Version
	Said    string
}

func (e *RetiredAgentError) Error() string {
	if e.Since != (Version{}) {
		return fmt.Sprintf("sbx %s no longer runs the %s agent (retired in sbx %s)", e.Version, e.Agent, e.Since)
	}
	return fmt.Sprintf("sbx %s refuses the %s agent: %s", e.Version, e.Agent, e.Said)
}

// RequireAgent fails with a *RetiredAgentError for an agent this sbx
// retired.
func (c Capabilities) RequireAgent(agent string) error {
	if since, retired := c.Retired(agent); retired {
		return &RetiredAgentError{Agent: agent, Version: c.Version, Since: since}
	}
	return nil
}

// refusesAgent recognises sbx's refusal of an agent by name, in either
// wording a retirement may take: a retired or no longer available agent,
// or one sbx does not know at all.
func refusesAgent(text, agent string) bool {
	for _, line := range strings.Split(strings.ToLower(text), "\n") {
		if !strings.Contains(line, strings.ToLower(agent)) {
			continue
		}
		for _, w := range []string{"retired", "no longer", "unknown agent", "not supported", "unsupported agent", "deprecated"} {
			if strings.Contains(line, w) {
				return true
			}
		}
	}
	return false
}

// Attach runs the agent of an existing sandbox in the terminal
// (`sbx run --name N [-- args]`). Interactive: no timeout.
func (c *Client) Attach(ctx context.Context, name string, agentArgs []string, s xec.Streams) error {
	argv := []string{c.bin(), "run", "--name", name}
	if len(agentArgs) > 0 {
		argv = append(append(argv, "--"), agentArgs...)
	}
	err := c.run(ctx, xec.Cmd{Argv: argv, Stdin: s.In, Stdout: s.Out, Stderr: s.Err, Mutates: true}, true)
	if err != nil {
		return c.classify(fmt.Sprintf("run agent in sandbox %q", name), err)
	}
	return nil
}

// ExecRequest runs a command inside a sandbox, without a shell. sbx starts a
// stopped sandbox first.
type ExecRequest struct {
	Name        string   // required
	Argv        []string // required
	Env         []string // KEY=VALUE, passed with -e
	Dir         string   // -w
	Interactive bool     // -i: pass stdin
	TTY         bool     // -t
	Streams     xec.Streams
	// Stream disables the timeout, for long transfers and agent runs.
	Stream bool
	// Mutates: the command changes the sandbox (printed under dry-run).
	Mutates bool
	// MaxOutput bounds what ExecOutput reads of the command's stdout (and
	// of its stderr): for a caller that legitimately needs more than the
	// client's limit. 0: the client's limit.
	MaxOutput int64
}

// execArgv is the exec command line: NoInputFlag first among exec's
// flags where the sbx has it, unless the command gets a terminal (where
// the user answers).
func (c *Client) execArgv(req ExecRequest) []string {
	argv := []string{c.bin(), "exec"}
	if !req.TTY && c.noInput() {
		argv = append(argv, NoInputFlag)
	}
	if req.Interactive {
		argv = append(argv, "-i")
	}
	if req.TTY {
		argv = append(argv, "-t")
	}
	for _, e := range req.Env {
		argv = append(argv, "-e", e)
	}
	if req.Dir != "" {
		argv = append(argv, "-w", req.Dir)
	}
	return append(append(argv, req.Name), req.Argv...)
}

// Tunnel runs a command in the sandbox as one end of a byte stream (the
// remote helper's git service): stdin is passed on (-i) exactly as given,
// so that a caller can hand over an *os.File for the child to read
// directly; stdout and stderr go to the given writers; there is no timeout,
// since a transfer lasts as long as it lasts. A missing sbx comes back as a
// *MissingError and a non-zero exit as an *ExitError with the code; sbx's
// stderr is not classified, since whatever it said has already streamed to
// Streams.Err and only the code is the caller's to act on.
func (c *Client) Tunnel(ctx context.Context, req ExecRequest) error {
	req.Interactive = true
	cmd := xec.Cmd{Argv: c.execArgv(req), Stdin: req.Streams.In, Stdout: req.Streams.Out,
		Stderr: req.Streams.Err, Mutates: req.Mutates || c.DryRun()}
	err := c.run(ctx, cmd, false)
	var ue *UnreachableError
	if errors.As(err, &ue) {
		return ue
	}
	var nf *xec.NotFoundError
	if errors.As(err, &nf) {
		return &MissingError{Bin: nf.Program}
	}
	var ee *xec.ExitError
	if errors.As(err, &ee) {
		return &ExitError{Name: req.Name, Code: ee.Code, Err: err}
	}
	return err
}

// Stop stops a sandbox; its clone and state are kept.
// A sandbox sbx says it has no sandbox of that name for is a
// *NotFoundError: sbx's own answer for the name, which rm takes as gone.
func (c *Client) Stop(ctx context.Context, name string) error {
	_, err := c.call(ctx, fmt.Sprintf("stop sandbox %q", name), true, "stop", name)
	return missingFor(name, err)
}

// Remove deletes a sandbox and its clone for good, ending its sessions
// (--force). Callers must have made sure nothing in it is lost and that no
// session is open (or that the user said to end it). A missing sandbox is
// a *NotFoundError.
func (c *Client) Remove(ctx context.Context, name string) error {
	_, err := c.call(ctx, fmt.Sprintf("remove sandbox %q", name), true, "rm", "--force", name)
	return missingFor(name, err)
}

// missingFor types sbx's failure of a verb on one sandbox: when its own
// text says there is no sandbox of that name, a *NotFoundError.
func missingFor(name string, err error) error {
	var ce *CommandError
	if errors.As(err, &ce) && saysNoSandbox(ce.Text()) {
		return &NotFoundError{Name: name}
	}
	return err
}

// Copy copies a host path into the sandbox at an absolute path.
func (c *Client) Copy(ctx context.Context, name, src, dst string) error {
	_, err := c.call(ctx, fmt.Sprintf("copy %q into sandbox %q", src, name), true, "cp", src, name+":"+dst)
	return err
}

// Login runs `sbx login` in the terminal.
func (c *Client) Login(ctx context.Context, s xec.Streams) error {
	err := c.run(ctx, xec.Cmd{Argv: c.LoginCommand(), Stdin: s.In, Stdout: s.Out, Stderr: s.Err, Mutates: true}, true)
	if err != nil {
		return classify("sbx login", err)
	}
	return nil
}

// Ping checks that sbx can reach its daemon and is logged in, cheaply.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.List(ctx)
	return err
}

// InstallCommands returns the documented install commands for an OS, as
// argv lists that can be run one by one; nil where the documented install
// needs a shell pipeline (Linux), which setup prints instead of running.
func InstallCommands(goos string) [][]string {
	switch goos {
	case "darwin":
		return [][]string{{"brew", "trust", "docker/tap"}, {"brew", "install", "docker/tap/sbx"}}
	case "windows":
		return [][]string{{"winget", "install", "-h", "Docker.sbx"}}
	}
	return nil
}

// LinuxInstallText is the documented Linux install (Ubuntu 24.04+).
const LinuxInstallText = "curl -fsSL https://get.docker.com | sudo REPO_ONLY=1 sh && sudo apt install docker-sbx"

// Install runs one install command in the terminal.
func (c *Client) Install(ctx context.Context, argv []string, s xec.Streams) error {
	return c.Run.Run(ctx, xec.Cmd{Argv: argv, Stdin: s.In, Stdout: s.Out, Stderr: s.Err, Mutates: true})
}
