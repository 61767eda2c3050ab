package sbx

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/git-airlock/git-airlock/internal/xec"
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
// cares. Flags moved between releases, so each is probed from help text.
type Capabilities struct {
	Version      Version `json:"version"`
	Clone        bool    `json:"clone"`          // create --clone
	DetachFlag   string  `json:"detach_flag"`    // "--detach" or "--detached"
	PolicyInit   string  `json:"policy_init"`    // "init" or "set-default"
	SecretGlobal string  `json:"secret_dialect"` // "sandbox-flag" (new) or "g-flag" (old)
}

// Newest is what dry-run assumes when sbx cannot be probed: the current CLI.
var Newest = Capabilities{Version: Version{0, 47, 0}, Clone: true, DetachFlag: "--detached", PolicyInit: "init", SecretGlobal: "sandbox-flag"}

// Probe finds the capabilities of the installed sbx, once per process and
// once per binary version on disk.
func (c *Client) Probe(ctx context.Context) (Capabilities, error) {
	if c.caps != nil {
		return *c.caps, nil
	}
	caps, err := c.probe(ctx)
	if err != nil && c.DryRun() {
		caps, err = Newest, nil
		c.caps = &caps
	}
	return caps, err
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
		key = cacheKey(path)
	}
	if caps, ok := c.readCache(key); ok {
		c.caps = &caps
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
		// said, which costs one call instead of five.
		sum := sha256.Sum256([]byte("ssh\x00" + c.Remote.Host.String() + "\x00" + strings.TrimSpace(out)))
		key = hex.EncodeToString(sum[:8])
		if caps, ok := c.readCache(key); ok {
			c.caps = &caps
			return caps, nil
		}
	}
	caps := Capabilities{Version: v, DetachFlag: "--detach", PolicyInit: "init", SecretGlobal: "sandbox-flag"}
	if help, err := c.call(ctx, "sbx create --help", false, "create", "--help"); err == nil {
		caps.Clone = strings.Contains(help, "--clone")
	}
	if help, err := c.call(ctx, "sbx run --help", false, "run", "--help"); err == nil && strings.Contains(help, "--detached") {
		caps.DetachFlag = "--detached"
	}
	if help, err := c.call(ctx, "sbx policy --help", false, "policy", "--help"); err == nil &&
		!regexp.MustCompile(`(?m)^\s+init\b`).MatchString(help) && strings.Contains(help, "set-default") {
		caps.PolicyInit = "set-default"
	}
	if help, err := c.call(ctx, "sbx secret set --help", false, "secret", "set", "--help"); err == nil &&
		!strings.Contains(help, "--sandbox") && strings.Contains(help, "--global") {
		caps.SecretGlobal = "g-flag"
	}
	c.caps = &caps
	if !c.DryRun() { // a dry run writes nothing, the cache included
		c.writeCache(key, caps)
	}
	return caps, nil
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
func cacheKey(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d\x00%d", path, fi.Size(), fi.ModTime().UnixNano())))
	return hex.EncodeToString(sum[:8])
}

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
