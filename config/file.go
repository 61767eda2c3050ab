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
			Hint: "review it with 'git diff' or 'cat " + FileName + "', then run 'git airlock trust'"})
		return
	default:
		s.File = FileUntrusted
		s.Warnings = append(s.Warnings, Warning{Text: FileName + " is not trusted; its settings are ignored",
			Hint: "review it, then run 'git airlock trust'"})
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
		k := Lookup(name)
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
		k := Lookup(n)
		switch {
		case k == nil || k.Name != n:
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
// and a note for every line it does not.
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
		value, err := unquote(strings.TrimSpace(value))
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		var k *Key
		for _, cand := range Keys {
			if cand.Env == name {
				k = cand
			}
		}
		if k == nil {
			notes = append(notes, fmt.Sprintf("line %d: %s has no git-airlock setting; skipped", i+1, name))
			continue
		}
		vals := []string{value}
		if k.Kind == List {
			vals = splitList(value)
		}
		for _, v := range vals {
			if err := k.Validate(v); err != nil {
				return nil, nil, fmt.Errorf("line %d: %s: %v", i+1, name, err)
			}
		}
		out = append(out, ImportedValue{Key: k, Values: vals, From: name})
	}
	return out, notes, nil
}

// unquote strips one level of shell quotes; anything that would need a
// shell to evaluate ($, backquotes) is refused rather than guessed.
func unquote(v string) (string, error) {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		q := v[0]
		v = v[1 : len(v)-1]
		if q == '\'' {
			return v, nil
		}
	}
	if strings.ContainsAny(v, "$`") {
		return "", fmt.Errorf("value %q needs a shell to evaluate; write it out", v)
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v, nil
}
