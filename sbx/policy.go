package sbx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// PolicyInitialised reports whether a default network policy was chosen.
// Under dry-run it answers false so that the init command is shown.
func (c *Client) PolicyInitialised(ctx context.Context) (bool, error) {
	if c.DryRun() {
		return false, nil
	}
	out, err := c.call(ctx, "read network policy", false, "policy", "ls")
	if err != nil {
		if errors.Is(err, ErrPolicyNotInitialised) {
			return false, nil
		}
		return false, err
	}
	low := strings.ToLower(out)
	return !strings.Contains(low, "not been initialized") && !strings.Contains(low, "not initialized"), nil
}

// PolicyInit sets the default network policy, with whichever verb the
// installed sbx has (`policy init`, formerly `policy set-default`).
func (c *Client) PolicyInit(ctx context.Context, preset string) error {
	caps, err := c.Probe(ctx)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, fmt.Sprintf("set default network policy %q", preset), true, c.PolicyInitCommand(caps, preset)[1:]...)
	return err
}

// PolicyAllow adds allow rules, for one sandbox when name is set.
func (c *Client) PolicyAllow(ctx context.Context, name string, hosts []string) error {
	args := []string{"policy", "allow", "network"}
	if name != "" {
		args = append(args, "--sandbox", name)
	}
	args = append(args, strings.Join(hosts, ","))
	_, err := c.call(ctx, "allow network hosts", true, args...)
	return err
}

// PolicyLog returns sbx's network log text for a sandbox.
func (c *Client) PolicyLog(ctx context.Context, name string) (string, error) {
	args := []string{"policy", "log"}
	if name != "" {
		args = append(args, name)
	}
	return c.call(ctx, "read network log", false, args...)
}

// SecretSetCommand is the exact command a user runs to store an agent's
// credential, for the installed sbx dialect. The value never passes through
// git-airlock: sbx reads it from its own prompt or stdin.
func (c *Client) SecretSetCommand(caps Capabilities, service string) []string {
	if caps.SecretGlobal == "g-flag" {
		return []string{c.bin(), "secret", "set", "-g", service}
	}
	return []string{c.bin(), "secret", "set", service}
}

// LoginCommand is the command that signs sbx in to Docker, for a user to
// run or confirm.
func (c *Client) LoginCommand() []string { return []string{c.bin(), "login"} }

// PolicyInitCommand is the command that sets the default network policy
// on the installed sbx dialect, for a user to run or confirm.
func (c *Client) PolicyInitCommand(caps Capabilities, preset string) []string {
	return []string{c.bin(), "policy", caps.PolicyInit, preset}
}

// Secret is one stored credential's service and scope (never its value).
type Secret struct {
	Service string `json:"service"`
	Scope   string `json:"scope"`
}

// Secrets lists the stored credentials (`sbx secret ls --json`). The
// schema is undocumented: accept an array or an object holding one.
func (c *Client) Secrets(ctx context.Context) ([]Secret, error) {
	out, err := c.call(ctx, "list secrets", false, "secret", "ls", "--json")
	if err != nil || c.DryRun() {
		return nil, err
	}
	return parseSecrets([]byte(out))
}

func parseSecrets(out []byte) ([]Secret, error) {
	out = bytes.TrimSpace(out)
	if i := bytes.IndexAny(out, "[{"); i > 0 {
		out = out[i:]
	}
	if len(out) == 0 {
		return nil, nil
	}
	var list []Secret
	if out[0] == '{' {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(out, &obj); err != nil {
			return nil, fmt.Errorf("sbx secret ls --json: %w", err)
		}
		for _, v := range obj {
			if json.Unmarshal(v, &list) == nil {
				return list, nil
			}
		}
		return nil, nil
	}
	if err := json.Unmarshal(out, &list); err != nil {
		return nil, fmt.Errorf("sbx secret ls --json: %w", err)
	}
	return list, nil
}

// ErrPolicyAlreadyInitialised: `policy init` refuses to change an existing
// default; only `policy reset` starts over.
var ErrPolicyAlreadyInitialised = errors.New("sbx network policy is already initialised")

// PolicyReset deletes sbx's local policy store (every local rule) and
// restarts its daemon, which stops running sandboxes.
func (c *Client) PolicyReset(ctx context.Context) error {
	_, err := c.call(ctx, "reset network policy", true, "policy", "reset", "--force")
	return err
}
