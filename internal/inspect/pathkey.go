package inspect

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Key is a path as the file systems that matter see it: two paths with the
// same key open the same file on some platform git checks out to, so every
// rule matches keys, never the text git stores. Per component:
//
//   - the code points HFS+ ignores in names are dropped (git's own list,
//     is_hfs_dotgit in git's utf8.c: U+200C–U+200F, U+202A–U+202E,
//     U+206A–U+206F, U+FEFF), so ".git\u200chub" is ".github" on macOS;
//   - NTFS: a component ends at its first ':' (what follows names a data
//     stream: "package.json::$DATA" is package.json) and loses trailing
//     dots and spaces ("Package.json." is package.json); '\' separates
//     components (git's is_ntfs_dotgit treats it as one);
//   - Unicode full case folding between canonical decompositions, then NFC:
//     APFS and HFS+ are normalisation-insensitive (NFD "café" is NFC
//     "café") and fold case with Unicode's CaseFolding.txt, which maps
//     the Kelvin sign to "k", the long s to "s" and the ligature "ﬁ" to
//     "fi"; NTFS upper-cases with its own table, a subset of these
//     equivalences, so the union over-matches only names no one uses;
//   - an NTFS 8.3 short name ("GITHUB~1", "PACKAG~1.JSO") is the long name
//     of the rule paths it can stand for ("GITHUB~1" is ".github" on a
//     volume that generates short names; git itself guards only "git~1").
//
// Wildcards of rule patterns pass through unchanged, so a pattern's key
// matches the keys of the paths it covers.
func Key(p string) string {
	if simpleASCII(p) {
		return strings.ToLower(p)
	}
	parts := strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' })
	if strings.HasPrefix(p, "/") {
		parts = append([]string{""}, parts...)
	}
	keyed := parts[:0]
	for _, c := range parts {
		if k := keyComponent(c); k != "" || len(keyed) == 0 && c == "" {
			keyed = append(keyed, k) // a component NTFS reads as empty ("::$DATA") is none
		}
	}
	return strings.Join(keyed, "/")
}

// simpleASCII: a path Key leaves alone but for ASCII case — no byte
// above 0x7f, no '\', ':' or '~', and no component ending in a dot or a
// space other than "." and "..".
func simpleASCII(p string) bool {
	for i := 0; i < len(p); i++ {
		switch b := p[i]; {
		case b >= utf8.RuneSelf || b == '\\' || b == ':' || b == '~':
			return false
		case b == '.' || b == ' ':
			if i+1 == len(p) || p[i+1] == '/' {
				start := strings.LastIndexByte(p[:i], '/') + 1
				if c := p[start : i+1]; c != "." && c != ".." {
					return false
				}
			}
		}
	}
	return true
}

func keyComponent(c string) string {
	c = strings.Map(func(r rune) rune {
		if hfsIgnored(r) {
			return -1
		}
		return r
	}, c)
	if i := strings.IndexByte(c, ':'); i >= 0 {
		c = c[:i]
	}
	if c != "." && c != ".." {
		if t := strings.TrimRight(c, ". "); t != "" {
			c = t
		}
	}
	if !isASCII(c) {
		// A Caser is not safe to share. x/text folds some scripts both
		// ways (Cherokee U+13A1 <-> U+AB71), so each rune then becomes
		// the least of its simple-folding orbit, ASCII letters lower case
		// as on the fast path: the key of a key is itself.
		c = norm.NFC.String(strings.Map(orbitLeast, cases.Fold().String(norm.NFD.String(c))))
	} else {
		c = strings.ToLower(c)
	}
	if long, ok := shortNames()[c]; ok {
		return long
	}
	if base, ext, ok := shortName(c); ok {
		if long, ok := shortNames()[base+"~1"+ext]; ok {
			return long
		}
	}
	return c
}

func orbitLeast(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	if least >= 'A' && least <= 'Z' {
		least += 'a' - 'A'
	}
	return least
}

// hfsIgnored lists the code points HFS+ drops from names (git's
// next_hfs_char).
func hfsIgnored(r rune) bool {
	return r >= 0x200c && r <= 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x206a && r <= 0x206f || r == 0xfeff
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// shortName splits a folded component of 8.3 short-name shape — one to six
// characters, '~', a number, an extension of up to three — into its base
// and ".ext".
func shortName(c string) (base, ext string, ok bool) {
	name, ext := c, ""
	if i := strings.LastIndexByte(c, '.'); i > 0 {
		name, ext = c[:i], c[i:]
	}
	tilde := strings.IndexByte(name, '~')
	if tilde < 1 || tilde > 6 || len(ext) > 4 || tilde+1 == len(name) {
		return "", "", false
	}
	for _, d := range name[tilde+1:] {
		if d < '0' || d > '9' {
			return "", "", false
		}
	}
	return name[:tilde], ext, true
}

// shortNames maps the first short name NTFS generates for each literal
// component of the rule paths (and .git) to that component, folded:
// "github~1" → ".github", "gitlab~1.yml" → ".gitlab-ci.yml". Later
// numbers (~2, ~3) map through their base (keyComponent).
var shortNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	add := func(long string) {
		long = strings.ToLower(long)
		if strings.ContainsAny(long, "*?[") || long == "" {
			return
		}
		if s, ok := shortFor(long); ok {
			if _, taken := m[s]; !taken {
				m[s] = long
			}
		}
	}
	add(".git")
	for _, r := range Rules {
		for _, p := range r.Patterns {
			for _, c := range strings.Split(p, "/") {
				add(c)
			}
		}
	}
	return m
})

// shortFor is the first 8.3 name Windows generates for a long name that
// needs one: leading dots and spaces dropped, invalid characters as '_',
// six characters of the name before its last dot, "~1", three of the
// extension. A name that is already a valid 8.3 name has none.
func shortFor(long string) (string, bool) {
	trimmed := strings.TrimLeft(long, ". ")
	name, ext := trimmed, ""
	if i := strings.LastIndexByte(trimmed, '.'); i >= 0 {
		name, ext = trimmed[:i], trimmed[i+1:]
	}
	if long == trimmed && len(name) <= 8 && len(ext) <= 3 && !strings.ContainsAny(trimmed, " +,;=[]") && strings.Count(trimmed, ".") <= 1 {
		return "", false // a valid 8.3 name is its own short name
	}
	clean := func(s string, n int) string {
		s = strings.Map(func(r rune) rune {
			switch {
			case r == ' ' || r == '.':
				return -1
			case strings.ContainsRune("+,;=[]", r):
				return '_'
			}
			return r
		}, s)
		return s[:min(n, len(s))]
	}
	name, ext = clean(name, 6), clean(ext, 3)
	if name == "" {
		return "", false
	}
	s := name + "~1"
	if ext != "" {
		s += "." + ext
	}
	return s, true
}
