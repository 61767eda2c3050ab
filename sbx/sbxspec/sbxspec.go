// Package sbxspec is what sbx accepts, as pure checks that start no
// process: sandbox names and network policy presets. Settings validation,
// the airlock:// URL and the sbx client all rely on it, so it depends on
// nothing.
package sbxspec

import (
	"fmt"
	"strings"
)

// ValidateName checks a sandbox name against sbx's rules: 2 to 63
// characters, letters, digits, '-' and '.', starting and ending with a letter
// or digit, and not the reserved "default".
func ValidateName(name string) error {
	switch {
	case len(name) < 2:
		return fmt.Errorf("sandbox name %q is too short (at least 2 characters)", name)
	case len(name) > 63:
		return fmt.Errorf("sandbox name %q is too long (at most 63 characters)", name)
	case name == "default":
		return fmt.Errorf("sandbox name %q is reserved by sbx", name)
	case !alnum(name[0]):
		return fmt.Errorf("sandbox name %q must start with a letter or digit", name)
	case !alnum(name[len(name)-1]):
		return fmt.Errorf("sandbox name %q must end with a letter or digit", name)
	}
	for _, r := range name {
		if r > 127 || !(alnum(byte(r)) || r == '-' || r == '.') {
			return fmt.Errorf("sandbox name %q may only hold letters, digits, '-' and '.' (found %q)", name, r)
		}
	}
	return nil
}

func alnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// SanitizeName turns free text (a folder name) into lower-case letters,
// digits and single dashes.
func SanitizeName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r < 128 && alnum(byte(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

// Presets are the default network policies sbx knows.
var Presets = []string{"allow-all", "balanced", "deny-all"}

// ArgRule is how `sbx run NAME -- ARGS` combines ARGS with the arguments
// the agent's image starts it with (its entrypoint's, such as claude's
// --dangerously-skip-permissions or kiro's chat subcommand).
type ArgRule int

const (
	// ArgsWordReplaces, before sbx 0.53: ARGS starting with '-' are added
	// to the image's arguments; a first bare word replaces them.
	ArgsWordReplaces ArgRule = iota
	// ArgsEntrypointKept, from sbx 0.53: the image's arguments are always
	// kept and ARGS follow them, so a subcommand the image already runs
	// must not be given again.
	ArgsEntrypointKept
)

// Merge is the agent's command line under the rule: defaults are the
// image's arguments after the program, args what the user passed after
// "--".
func (r ArgRule) Merge(defaults, args []string) []string {
	out := append([]string(nil), defaults...)
	if len(args) == 0 {
		return out
	}
	if r == ArgsWordReplaces && !strings.HasPrefix(args[0], "-") {
		return append([]string(nil), args...)
	}
	return append(out, args...)
}

func (r ArgRule) String() string {
	if r == ArgsEntrypointKept {
		return "the agent's own arguments are kept and yours follow"
	}
	return "a leading flag is added to the agent's own arguments, a bare word replaces them"
}
