// Package quote renders text that came from the sandbox — paths, ref
// names, commit subjects, settings, sbx's messages — so that it reaches a
// terminal as text, never as control sequences. It is the one place that
// decides how: Path quotes a name the way git quotes paths
// (quote_c_style), Text masks a free-text line with the same escapes.
//
// Like git with core.quotePath=false, printable non-ASCII stays as it is
// ("café" is shown as café); unlike git, code points a terminal does not
// print — C1 controls (U+009B is CSI to some terminals), format
// characters (bidirectional overrides, zero-width joiners), line and
// paragraph separators, private-use, unassigned and invalid UTF-8 — are
// escaped as their bytes in octal, as core.quotePath=true shows every
// non-ASCII byte. The package depends on nothing of this module.
package quote

import (
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Path returns p unchanged when it holds nothing to escape, else p in
// double quotes with C-style escapes: \a \b \t \n \v \f \r \" \\ and \ooo
// for any other control byte or unprintable code point.
func Path(p string) string {
	if clean(p, true) {
		return p
	}
	return Quoted(p)
}

// Quoted is Path always in double quotes: for a value named inside a
// sentence ("sets the \"postinstall\" script").
func Quoted(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteByte('"')
	escape(&b, s, true)
	b.WriteByte('"')
	return b.String()
}

// Text returns a line of free text (a message, a commit subject) with
// the same escapes as Path, but neither quoted nor escaping quotes,
// backslashes, tabs or newlines: it stays readable, and no byte of it
// acts on the terminal.
func Text(s string) string {
	if clean(s, false) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	escape(&b, s, false)
	return b.String()
}

// Paths applies Path to each element, for lists joined by the caller.
func Paths(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = Path(p)
	}
	return out
}

func clean(s string, path bool) bool {
	for _, r := range s {
		switch {
		case r >= utf8.RuneSelf || r == utf8.RuneError:
			if !printable(r) {
				return false
			}
		case r < 0x20 || r == 0x7f:
			if path || r != '\t' && r != '\n' {
				return false
			}
		case path && (r == '"' || r == '\\'):
			return false
		}
	}
	return true
}

// printable: a code point a terminal shows as a glyph or a space.
// utf8.RuneError stands for invalid bytes (a literal U+FFFD is also
// escaped, which is harmless).
func printable(r rune) bool {
	return r != utf8.RuneError && unicode.IsGraphic(r) && !unicode.Is(unicode.Cf, r)
}

var named = map[byte]byte{'\a': 'a', '\b': 'b', '\t': 't', '\n': 'n', '\v': 'v', '\f': 'f', '\r': 'r'}

func escape(b *strings.Builder, s string, path bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		c := s[i]
		switch {
		case r >= utf8.RuneSelf && printable(r):
			b.WriteString(s[i : i+size])
		case r >= utf8.RuneSelf || size == 1 && c >= utf8.RuneSelf:
			for _, x := range []byte(s[i : i+size]) {
				octal(b, x)
			}
		case !path && (c == '\t' || c == '\n'):
			b.WriteByte(c)
		case named[c] != 0:
			b.WriteByte('\\')
			b.WriteByte(named[c])
		case c < 0x20 || c == 0x7f:
			octal(b, c)
		case path && (c == '"' || c == '\\'):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
		i += size
	}
}

func octal(b *strings.Builder, c byte) {
	b.WriteByte('\\')
	s := strconv.FormatUint(uint64(c), 8)
	b.WriteString(strings.Repeat("0", 3-len(s)))
	b.WriteString(s)
}

// Writer masks a stream with Text as it passes (sbx's stderr forwarded by
// the remote helper). It holds back only an incomplete UTF-8 sequence at
// the end of a write, so a character split across writes is judged whole.
type Writer struct {
	W       io.Writer
	pending []byte
}

// Write masks p and writes it on; it reports len(p) on success.
func (w *Writer) Write(p []byte) (int, error) {
	buf := append(w.pending, p...)
	cut := len(buf)
	// Hold back a trailing partial sequence (at most 3 bytes).
	for i := len(buf) - 1; i >= 0 && i >= len(buf)-3; i-- {
		if utf8.RuneStart(buf[i]) {
			if !utf8.FullRune(buf[i:]) {
				cut = i
			}
			break
		}
	}
	w.pending = append([]byte(nil), buf[cut:]...)
	if _, err := io.WriteString(w.W, Text(string(buf[:cut]))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what Write held back (masked as invalid bytes).
func (w *Writer) Flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	s := Text(string(w.pending))
	w.pending = nil
	_, err := io.WriteString(w.W, s)
	return err
}
