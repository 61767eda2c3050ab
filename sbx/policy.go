package sbx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// PolicyInitialised reports whether a default network policy was chosen,
// asking sbx (`policy ls`), and records the answer for
// PolicyKnownInitialised. Under dry-run a failed read (no sbx) answers
// false, so that the init command is shown.
func (c *Client) PolicyInitialised(ctx context.Context) (bool, error) {
	out, err := c.call(ctx, "read network policy", false, "policy", "ls")
	if err != nil {
		if errors.Is(err, ErrPolicyNotInitialised) || c.DryRun() {
			return false, nil
		}
		return false, err
	}
	low := strings.ToLower(out)
	ok := !strings.Contains(low, "not been initialized") && !strings.Contains(low, "not initialized")
	if ok {
		c.rememberPolicy()
	} else {
		c.forgetPolicy()
	}
	return ok, nil
}

// PolicyKnownInitialised is PolicyInitialised answered from the record of
// an earlier answer when there is one: a default policy, once chosen, is
// only undone by `sbx policy reset`. The record is per user and per sbx
// binary (path, size, modification time: an upgrade asks again), in
// CacheDir; it is written when sbx says a default exists or git-airlock
// set one, and dropped when git-airlock resets the policy or any sbx call
// fails because no default exists (ErrPolicyNotInitialised), so the next
// command asks sbx again. doctor, setup, lockdown and unlock always ask.
func (c *Client) PolicyKnownInitialised(ctx context.Context) (bool, error) {
	if p := c.policyRecord(); p != "" {
		if _, err := os.Stat(p); err == nil {
			return true, nil
		}
	}
	return c.PolicyInitialised(ctx)
}

// policyRecord is the path of the "default policy chosen" record for the
// installed sbx, or "" when there is no cache. A server's sbx has none:
// its binary cannot be looked at from here, and this machine's sbx (which
// LookPath would find) says nothing of the server's policy.
func (c *Client) policyRecord() string {
	if c.CacheDir == "" || c.Remote != nil {
		return ""
	}
	path, err := xec.LookPath(c.bin())
	if err != nil {
		return ""
	}
	key := cacheKey(path)
	if key == "" {
		return ""
	}
	return filepath.Join(c.CacheDir, "sbx-"+key+"-policy-initialised")
}

func (c *Client) rememberPolicy() {
	p := c.policyRecord()
	if p == "" || c.DryRun() { // a dry run writes nothing, the cache included
		return
	}
	if os.MkdirAll(c.CacheDir, 0o755) == nil {
		_ = os.WriteFile(p, nil, 0o644)
	}
}

func (c *Client) forgetPolicy() {
	if p := c.policyRecord(); p != "" && !c.DryRun() {
		_ = os.Remove(p)
		_ = os.Remove(presetRecord(p))
	}
}

// presetRecord is the path of the record of the preset git-airlock set,
// beside the policy record.
func presetRecord(policyRecord string) string {
	return strings.TrimSuffix(policyRecord, "-initialised") + "-preset"
}

// PolicyPreset is the default network policy git-airlock itself set on
// this sbx (PolicyInit), or "" when it did not, or cannot know: sbx prints
// no preset, so one chosen at sbx's own prompt, with `sbx policy init` by
// hand or before the record was kept is never known. The record goes with
// the policy record (a reset, a failure for want of a policy, an upgrade).
func (c *Client) PolicyPreset() string {
	p := c.policyRecord()
	if p == "" {
		return ""
	}
	b, err := os.ReadFile(presetRecord(p))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// PolicyInit sets the default network policy, with whichever verb the
// installed sbx has (`policy init`, formerly `policy set-default`).
func (c *Client) PolicyInit(ctx context.Context, preset string) error {
	caps, err := c.Probe(ctx)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, fmt.Sprintf("set default network policy %q", preset), true, c.PolicyInitCommand(caps, preset)[1:]...)
	if err == nil || errors.Is(err, ErrPolicyAlreadyInitialised) {
		c.rememberPolicy()
	}
	if p := c.policyRecord(); err == nil && p != "" && !c.DryRun() {
		// set-default overwrites, init sets once: either way it is this now.
		_ = os.WriteFile(presetRecord(p), []byte(preset+"\n"), 0o644)
	}
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
	if caps.SecretGlobal == SecretGFlag {
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
	return []string{c.bin(), "policy", string(caps.PolicyInit), preset}
}

// Secret is one stored credential's service and scope (never its value).
// Scope is "global" or "sandbox:<name>", whatever the sbx release printed.
type Secret struct {
	Service string `json:"service"`
	Scope   string `json:"scope"`
}

// SecretsJSONVersion is the first sbx with `secret ls --json` (0.38 says
// "unknown flag").
var SecretsJSONVersion = Version{0, 42, 0}

// Secrets lists the stored credentials (`sbx secret ls --json`); older sbx
// gives an *UnsupportedError rather than a table to guess at.
func (c *Client) Secrets(ctx context.Context) ([]Secret, error) {
	caps, err := c.Probe(ctx)
	if err != nil {
		return nil, err
	}
	if caps.Version.Less(SecretsJSONVersion) {
		return nil, &UnsupportedError{Version: caps.Version.String(), Feature: "listing secrets as JSON (secret ls --json, sbx " + SecretsJSONVersion.String() + " or newer)"}
	}
	out, err := c.call(ctx, "list secrets", false, "secret", "ls", "--json")
	if err != nil {
		if c.DryRun() {
			return nil, nil
		}
		return nil, err
	}
	return parseSecrets([]byte(out))
}

// ErrPolicyAlreadyInitialised: `policy init` refuses to change an existing
// default; only `policy reset` starts over.
var ErrPolicyAlreadyInitialised = errors.New("sbx network policy is already initialised")

// PolicyReset deletes sbx's local policy store (every local rule) and
// restarts its daemon, which stops running sandboxes.
func (c *Client) PolicyReset(ctx context.Context) error {
	c.forgetPolicy()
	_, err := c.call(ctx, "reset network policy", true, "policy", "reset", "--force")
	return err
}
