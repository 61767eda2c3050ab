package sshhost

import (
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// hostile are arguments a shell would split, expand or run if they reached
// the remote command line unquoted.
var hostile = []string{
	"plain", "", " ", "two words", "'", `"`, `'\''`, `\`, `\\n`, "$(touch /tmp/pwned)", "`id`", "$HOME", "${PATH}",
	"a;b", "a|b", "a&&b", "a>b", "<x", "*", "?", "[a]", "~", "~root", "-rf", "--", "-o ProxyCommand=sh",
	"line\nbreak", "tab\there", "#comment", "!", "!!", "{a,b}", "a=b", "%s", "é ünïcode", "\r", "\x7f",
}

// TestQuoteCommandRoundTrip hands the quoted line to real shells, as ssh
// hands it to the remote login shell, and checks every word comes back as
// it went in.
func TestQuoteCommandRoundTrip(t *testing.T) {
	line, err := QuoteCommand(hostile)
	if err != nil {
		t.Fatal(err)
	}
	for _, shell := range []string{"sh", "bash", "dash", "zsh", "ksh"} {
		if _, err := exec.LookPath(shell); err != nil {
			continue
		}
		// The shell parses the line itself (as sshd's `shell -c line`
		// does) and prints the words NUL-terminated.
		out, err := exec.Command(shell, "-c", `printwords() { for a; do printf '%s\0' "$a"; done; }; printwords `+line).Output()
		if err != nil {
			t.Fatalf("%s: %v", shell, err)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		if !slices.Equal(got, hostile) {
			t.Errorf("%s split the line into\n%q\nwant\n%q", shell, got, hostile)
		}
	}
}

func TestQuoteCommandRefusesNUL(t *testing.T) {
	if _, err := QuoteCommand([]string{"a\x00b"}); err == nil {
		t.Fatal("a NUL byte was accepted")
	}
}

func FuzzQuoteCommand(f *testing.F) {
	for _, h := range hostile {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, err := QuoteCommand([]string{s})
		if strings.IndexByte(s, 0) >= 0 {
			if err == nil {
				t.Fatal("NUL accepted")
			}
			return
		}
		// Outside the quotes there is never anything but '\'' joins.
		if !strings.HasPrefix(line, "'") || !strings.HasSuffix(line, "'") {
			t.Fatalf("%q not enclosed in quotes: %s", s, line)
		}
		inner := strings.ReplaceAll(line[1:len(line)-1], `'\''`, "")
		if strings.Contains(inner, "'") {
			t.Fatalf("%q: a quote escapes the quoting: %s", s, line)
		}
	})
}

func TestParse(t *testing.T) {
	good := map[string]Host{
		"server":                 {Name: "server"},
		"me@server":              {User: "me", Name: "server"},
		"me@server.example:2222": {User: "me", Name: "server.example", Port: 2222},
		"10.0.0.5:22":            {Name: "10.0.0.5", Port: 22},
		"[::1]:2222":             {Name: "::1", Port: 2222},
		"::1":                    {Name: "::1"},
		"build_box-2":            {Name: "build_box-2"},
		"a.b@c":                  {User: "a.b", Name: "c"},
	}
	for in, want := range good {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", in, got, err, want)
			continue
		}
		back, err := Parse(got.String())
		if err != nil || back != got {
			t.Errorf("Parse(%q).String() = %q does not read back: %+v, %v", in, got.String(), back, err)
		}
	}
	bad := []string{
		"", "-oProxyCommand=sh", "-p", "server -oProxyCommand=x", "ser\nver", "server\t", "me@-server", "-me@server",
		"@server", "server:", "server:0", "server:65536", "server:022", "server:x", "ser;ver", "ser$ver", "$(x)", "`x`",
		"ser'ver", `ser"ver`, "ser/ver", "me@ser@ver@", "[::1", "[::1]x", "[host]:22", "server\x00", "ünï", "a b@c",
		"ssh://server", "server:22:33", strings.Repeat("a", 256),
	}
	for _, in := range bad {
		_, err := Parse(in)
		var ie *InvalidError
		if !errors.As(err, &ie) || !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %v, want an *InvalidError", in, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"server", "me@server:22", "[::1]:2", "-x", "a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := Parse(s)
		if err != nil {
			return
		}
		for _, w := range []string{h.User, h.Name, h.Destination()} {
			if strings.HasPrefix(w, "-") || strings.ContainsFunc(w, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
				t.Fatalf("Parse(%q) accepted %q", s, w)
			}
		}
		back, err := Parse(h.String())
		if err != nil || back != h {
			t.Fatalf("Parse(%q) = %+v renders %q, which reads back as %+v, %v", s, h, h.String(), back, err)
		}
	})
}

func TestArgv(t *testing.T) {
	tr := &Transport{Host: Host{User: "me", Name: "server", Port: 2222}, ControlDir: "/run/x"}
	got, err := tr.Argv(Batch, []string{"sbx", "exec", "a b"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ssh", "-o", "BatchMode=yes", "-T", "-o", "ControlMaster=auto", "-o", "ControlPath=/run/x/%C",
		"-o", "ControlPersist=60s", "-p", "2222", "--", "me@server", "'sbx' 'exec' 'a b'"}
	if !slices.Equal(got, want) {
		t.Errorf("Argv =\n%q\nwant\n%q", got, want)
	}
	tr = &Transport{Host: Host{Name: "server"}, SSH: []string{"ssh", "-F", "/cfg"}}
	got, _ = tr.Argv(Terminal, []string{"sbx"})
	want = []string{"ssh", "-F", "/cfg", "-t", "--", "server", "'sbx'"}
	if !slices.Equal(got, want) {
		t.Errorf("Argv =\n%q\nwant\n%q", got, want)
	}
}
