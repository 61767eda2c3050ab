// Package config owns git-airlock's settings: the Settings type, the layered
// loading and its precedence, the origin of every value, and validation.
//
// Precedence, lowest first: built-in defaults < .airlock.toml at the
// repository root (only allowlisted keys, only once trusted) < git config
// (system < global < local < worktree < command line, ordered by git itself)
// < environment variables (code-airlock's names) < command-line flags.
//
// The loader is the only reader of the environment; callers hand it a lookup
// function.
package config

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/agent"
	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/sbx/sbxspec"
)

// Source is the layer a value came from.
type Source int

const (
	Default Source = iota
	File
	GitConfig
	Env
	Flag
)

// Origin says where a value came from.
type Origin struct {
	Source Source
	Scope  string // git config scope, for GitConfig
	Where  string // file, env variable or flag name
}

func (o Origin) String() string {
	switch o.Source {
	case File:
		return o.Where
	case GitConfig:
		return fmt.Sprintf("git config --%s (%s)", o.Scope, o.Where)
	case Env:
		return "env " + o.Where
	case Flag:
		return "flag --" + o.Where
	}
	return "default"
}

// Kind is a value's type.
type Kind int

const (
	String Kind = iota
	Bool
	List
	Duration
)

// Key describes one setting, airlock.<Name> in git config.
type Key struct {
	Name    string
	Kind    Kind
	Env     string // code-airlock's variable name, if any
	Flag    string // global flag name, if any
	InFile  bool   // may be set in .airlock.toml (never for anything naming a program, command line or host path)
	Default []string
	Help    string
	check   func(string) error
}

// DefaultAllow is code-airlock's default network allowlist: the agents'
// model APIs, GitHub and npm.
var DefaultAllow = []string{"api.anthropic.com", "*.anthropic.com", "api.openai.com", "*.openai.com",
	"github.com", "*.github.com", "codeload.github.com", "objects.githubusercontent.com",
	"registry.npmjs.org", "*.npmjs.org"}

// Keys is every setting, in the order `git airlock config` lists them.
var Keys = []*Key{
	{Name: "agent", Env: "AGENT", Flag: "agent", InFile: true, Default: []string{"claude"},
		Help: "agent to run: " + strings.Join(agent.Names(), ", "), check: checkAgent},
	{Name: "name", Env: "SANDBOX_NAME", Flag: "name",
		Help: "sandbox name (default: <agent>-<folder>-<hash of the repository path>)", check: sbxspec.ValidateName},
	{Name: "networkPolicy", Env: "GLOBAL_NETWORK_POLICY", InFile: true, Default: []string{"balanced"},
		Help: "sbx default network policy set up once: allow-all, balanced or deny-all", check: checkPolicy},
	{Name: "allow", Kind: List, Env: "ALLOW", InFile: true, Default: DefaultAllow,
		Help: "network allowlist for lockdown (multi-valued; ALLOW is comma-separated)", check: checkHost},
	{Name: "base", InFile: true, Help: "host branch that diff, review and merge compare with (default: the current branch)"},
	{Name: "wakeOnFetch", Kind: Bool, Default: []string{"true"},
		Help: "a fetch of a stopped sandbox starts it; false leaves it asleep and its refs unchanged"},
	{Name: "protect", Kind: List, InFile: true, Help: "extra paths that inspect treats as high risk (multi-valued; 'dir/**', a base name, or a path pattern)"},
	{Name: "seedConfig", Kind: Bool, Env: "SEED_CONFIG", Flag: "seed-config", Default: []string{"false"},
		Help: "copy the agent's curated user config (no credentials, histories or caches) into a new sandbox"},
	{Name: "seedPath", Kind: List, Env: "SEED_PATHS", Help: "extra paths under $HOME to copy into a new sandbox (multi-valued; never from .airlock.toml)"},
	{Name: "reviewTool", Env: "REVIEW_TOOL", Help: "git difftool used by review (default: diff.tool, then a built-in choice)"},
	{Name: "tmuxSession", Env: "TMUX_SESSION", Help: "tmux session name for --tmux (default: airlock-<sandbox>)"},
	{Name: "notify", Default: []string{"false"}, check: checkNotify,
		Help: "notify when wait, run or up ends: true (notify-send, osascript, else the terminal), terminal (bell and OSC 9/777), false, or a program run as PROGRAM SUMMARY BODY (never from .airlock.toml)"},
	{Name: "timeout", Kind: Duration, Default: []string{"60s"}, Help: "time limit for each non-interactive sbx call", check: checkDuration},
	{Name: "maxRefs", Default: []string{"200000"}, check: checkSize,
		Help: "most refs a fetch of a sandbox takes; a longer advertisement ends that fetch (0: no limit)"},
	{Name: "maxRefBytes", Default: []string{"64m"}, check: checkSize,
		Help: "most bytes of refs a fetch of a sandbox takes, with git's k, m, g suffixes (0: no limit)"},
	{Name: "createTimeout", Kind: Duration, Default: []string{"10m"},
		Help: "time limit for creating a sandbox (a first image pull can take minutes)", check: checkDuration},
	// host and sshCommand are never read from .airlock.toml: a committed
	// file must not send the repository to a machine or name a program.
	{Name: "host", Env: "AIRLOCK_HOST", Flag: "host",
		Help: "[user@]server[:port]: create sandboxes on that machine over ssh (default: this machine)", check: checkSSHHost},
	{Name: "sshCommand", Help: "ssh command for airlock.host, run by sh like git's core.sshCommand (default: ssh)"},
	{Name: "sshShare", Kind: Bool, Default: []string{"true"},
		Help: "share one ssh connection per server between calls (ControlMaster, kept 60s)"},
}

// Lookup finds a key by name, case-insensitively as git does; ok is false
// for a name no key has (user input: a file, git config, a command line).
func Lookup(name string) (k *Key, ok bool) {
	name = strings.TrimPrefix(strings.ToLower(name), "airlock.")
	for _, k := range Keys {
		if strings.ToLower(k.Name) == name {
			return k, true
		}
	}
	return nil, false
}

// Must is the key of a name the program itself spells; an unknown one is
// a programming error.
func Must(name string) *Key {
	k, ok := Lookup(name)
	if !ok {
		panic("config: no key " + name)
	}
	return k
}

// Value is a setting's effective value.
type Value struct {
	Key    *Key
	Values []string // one for scalars, any number for lists
	Origin Origin
}

// Scalar returns the single value, or "" when unset.
func (v *Value) Scalar() string {
	if len(v.Values) == 0 {
		return ""
	}
	return v.Values[len(v.Values)-1]
}

// Settings are the effective settings.
type Settings struct {
	values   map[string]*Value
	File     FileState
	Warnings []Warning // for stderr: ignored keys, untrusted file
}

// Warning is something the user should know about the settings, with the
// next step when there is one.
type Warning struct {
	Text string
	Hint string
	// Untrusted: the file's settings are ignored until `git airlock
	// trust`, which therefore does not print it.
	Untrusted bool
}

// Get returns the value of a key by name.
func (s *Settings) Get(name string) *Value { return s.values[Must(name).Name] }

// All lists every setting in Keys order.
func (s *Settings) All() []*Value {
	out := make([]*Value, 0, len(Keys))
	for _, k := range Keys {
		out = append(out, s.values[k.Name])
	}
	return out
}

func (s *Settings) str(name string) string { return s.values[name].Scalar() }

func (s *Settings) boolean(name string) bool {
	b, _ := ParseBool(s.str(name))
	return b
}

func (s *Settings) Agent() string         { return s.str("agent") }
func (s *Settings) Name() string          { return s.str("name") }
func (s *Settings) NetworkPolicy() string { return s.str("networkPolicy") }
func (s *Settings) Allow() []string       { return s.values["allow"].Values }
func (s *Settings) Base() string          { return s.str("base") }
func (s *Settings) Protect() []string     { return s.values["protect"].Values }
func (s *Settings) SeedConfig() bool      { return s.boolean("seedConfig") }
func (s *Settings) SeedPaths() []string   { return s.values["seedPath"].Values }
func (s *Settings) ReviewTool() string    { return s.str("reviewTool") }
func (s *Settings) TmuxSession() string   { return s.str("tmuxSession") }
func (s *Settings) Notify() string        { return s.str("notify") }
func (s *Settings) Host() string          { return s.str("host") }
func (s *Settings) SSHCommand() string    { return s.str("sshCommand") }
func (s *Settings) SSHShare() bool        { return s.boolean("sshShare") }

// Timeout is the limit for non-interactive sbx calls.
func (s *Settings) Timeout() time.Duration {
	d, _ := time.ParseDuration(s.str("timeout"))
	return d
}

// CreateTimeout is the limit for creating a sandbox.
func (s *Settings) CreateTimeout() time.Duration {
	d, _ := time.ParseDuration(s.str("createTimeout"))
	return d
}

// ParseBool reads a boolean the way git does.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "1", "":
		return true, nil
	case "false", "no", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (true or false)", s)
}

// ParseSize reads a non-negative whole number the way git reads an int,
// with an optional k, m or g suffix (1024, 1024², 1024³).
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	switch {
	case strings.HasSuffix(t, "k"):
		mult, t = 1<<10, strings.TrimSuffix(t, "k")
	case strings.HasSuffix(t, "m"):
		mult, t = 1<<20, strings.TrimSuffix(t, "m")
	case strings.HasSuffix(t, "g"):
		mult, t = 1<<30, strings.TrimSuffix(t, "g")
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size (a whole number, optionally with k, m or g)", s)
	}
	return n * mult, nil
}

func checkSize(v string) error {
	_, err := ParseSize(v)
	return err
}

func checkAgent(v string) error {
	if !agent.IsKnown(v) {
		return fmt.Errorf("unknown agent %q (known: %s)", v, strings.Join(agent.Names(), ", "))
	}
	return nil
}

func checkPolicy(v string) error {
	if !slices.Contains(sbxspec.Presets, v) {
		return fmt.Errorf("unknown network policy %q (known: %s)", v, strings.Join(sbxspec.Presets, ", "))
	}
	return nil
}

// checkNotify accepts the modes and a program name or path: one word,
// with no control characters.
func checkNotify(v string) error {
	if strings.TrimSpace(v) == "" || strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return fmt.Errorf("%q is not true, false, terminal or a program", v)
	}
	return nil
}

func checkSSHHost(v string) error {
	_, err := sshhost.Parse(v)
	return err
}

func checkDuration(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a positive duration such as 90s or 5m", v)
	}
	return nil
}

// checkHost is CheckHost for settings: a pattern that matches every
// host is never accepted from git config, .airlock.toml or the
// environment.
func checkHost(v string) error { return CheckHost(v, false) }

// Validate checks one value of a key, for writes such as `config import`.
func (k *Key) Validate(v string) error {
	switch k.Kind {
	case Bool:
		_, err := ParseBool(v)
		return err
	case Duration:
		return checkDuration(v)
	}
	if k.check != nil {
		return k.check(v)
	}
	return nil
}

// Inputs are the raw layers.
type Inputs struct {
	File  FileInput
	Git   []gitx.ConfigEntry // airlock.* entries in git's order
	Env   func(string) (string, bool)
	Flags map[string][]string // set flags by Key.Flag name
}

// Load merges the layers. The returned error lists every invalid effective
// value with its key and origin; Settings is complete either way.
func Load(in Inputs) (*Settings, error) {
	s := &Settings{values: map[string]*Value{}}
	for _, k := range Keys {
		s.values[k.Name] = &Value{Key: k, Values: k.Default}
	}
	s.applyFile(in.File)
	s.applyGit(in.Git)
	before := maps.Clone(s.values)
	if in.Env != nil {
		for _, k := range Keys {
			if k.Env == "" {
				continue
			}
			if v, ok := in.Env(k.Env); ok && v != "" {
				vals := []string{v}
				if k.Kind == List {
					vals = splitList(v)
				}
				s.values[k.Name] = &Value{Key: k, Values: vals, Origin: Origin{Source: Env, Where: k.Env}}
			}
		}
	}
	s.Warnings = append(s.Warnings, envWidening(before, s.values)...)
	for _, k := range Keys {
		if vals, ok := in.Flags[k.Flag]; ok && k.Flag != "" {
			s.values[k.Name] = &Value{Key: k, Values: vals, Origin: Origin{Source: Flag, Where: k.Flag}}
		}
	}
	return s, s.validate()
}

func (s *Settings) applyGit(entries []gitx.ConfigEntry) {
	for _, e := range entries {
		if !strings.HasPrefix(e.Key, "airlock.") || strings.Count(e.Key, ".") != 1 {
			continue // before Lookup: a repository's remote.* entries are hundreds
		}
		k, ok := Lookup(e.Key)
		if !ok {
			continue
		}
		origin := Origin{Source: GitConfig, Scope: e.Scope, Where: strings.TrimPrefix(e.Origin, "file:")}
		v := s.values[k.Name]
		value := e.Value
		if e.NoValue {
			value = "true"
		}
		if k.Kind == List {
			// git semantics for multi-valued keys: values from every scope
			// accumulate; an empty value clears what came before.
			if v.Origin.Source != GitConfig {
				v = &Value{Key: k, Origin: origin}
				s.values[k.Name] = v
			}
			v.Origin = origin
			if value == "" {
				v.Values = nil
			} else {
				v.Values = append(slices.Clone(v.Values), value)
			}
			continue
		}
		s.values[k.Name] = &Value{Key: k, Values: []string{value}, Origin: origin}
	}
}

func (s *Settings) validate() error {
	var errs []string
	for _, k := range Keys {
		v := s.values[k.Name]
		for _, val := range v.Values {
			if err := k.Validate(val); err != nil {
				errs = append(errs, fmt.Sprintf("invalid airlock.%s from %s: %v", k.Name, v.Origin, err))
				break
			}
		}
	}
	if len(errs) > 0 {
		return &InvalidError{Problems: errs}
	}
	return nil
}

// InvalidError lists invalid settings.
type InvalidError struct{ Problems []string }

func (e *InvalidError) Error() string { return strings.Join(e.Problems, "\n") }

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
