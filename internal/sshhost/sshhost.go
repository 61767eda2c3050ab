// Package sshhost is how git-airlock reaches another machine: the one
// grammar of a host value ([user@]host[:port]), validated before anything
// runs, and the one builder of an ssh command line that runs a program
// there.
//
// ssh joins the words after the host into one string and hands it to the
// remote user's login shell, so every word is quoted here for a POSIX shell
// (sh, bash, dash, zsh, ksh); nothing of the caller's is ever pasted into
// that string unquoted. Host key checking is left to the user's ssh config
// and known_hosts: nothing here turns it off. Non-interactive commands run
// in batch mode (no password or host-key prompt can hang them), and
// commands share one connection per host (ControlMaster) so that a
// command's several calls pay one handshake.
//
// It depends on nothing of this module and starts no process: callers (sbx,
// gitx) run the argv it builds through internal/xec.
package sshhost

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// Host is a validated [user@]host[:port].
type Host struct {
	User string // "" leaves it to the ssh config
	Name string // a host name, an ssh config alias, or an IPv4/[IPv6] address
	Port int    // 0 leaves it to the ssh config
}

// String renders the host in the form Parse reads.
func (h Host) String() string {
	s := h.Destination()
	if h.Port != 0 {
		name := h.Name
		if strings.Contains(name, ":") {
			name = "[" + name + "]"
		}
		s = strings.TrimSuffix(s, h.Name) + name + ":" + strconv.Itoa(h.Port)
	}
	return s
}

// Destination is the host word for ssh: [user@]name, the port given apart.
func (h Host) Destination() string {
	if h.User != "" {
		return h.User + "@" + h.Name
	}
	return h.Name
}

// InvalidError is a host value that cannot be used, and why.
type InvalidError struct {
	Value  string
	Reason string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("invalid host %q: %s; give [user@]server[:port], a name your ssh config or DNS knows", e.Value, e.Reason)
}

// ErrInvalid matches every *InvalidError with errors.Is.
var ErrInvalid = errors.New("invalid host")

// Is lets errors.Is(err, ErrInvalid) match.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Parse reads [user@]host[:port] (IPv6 addresses in brackets when a port
// follows). It refuses everything ssh could read as an option or that a
// shell, a URL or a config file could split: a leading '-', whitespace,
// control characters, and any character outside the host-name, user-name
// and ssh-alias alphabets.
func Parse(s string) (Host, error) {
	bad := func(reason string) (Host, error) { return Host{}, &InvalidError{Value: s, Reason: reason} }
	if s == "" {
		return bad("empty")
	}
	if len(s) > 255 {
		return bad("longer than 255 characters")
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return bad("whitespace or control characters")
	}
	if strings.HasPrefix(s, "-") {
		return bad("starts with '-', which ssh would read as an option")
	}
	var h Host
	rest := s
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		h.User, rest = rest[:i], rest[i+1:]
		if h.User == "" {
			return bad("empty user name before '@'")
		}
		if strings.HasPrefix(h.User, "-") {
			return bad("the user name starts with '-'")
		}
		for _, r := range h.User {
			if !(isAlnum(r) || strings.ContainsRune("._-", r)) {
				return bad(fmt.Sprintf("character %q in the user name (letters, digits, '.', '_', '-')", r))
			}
		}
	}
	port := ""
	switch {
	case strings.HasPrefix(rest, "["):
		end := strings.Index(rest, "]")
		if end < 0 {
			return bad("'[' without ']'")
		}
		h.Name, port = rest[1:end], rest[end+1:]
		if port != "" && !strings.HasPrefix(port, ":") {
			return bad("text after ']' that is not ':<port>'")
		}
		port = strings.TrimPrefix(port, ":")
		if a, err := netip.ParseAddr(h.Name); err != nil || !a.Is6() || a.Zone() != "" {
			return bad("brackets hold an IPv6 address only")
		}
	case strings.Count(rest, ":") > 1:
		h.Name = rest // a bare IPv6 address, no port
		if a, err := netip.ParseAddr(h.Name); err != nil || !a.Is6() || a.Zone() != "" {
			return bad("more than one ':' and not an IPv6 address (a port is given as [address]:port)")
		}
	default:
		h.Name, port, _ = strings.Cut(rest, ":")
		if strings.Contains(rest, ":") && port == "" {
			return bad("':' without a port number")
		}
		for _, r := range h.Name {
			if !(isAlnum(r) || strings.ContainsRune(".-_", r)) {
				return bad(fmt.Sprintf("character %q in the host name (letters, digits, '.', '-', '_')", r))
			}
		}
	}
	if h.Name == "" {
		return bad("no host name")
	}
	if strings.HasPrefix(h.Name, "-") {
		return bad("the host name starts with '-'")
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strings.HasPrefix(port, "0") {
			return bad(fmt.Sprintf("port %q is not a number from 1 to 65535", port))
		}
		h.Port = n
	}
	return h, nil
}

func isAlnum(r rune) bool { return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// QuoteCommand renders argv as one POSIX shell command line that the
// remote login shell splits back into exactly argv: every word in single
// quotes (a quote inside as '\” ), so no character is special — not $,
// backquotes, ;, |, &, globs, newlines, a leading '-' or '~'. A NUL cannot
// travel in argv and is refused.
func QuoteCommand(argv []string) (string, error) {
	var b strings.Builder
	for i, a := range argv {
		if strings.IndexByte(a, 0) >= 0 {
			return "", fmt.Errorf("argument %d contains a NUL byte, which no command line can carry", i)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(a, "'", `'\''`))
		b.WriteByte('\'')
	}
	return b.String(), nil
}

// Mode is how a remote command uses the connection.
type Mode int

const (
	// Batch: no terminal, no prompt (BatchMode=yes); stdin passed through
	// (the remote helper's tunnel streams over it).
	Batch Mode = iota
	// Terminal: a pty on the far side (ssh -t), prompts allowed: shell,
	// attach, the agent.
	Terminal
)

// Transport runs programs on one host over ssh.
type Transport struct {
	Host Host
	// SSH is the ssh program and its leading arguments; ["ssh"] when empty.
	SSH []string
	// ControlDir holds the shared connections' sockets (created 0700);
	// empty runs every command on its own connection.
	ControlDir string
	// Persist is how long a shared connection outlives its last command;
	// "60s" when empty.
	Persist string
}

// Argv is the ssh command that runs argv on the host: ssh [options] -- host
// 'quoted' 'words'.
func (t *Transport) Argv(mode Mode, argv []string) ([]string, error) {
	line, err := QuoteCommand(argv)
	if err != nil {
		return nil, err
	}
	out := append([]string(nil), t.SSH...)
	if len(out) == 0 {
		out = []string{"ssh"}
	}
	out = append(out, t.Options(mode)...)
	return append(out, "--", t.Host.Destination(), line), nil
}

// Options are the ssh options for a mode: batch mode, connection sharing,
// the port, the terminal.
func (t *Transport) Options(mode Mode) []string {
	var out []string
	if mode == Batch {
		out = append(out, "-o", "BatchMode=yes", "-T")
	} else {
		out = append(out, "-t")
	}
	if t.ControlDir != "" {
		persist := t.Persist
		if persist == "" {
			persist = "60s"
		}
		// %C is a hash of the local host, remote host, port and user: short
		// enough for a socket path, distinct per destination.
		out = append(out, "-o", "ControlMaster=auto", "-o", "ControlPath="+filepath.Join(t.ControlDir, "%C"), "-o", "ControlPersist="+persist)
	}
	if t.Host.Port != 0 {
		out = append(out, "-p", strconv.Itoa(t.Host.Port))
	}
	return out
}

// PrepareControlDir creates the sockets' directory, private to this user,
// and refuses one that others can write or that is a link: another user
// must not be able to plant a socket there.
func PrepareControlDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create ssh control directory %q: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("check ssh control directory %q: %w", dir, err)
	}
	if !fi.IsDir() || fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("ssh control directory %q is not a private directory (want mode 0700, not a link)", dir)
	}
	return nil
}

// DefaultControlDir is a short private directory for the sockets: under
// XDG_RUNTIME_DIR when set, else under the system's temporary directory.
// Socket paths are limited to about 100 bytes, which rules out deep homes.
func DefaultControlDir(runtimeDir string) string {
	if runtimeDir != "" && len(runtimeDir) < 40 {
		return filepath.Join(runtimeDir, "git-airlock-ssh")
	}
	return filepath.Join("/tmp", fmt.Sprintf("git-airlock-ssh-%d", os.Getuid()))
}

// Settings are the user's choices for reaching hosts (airlock.sshCommand,
// airlock.sshShare, $XDG_RUNTIME_DIR), the same for git-airlock and its
// remote helper.
type Settings struct {
	// Command is the user's ssh command line (airlock.sshCommand), run by
	// sh with the arguments appended, as git runs core.sshCommand: it is
	// the user's own text, from their git config.
	Command    string
	Share      bool
	RuntimeDir string
}

// New is the transport to a host value under the user's settings. Sharing
// is dropped (each call connects anew) when its directory cannot be made
// private.
func New(host string, s Settings) (*Transport, error) {
	h, err := Parse(host)
	if err != nil {
		return nil, err
	}
	t := &Transport{Host: h}
	if s.Command != "" {
		t.SSH = []string{"sh", "-c", s.Command + ` "$@"`, s.Command}
	}
	if s.Share {
		dir := DefaultControlDir(s.RuntimeDir)
		if PrepareControlDir(dir) == nil {
			t.ControlDir = dir
		}
	}
	return t, nil
}
