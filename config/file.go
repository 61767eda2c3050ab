package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/git-airlock/git-airlock/gitx"
)

// FileName is the committed, team-shared settings file at the repository root.
const FileName = ".airlock.toml"

// TrustKey records, in local git config only, the hash of the .airlock.toml
// content the user trusted.
const TrustKey = "airlock.trustedtoml"

// FileInput is the .airlock.toml layer.
type FileInput struct {
	Content []byte // nil when the file does not exist
	// TrustedHash is TrustKey's value from local git config.
	TrustedHash string
}

// FileState says whether .airlock.toml takes effect.
type FileState int

const (
	FileAbsent FileState = iota
	FileUntrusted
	FileChanged // trusted once, changed since
	FileTrusted
)

func (f FileState) String() string {
	return [...]string{"absent", "untrusted", "changed since trusted", "trusted"}[f]
}

// Hash is the trust record for a file's content.
func Hash(content []byte) string {
	sum := sha256.Sum256(content)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// TrustedHash picks the trust record from git config entries, honouring only
// the repository's local config: a global or included value must not be able
// to trust a file on the user's behalf.
func TrustedHash(entries []gitx.ConfigEntry) string {
	var h string
	for _, e := range entries {
		if e.Key == TrustKey && e.Scope == "local" {
			h = e.Value
		}
	}
	return h
}

func (s *Settings) applyFile(in FileInput) {
	switch {
	case in.Content == nil:
		s.File = FileAbsent
		return
	case in.TrustedHash == Hash(in.Content):
		s.File = FileTrusted
	case in.TrustedHash != "":
		s.File = FileChanged
		s.Warnings = append(s.Warnings, Warning{Text: FileName + " changed since you trusted it; its settings are ignored",
			Hint: "review it with 'git diff' or 'cat " + FileName + "', then run 'git airlock trust'", Untrusted: true})
		return
	default:
		s.File = FileUntrusted
		s.Warnings = append(s.Warnings, Warning{Text: FileName + " is not trusted; its settings are ignored",
			Hint: "review it, then run 'git airlock trust'", Untrusted: true})
		return
	}
	values, warnings, err := ParseFile(in.Content)
	for _, w := range warnings {
		s.Warnings = append(s.Warnings, Warning{Text: w})
	}
	if err != nil {
		s.Warnings = append(s.Warnings, Warning{Text: err.Error()})
		return
	}
	for name, vals := range values {
		k := Must(name) // ParseFile keeps known keys only
		s.values[k.Name] = &Value{Key: k, Values: vals, Origin: Origin{Source: File, Where: FileName}}
	}
}

// ParseFile decodes .airlock.toml into values of allowlisted keys. Unknown
// keys and keys that may not come from a committed file are reported as
// warnings and dropped.
func ParseFile(content []byte) (map[string][]string, []string, error) {
	raw := map[string]any{}
	if _, err := toml.NewDecoder(bytes.NewReader(content)).Decode(&raw); err != nil {
		return nil, nil, fmt.Errorf("%s: %v; the file is ignored", FileName, err)
	}
	names := make([]string, 0, len(raw))
	for n := range raw {
		names = append(names, n)
	}
	sort.Strings(names)
	values := map[string][]string{}
	var warnings []string
	for _, n := range names {
		k, ok := Lookup(n)
		switch {
		case !ok || k.Name != n:
			warnings = append(warnings, fmt.Sprintf("%s: unknown key %q ignored", FileName, n))
			continue
		case !k.InFile:
			warnings = append(warnings, fmt.Sprintf("%s: %q may only be set in git config, not in a committed file; ignored", FileName, n))
			continue
		}
		vals, err := fileValue(k, raw[n])
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s: %s: %v; ignored", FileName, n, err))
			continue
		}
		values[k.Name] = vals
	}
	return values, warnings, nil
}

func fileValue(k *Key, v any) ([]string, error) {
	switch k.Kind {
	case List:
		arr, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("want an array of strings")
		}
		out := make([]string, 0, len(arr))
		for _, e := range arr {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want an array of strings")
			}
			out = append(out, s)
		}
		return out, nil
	case Bool:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("want true or false")
		}
		return []string{strconv.FormatBool(b)}, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("want a string")
	}
	return []string{s}, nil
}

// ImportedValue is one setting migrated from a code-airlock sandbox.conf.
type ImportedValue struct {
	Key    *Key
	Values []string
	From   string // the variable in sandbox.conf
}

// ParseSandboxConf reads code-airlock's sandbox.conf (KEY=value lines, shell
// comments and quotes) without running it. It returns the settings it maps
// and a note for every variable it does not, saying what to do instead.
// A path under $HOME (SEED_PATHS=$HOME/x, ${HOME}/x, ~/x) is kept as ~/x,
// which git-airlock reads as under $HOME; any other $ or backquote needs a
// shell and is refused.
func ParseSandboxConf(content []byte) ([]ImportedValue, []string, error) {
	var out []ImportedValue
	var notes []string
	for i, line := range strings.Split(string(content), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, nil, fmt.Errorf("line %d: %q is not KEY=value", i+1, line)
		}
		value = unquote(strings.TrimSpace(value))
		k := keyOfEnv(name)
		if k == nil {
			notes = append(notes, fmt.Sprintf("line %d: %s", i+1, notImported(name, value)))
			continue
		}
		vals := []string{value}
		if k.Kind == List {
			vals = splitList(value)
		}
		for j, v := range vals {
			if k.Name == "seedPath" {
				vals[j] = underHome(v)
			}
			if strings.ContainsAny(vals[j], "$`") || strings.HasPrefix(vals[j], "~") && !strings.HasPrefix(vals[j], "~/") {
				return nil, nil, fmt.Errorf("line %d: %s: value %q needs a shell to evaluate; write it out", i+1, name, v)
			}
			if err := k.Validate(vals[j]); err != nil {
				return nil, nil, fmt.Errorf("line %d: %s: %v", i+1, name, err)
			}
		}
		out = append(out, ImportedValue{Key: k, Values: vals, From: name})
	}
	return out, notes, nil
}

// keyOfEnv is the setting an environment variable sets, or nil.
func keyOfEnv(name string) *Key {
	for _, k := range Keys {
		if k.Env != "" && k.Env == name {
			return k
		}
	}
	return nil
}

// notImported says why a variable of sandbox.conf sets nothing here, and
// what does the same in git-airlock when something does.
func notImported(name, value string) string {
	switch name {
	case "REPO_DIR":
		return fmt.Sprintf("REPO_DIR is not imported: git-airlock works on the repository it runs in (cd %s)", value)
	case "TMUX_ATTACH":
		return "TMUX_ATTACH is not imported: give up and run --tmux to attach to the session, or --tmux-detached to leave it in the background"
	}
	return name + " has no git-airlock setting; skipped"
}

// underHome writes a path under $HOME the way airlock.seedPath reads it
// wherever it runs: ~/x.
func underHome(p string) string {
	for _, prefix := range []string{"$HOME/", "${HOME}/", "~/"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			return "~/" + rest
		}
	}
	return p
}

// unquote strips one level of shell quotes, and a comment after an
// unquoted value; what needs a shell is refused by the caller.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v
}
