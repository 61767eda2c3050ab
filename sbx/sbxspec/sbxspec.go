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
