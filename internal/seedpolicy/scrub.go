package seedpolicy

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Finding is one entry left out of a seeded file: where it was (a key
// path such as env.ANTHROPIC_API_KEY, or "comments") and why. It never
// holds the value.
type Finding struct{ Key, Why string }

// Scrubbed is what may be copied of one file.
type Scrubbed struct {
	// Content is what to copy: the file itself when nothing was left out,
	// else the file rewritten without Left. Nil when Skip is set.
	Content []byte
	Left    []Finding
	// Skip says why nothing of the file is copied: it holds a credential
	// and cannot be rewritten safely without it (a line or key is named,
	// never the value).
	Skip string
}

// Scrub returns the content of a seeded file without its credentials. The
// file's name chooses the parser: JSON (.json; comments and trailing
// commas are kept where the file has them), JSON with comments (.jsonc),
// TOML and YAML are parsed and rewritten without the entries SecretKey
// names or whose values have a TokenShape; a comment that holds a token
// drops the file's comments. Anything else, and a file its parser
// rejects, is text: a line that holds a token, or sets a credential's
// name to a literal, skips the whole file.
func Scrub(name string, content []byte) Scrubbed {
	if what := TokenShape(name); what != "" {
		return Scrubbed{Skip: "its name looks like " + what}
	}
	var s Scrubbed
	parsed := false
	switch strings.ToLower(path.Ext(name)) {
	case ".json", ".jsonc", ".json5":
		s, parsed = scrubJSON(content)
	case ".toml":
		s, parsed = scrubTOML(content)
	case ".yaml", ".yml":
		s, parsed = scrubYAML(content)
	}
	if !parsed {
		s = scrubText(content)
	}
	// Whatever the rewriting did, what is copied holds no token.
	if s.Skip == "" {
		if what, where := firstToken(s.Content); what != "" {
			return Scrubbed{Skip: fmt.Sprintf("%s holds what looks like %s, and it cannot be rewritten without it", where, what)}
		}
	}
	return s
}

// judge says why a config entry is left out, or "" when it is kept. v is
// the entry's value: a string, another scalar, or a composite (nil).
func judge(name string, v any, composite, inEnv bool) string {
	if what := TokenShape(name); what != "" {
		return "its name looks like " + what
	}
	str, isString := v.(string)
	if isString {
		if what := TokenShape(str); what != "" {
			return "its value looks like " + what
		}
	}
	if !SecretKey(name, inEnv) {
		return ""
	}
	switch {
	case composite:
		return "named like a credential"
	case isString && !Reference(str):
		return "named like a credential"
	}
	return "" // a boolean, a number, null, or where the credential is read from
}

// keyPath is parent.name, with a name that is not plain quoted and one
// that looks like a token not shown.
func keyPath(parent, name string) string {
	switch {
	case TokenShape(name) != "":
		name = "<redacted>"
	case name == "" || strings.ContainsFunc(name, notPlain):
		name = strconv.Quote(name)
	}
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// notPlain: a rune that makes a key be quoted in a key path.
func notPlain(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
}

func indexPath(parent string, i int) string { return fmt.Sprintf("%s[%d]", parent, i) }

// firstToken finds the first token in content: what it looks like and
// where ("line 3"; "it" in a binary file).
func firstToken(content []byte) (what, where string) {
	if bytes.IndexByte(content[:min(len(content), 8000)], 0) >= 0 {
		return TokenShape(string(content)), "it"
	}
	if TokenShape(string(content)) == "" { // one pass for the common case
		return "", ""
	}
	for i, line := range bytes.Split(content, []byte("\n")) {
		if what := TokenShape(string(line)); what != "" {
			return what, "line " + strconv.Itoa(i+1)
		}
	}
	// A token across lines (a PEM block's header is on one line, so this
	// is a pattern that spans a newline): name the file.
	return TokenShape(string(content)), "it"
}

// assignment is a line that sets a name: NAME=value, export NAME=value,
// name: value, "name": "value".
var assignment = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s*(?:export\s+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[:=]\s*["']?([^\s"',;]+)`)
})

// scrubText copies a text file whole, or skips it when a line holds a
// token or sets a credential's name to a literal: text has no structure
// to cut the line out of safely.
func scrubText(content []byte) Scrubbed {
	if what, where := firstToken(content); what != "" {
		return Scrubbed{Skip: where + " holds what looks like " + what}
	}
	if bytes.IndexByte(content[:min(len(content), 8000)], 0) >= 0 {
		return Scrubbed{Content: content}
	}
	for i, line := range bytes.Split(content, []byte("\n")) {
		m := assignment().FindSubmatch(line)
		if m == nil {
			continue
		}
		name := string(m[1])
		inEnv := strings.ToUpper(name) == name // an environment variable's form
		if SecretKey(name, inEnv) && literalSecret(string(m[2])) {
			return Scrubbed{Skip: fmt.Sprintf("line %d sets %s, named like a credential", i+1, keyPath("", name))}
		}
	}
	return Scrubbed{Content: content}
}

// ShowPath is a slash-separated path as it may be printed: a part that
// looks like a token is not shown.
func ShowPath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if TokenShape(part) != "" {
			parts[i] = "<redacted>"
		}
	}
	return strings.Join(parts, "/")
}
