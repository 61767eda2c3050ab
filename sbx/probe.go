package sbx

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx/sbxspec"
)

// MinVersion is the oldest sbx with a working clone mode (0.31.0 lost
// sandboxes from `sbx ls`; 0.31.1 fixed it).
var MinVersion = Version{0, 31, 1}

// Version is a semantic version of sbx.
type Version [3]int

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]) }

// Less orders versions.
func (v Version) Less(o Version) bool {
	for i := range v {
		if v[i] != o[i] {
			return v[i] < o[i]
		}
	}
	return false
}

var versionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`v?(\d+)\.(\d+)\.(\d+)`) })

// ParseVersion finds the first version number in `sbx version` output.
func ParseVersion(s string) (Version, bool) {
	// Prefer the line that names sbx's own version over an update banner.
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(strings.ToLower(line), "version") {
			if v, ok := parseVersionIn(line); ok {
				return v, true
			}
		}
	}
	return parseVersionIn(s)
}

func parseVersionIn(s string) (Version, bool) {
	m := versionRE().FindStringSubmatch(s)
	if m == nil {
		return Version{}, false
	}
	var v Version
	for i := range v {
		v[i], _ = strconv.Atoi(m[i+1])
	}
	return v, true
}

// Capabilities is what the installed sbx supports, as far as git-airlock
// cares. Flags moved between releases, so each is probed from help text;
// what only a release says (not its help) is a method on the version.
type Capabilities struct {
	Version      Version       `json:"version"`
	Clone        bool          `json:"clone"`          // create --clone
	DetachFlag   DetachFlag    `json:"detach_flag"`    // run's flag to start without attaching
	PolicyInit   PolicyVerb    `json:"policy_init"`    // the verb that sets the default policy
	SecretGlobal SecretDialect `json:"secret_dialect"` // how `secret set` names its scope
	// NoInput: the global --no-input flag (0.48's CLI migration; on every
	// 0.53 reference page), read from the global flags of `sbx --help`.
	NoInput bool `json:"no_input"`
	// Settings: the `sbx settings` verb (get/set/list) exists.
	Settings bool `json:"settings"`
	// HostFetch is the verb that fetches host commits into a clone-mode
	// sandbox (0.55, name not documented): the command `sbx --help` lists
	// with a description of fetching from the host; "" when there is none.
	HostFetch string `json:"host_fetch,omitempty"`
}

// DetachFlag is run's flag to start a sandbox without attaching.
type DetachFlag string

const (
	FlagDetach   DetachFlag = "--detach"   // the docs before 0.45
	FlagDetached DetachFlag = "--detached" // 0.45 and newer (H45, H47)
)

// PolicyVerb is the `sbx policy` verb that sets the default network policy.
type PolicyVerb string

const (
	PolicyVerbInit       PolicyVerb = "init"        // 0.32 and newer: one-time
	PolicyVerbSetDefault PolicyVerb = "set-default" // 0.31: overwrites
)

// SecretDialect is how `sbx secret set` scopes a secret.
type SecretDialect string

const (
	SecretSandboxFlag SecretDialect = "sandbox-flag" // global by default, --sandbox N (0.32+)
	SecretGFlag       SecretDialect = "g-flag"       // -g SERVICE for global (0.31)
)

// Releases whose changes git-airlock follows from the version alone: no
// help text shows them (sbx-0.55-facts.md).
var (
	// ArgsKeptVersion: `run -- ARGS` keeps the image's own arguments (GH53).
	ArgsKeptVersion = Version{0, 53, 0}
	// DaemonLogsVersion: `sbx daemon logs [-n N]` (GH55, R-logs).
	DaemonLogsVersion = Version{0, 55, 0}
	// HostFetchVersion: sbx fetches host commits into a clone itself (GH55).
	HostFetchVersion = Version{0, 55, 0}
	// NoInputVersion: every reference page of this release lists the
	// global --no-input (R-logs, R-prune, R-df); it likely came with 0.48.
	NoInputVersion = Version{0, 53, 0}
)

// retiredAgents are the built-in agents sbx no longer creates sandboxes
// for, and the release that retired each: gemini in 0.53 (GH53).
// Sandboxes made before keep running.
var retiredAgents = map[string]Version{"gemini": {0, 53, 0}}

// Retired reports whether this sbx no longer creates sandboxes for the
// agent, and since which release.
func (c Capabilities) Retired(agent string) (since Version, retired bool) {
	since, ok := retiredAgents[agent]
	return since, ok && !c.Version.Less(since)
}

// ArgRule is how this sbx combines `run -- ARGS` with the agent's own.
func (c Capabilities) ArgRule() sbxspec.ArgRule {
	if c.Version.Less(ArgsKeptVersion) {
		return sbxspec.ArgsWordReplaces
	}
	return sbxspec.ArgsEntrypointKept
}

// DaemonLogs reports whether `sbx daemon logs` exists.
func (c Capabilities) DaemonLogs() bool { return !c.Version.Less(DaemonLogsVersion) }

// DaemonLogsCommand is the command that shows the daemon's last lines, or
// nil on an sbx without it.
func (c *Client) DaemonLogsCommand(caps Capabilities, lines int) []string {
	if !caps.DaemonLogs() {
		return nil
	}
	return []string{c.bin(), "daemon", "logs", "-n", strconv.Itoa(lines)}
}

// Newest is what dry-run assumes when sbx cannot be probed: the current CLI.
var Newest = Capabilities{Version: Version{0, 55, 0}, Clone: true, DetachFlag: FlagDetached, PolicyInit: PolicyVerbInit,
	SecretGlobal: SecretSandboxFlag, NoInput: true, Settings: true}

// Probe finds the capabilities of the installed sbx, once per process and
// once per binary version on disk.
func (c *Client) Probe(ctx context.Context) (Capabilities, error) {
	if caps, ok := c.probed(); ok {
		return caps, nil
	}
	caps, err := c.probe(ctx)
	if err != nil && c.DryRun() {
		caps, err = Newest, nil
		c.setCaps(caps, "")
	}
	return caps, err
}

func (c *Client) probed() (Capabilities, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.caps == nil {
		return Capabilities{}, false
	}
	return *c.caps, true
}

// setCaps records the probed capabilities and the cache entry that holds
// them ("" for none).
func (c *Client) setCaps(caps Capabilities, key string) {
	c.mu.Lock()
	c.caps, c.capsKey = &caps, key
	c.mu.Unlock()
}

// known is what the client knows of sbx without starting a process: what
// this process probed, or else what the cache holds for this machine's
// sbx. Before either, nothing is known (a server's sbx is known only once
// probed: its cache key needs `sbx version`).
func (c *Client) known() (Capabilities, bool) {
	if caps, ok := c.probed(); ok {
		return caps, true
	}
	if c.Remote != nil || c.CacheDir == "" {
		return Capabilities{}, false
	}
	path, err := xec.LookPath(c.bin())
	if err != nil {
		return Capabilities{}, false
	}
	return c.readCache(capsKey(path))
}

// forgetNoInput records that the installed sbx lacks NoInputFlag, in this
// process and in the cache entry its capabilities came from.
func (c *Client) forgetNoInput() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.caps != nil {
		caps := *c.caps
		caps.NoInput = false
		c.caps = &caps
	}
	key := c.capsKey
	if path, err := xec.LookPath(c.bin()); key == "" && c.Remote == nil && err == nil {
		key = capsKey(path)
	}
	if caps, ok := c.readCache(key); ok && !c.DryRun() {
		caps.NoInput = false
		c.writeCache(key, caps)
	}
}

func (c *Client) probe(ctx context.Context) (Capabilities, error) {
	// The cache is keyed by a local binary, or by a server and its sbx's
	// version (below).
	key := ""
	if c.Remote == nil {
		path, err := xec.LookPath(c.bin())
		if err != nil {
			return Capabilities{}, &MissingError{Bin: c.bin()}
		}
		key = capsKey(path)
	}
	if caps, ok := c.readCache(key); ok {
		c.setCaps(caps, key)
		return caps, nil
	}
	out, err := c.call(ctx, "sbx version", false, "version")
	if err != nil {
		return Capabilities{}, err
	}
	v, ok := ParseVersion(out)
	if !ok {
		return Capabilities{}, fmt.Errorf("sbx version: cannot find a version number in %q", strings.TrimSpace(out))
	}
	if c.Remote != nil {
		// Another machine's sbx: keyed by the host and what its version
		// said, which costs one call instead of six.
		sum := sha256.Sum256([]byte("ssh\x00" + c.Remote.Host.String() + "\x00" + strings.TrimSpace(out) + "\x00" + capsSchema()))
		key = hex.EncodeToString(sum[:8])
		if caps, ok := c.readCache(key); ok {
			c.setCaps(caps, key)
			return caps, nil
		}
	}
	caps := c.probeHelp(ctx, v)
	c.setCaps(caps, key)
	if !c.DryRun() { // a dry run writes nothing, the cache included
		c.writeCache(key, caps)
	}
	return caps, nil
}

// probeHelp reads the capabilities of sbx v from its help texts. A help
// that fails leaves the older dialect.
func (c *Client) probeHelp(ctx context.Context, v Version) Capabilities {
	caps := Capabilities{Version: v, DetachFlag: FlagDetach, PolicyInit: PolicyVerbInit, SecretGlobal: SecretSandboxFlag}
	if help, err := c.call(ctx, "sbx --help", false, "--help"); err == nil {
		root := ParseRootHelp(help)
		caps.NoInput = root.Flags["--no-input"]
		_, caps.Settings = root.Commands["settings"]
		caps.HostFetch = root.HostFetch()
	}
	if help, err := c.call(ctx, "sbx create --help", false, "create", "--help"); err == nil {
		caps.Clone = strings.Contains(help, "--clone")
	}
	if help, err := c.call(ctx, "sbx run --help", false, "run", "--help"); err == nil && strings.Contains(help, "--detached") {
		caps.DetachFlag = FlagDetached
	}
	if help, err := c.call(ctx, "sbx policy --help", false, "policy", "--help"); err == nil &&
		!regexp.MustCompile(`(?m)^\s+init\b`).MatchString(help) && strings.Contains(help, "set-default") {
		caps.PolicyInit = PolicyVerbSetDefault
	}
	if help, err := c.call(ctx, "sbx secret set --help", false, "secret", "set", "--help"); err == nil &&
		!strings.Contains(help, "--sandbox") && strings.Contains(help, "--global") {
		caps.SecretGlobal = SecretGFlag
	}
	return caps
}

// RootHelp is what `sbx --help` lists: its commands with their one-line
// descriptions, and its (global) flags.
type RootHelp struct {
	Commands map[string]string
	Flags    map[string]bool
}

var (
	helpCommand = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^  ([a-z][a-z0-9-]*)\s{2,}(\S.*)$`) })
	helpFlag    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)\b`) })
)

// ParseRootHelp reads cobra's help layout: command rows (two spaces, the
// name, two or more spaces, the description) in a section whose heading
// ends in "Commands:", flag rows in one whose heading ends in "Flags:" or
// "options:".
func ParseRootHelp(help string) RootHelp {
	h := RootHelp{Commands: map[string]string{}, Flags: map[string]bool{}}
	section := ""
	for _, line := range strings.Split(help, "\n") {
		line = strings.TrimRight(line, "\r ")
		low := strings.ToLower(line)
		switch {
		case line == "":
			continue
		case !strings.HasPrefix(line, " ") && strings.HasSuffix(low, "commands:"):
			section = "commands"
			continue
		case !strings.HasPrefix(line, " ") && (strings.HasSuffix(low, "flags:") || strings.HasSuffix(low, "options:")):
			section = "flags"
			continue
		case !strings.HasPrefix(line, " "):
			section = ""
			continue
		}
		if m := helpCommand().FindStringSubmatch(line); section == "commands" && m != nil {
			h.Commands[m[1]] = strings.TrimSpace(m[2])
		}
		if m := helpFlag().FindStringSubmatch(line); section == "flags" && m != nil {
			h.Flags[m[1]] = true
		}
	}
	return h
}

// HostFetch is the command that fetches host commits into a clone-mode
// sandbox: its name is not documented, so it is the one whose description
// speaks of fetching from the host ("" when none does).
func (h RootHelp) HostFetch() string {
	names := make([]string, 0, len(h.Commands))
	for name := range h.Commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		d := strings.ToLower(h.Commands[name])
		if strings.Contains(d, "fetch") && strings.Contains(d, "host") {
			return name
		}
	}
	return ""
}

// RequireClone fails unless the installed sbx has a usable clone mode.
func (c *Client) RequireClone(ctx context.Context) (Capabilities, error) {
	caps, err := c.Probe(ctx)
	if err != nil {
		return caps, err
	}
	if !caps.Clone || caps.Version.Less(MinVersion) {
		return caps, &UnsupportedError{Version: caps.Version.String(), Feature: "clone mode (--clone, sbx " + MinVersion.String() + " or newer)"}
	}
	return caps, nil
}

// cacheKey names a binary by path, size and modification time, so that an
// upgrade in place is probed again without running `sbx version` each time.
func cacheKey(path string, extra ...string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d\x00%d\x00%s", path, fi.Size(), fi.ModTime().UnixNano(), strings.Join(extra, "\x00"))))
	return hex.EncodeToString(sum[:8])
}

// capsKey is the capability cache's key for a binary: its cacheKey and the
// schema of what is cached, so that a Capabilities of another shape (a
// field added, renamed or retyped, or capsRevision bumped) is probed
// afresh instead of reading its new fields as zero until sbx changes.
func capsKey(path string) string { return cacheKey(path, capsSchema()) }

// capsRevision counts changes in how a field of Capabilities is probed or
// what it means; changes of its shape need no bump (capsSchema).
const capsRevision = 2

// capsSchema is capsRevision and the shape of Capabilities: every field's
// name, type and JSON name.
var capsSchema = sync.OnceValue(func() string {
	var b strings.Builder
	fmt.Fprintf(&b, "caps/%d", capsRevision)
	t := reflect.TypeOf(Capabilities{})
	for i := range t.NumField() {
		f := t.Field(i)
		fmt.Fprintf(&b, ";%s %s %s", f.Name, f.Type, f.Tag.Get("json"))
	}
	return b.String()
})

func (c *Client) readCache(key string) (Capabilities, bool) {
	if c.CacheDir == "" || key == "" {
		return Capabilities{}, false
	}
	b, err := os.ReadFile(filepath.Join(c.CacheDir, "sbx-"+key+".json"))
	if err != nil {
		return Capabilities{}, false
	}
	var caps Capabilities
	return caps, json.Unmarshal(b, &caps) == nil && caps.Version != (Version{})
}

func (c *Client) writeCache(key string, caps Capabilities) {
	if c.CacheDir == "" || key == "" {
		return
	}
	b, _ := json.Marshal(caps)
	if os.MkdirAll(c.CacheDir, 0o755) == nil {
		tmp := filepath.Join(c.CacheDir, ".sbx-"+key+".tmp")
		if os.WriteFile(tmp, b, 0o644) == nil {
			_ = os.Rename(tmp, filepath.Join(c.CacheDir, "sbx-"+key+".json"))
		}
	}
}

// CacheDir is where probed capabilities are kept ($XDG_CACHE_HOME, else
// ~/.cache, /git-airlock), read from env: git-airlock and its remote
// helper share it, so the helper's tunnels know what sbx has (--no-input)
// without probing.
func CacheDir(env func(string) (string, bool)) string {
	if d, ok := env("XDG_CACHE_HOME"); ok && d != "" {
		return filepath.Join(d, "git-airlock")
	}
	if h, ok := env("HOME"); ok && h != "" {
		return filepath.Join(h, ".cache", "git-airlock")
	}
	return ""
}
