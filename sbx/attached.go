package sbx

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// Attachment is an sbx process on this machine that holds a session of a
// sandbox open: `sbx run` (which attaches), `sbx attach`, or an `sbx exec`
// with a terminal. `sbx rm --force` would end it with the sandbox (0.48 and
// later), so rm asks before passing --force.
type Attachment struct {
	PID     int
	Command string // its argv, joined with spaces
}

// Attached lists this machine's sbx processes attached to the sandbox
// name, read from /proc (no process is started). Elsewhere (no /proc, or
// a client of another machine, whose processes are not here) it answers
// nothing: callers check git-airlock's own records as well.
func (c *Client) Attached(ctx context.Context, name string) ([]Attachment, error) {
	if c.Remote != nil || runtime.GOOS != "linux" {
		return nil, nil
	}
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return nil, nil
	}
	bin := filepath.Base(c.bin())
	var out []Attachment
	for _, d := range dirs {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err != nil || len(raw) == 0 {
			continue // gone meanwhile, or not ours to read
		}
		argv := strings.Split(string(bytes.TrimRight(raw, "\x00")), "\x00")
		if attaches(argv, bin, name) {
			out = append(out, Attachment{PID: pid, Command: strings.Join(argv, " ")})
		}
	}
	return out, nil
}

// attaches reports whether argv is sbx (named bin) holding a session of
// sandbox name open: run or attach naming it, or exec -t in it.
func attaches(argv []string, bin, name string) bool {
	if len(argv) < 2 || filepath.Base(argv[0]) != bin {
		return false
	}
	verb, rest := "", []string(nil)
	for i, a := range argv[1:] {
		if !strings.HasPrefix(a, "-") {
			verb, rest = a, argv[i+2:]
			break
		}
	}
	names := slices.Contains(rest, name) || slices.Contains(rest, "--name="+name)
	switch verb {
	case "run", "attach":
		return names
	case "exec":
		tty := slices.ContainsFunc(rest, func(a string) bool {
			return a == "-t" || a == "--tty" || a == "-it" || a == "-ti"
		})
		return tty && names
	}
	return false
}
