package inspect

import (
	"path"
	"strconv"
	"strings"
)

// AttributeProbes returns, for a .gitattributes at file with the given
// content, one path per pattern that the pattern matches (sample → the
// pattern as written). Asking git which drivers these paths get catches a
// driver assigned to files that do not exist yet (`*.bin filter=x`,
// before any .bin lands). git, not this function, decides what matches
// and what each line assigns: a sample that a pattern does not match only
// costs a question.
func AttributeProbes(file string, content []byte) map[string]string {
	dir := path.Dir(file)
	out := map[string]string{}
	for _, line := range strings.Split(string(content), "\n") {
		line = strings.TrimLeft(line, " \t\r")
		if line == "" || line[0] == '#' || strings.HasPrefix(line, "[attr]") {
			continue
		}
		pat := line
		if line[0] == '"' {
			// A C-quoted pattern, as git's unquote_c_style reads it.
			end := 1
			for end < len(line) && line[end] != '"' {
				if line[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(line) {
				continue
			}
			u, err := strconv.Unquote(line[:end+1])
			if err != nil {
				continue
			}
			pat = u
		} else if i := strings.IndexAny(line, " \t\r"); i >= 0 {
			pat = line[:i]
		}
		if s := sampleFor(pat); s != "" {
			if dir != "." {
				s = dir + "/" + s
			}
			out[s] = pat
		}
	}
	return out
}

// sampleFor makes a path a gitattributes pattern matches: wildcards
// become "x", a bracket expression its first listed character.
func sampleFor(pat string) string {
	pat = strings.TrimPrefix(pat, "/")
	pat = strings.TrimSuffix(pat, "/")
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; c {
		case '*':
			if strings.HasPrefix(pat[i:], "**/") {
				i += 2
				continue
			}
			for i+1 < len(pat) && pat[i+1] == '*' {
				i++
			}
			b.WriteByte('x')
		case '?':
			b.WriteByte('x')
		case '\\':
			if i+1 < len(pat) {
				i++
				b.WriteByte(pat[i])
			}
		case '[':
			end := strings.IndexByte(pat[i+1:], ']')
			if end < 0 {
				b.WriteByte(c)
				continue
			}
			class := pat[i+1 : i+1+end]
			i += end + 1
			if class != "" && (class[0] == '!' || class[0] == '^') {
				pick := byte(0)
				for _, x := range []byte("xqz_0Q") {
					if !strings.ContainsRune(class, rune(x)) {
						pick = x
						break
					}
				}
				if pick == 0 {
					return ""
				}
				b.WriteByte(pick)
				continue
			}
			if class == "" {
				return ""
			}
			b.WriteByte(class[0])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
