package notify

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/xec"
)

func TestMode(t *testing.T) {
	for _, tc := range []struct {
		flag    bool
		setting string
		want    string
	}{
		{false, "", Off}, {false, "false", Off}, {true, "", Auto}, {true, "false", Auto},
		{false, "true", Auto}, {false, "Yes", Auto}, {false, "terminal", Terminal}, {true, "terminal", Terminal},
		{false, "/usr/local/bin/ping-me", "/usr/local/bin/ping-me"},
	} {
		if got := Mode(tc.flag, tc.setting); got != tc.want {
			t.Errorf("Mode(%v, %q) = %q, want %q", tc.flag, tc.setting, got, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                           "plain",
		"a\x1b]0;pwned\x07b\nc\r\td":      "a ]0;pwned b c d",
		"  lead and trail  ":              "lead and trail",
		"bidi \u202eevil\u2066 text":      "bidi evil text",
		strings.Repeat("x", 205):          strings.Repeat("x", 200) + "…",
		"-starts with a dash, stays text": "-starts with a dash, stays text",
	} {
		if got := Clean(in, 200); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// fakeTool writes a program that records its argv, one per line.
func fakeTool(t *testing.T, dir, name string, fail bool) string {
	t.Helper()
	log := filepath.Join(dir, name+".argv")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + log + "\n"
	if fail {
		script += "exit 1\n"
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return log
}

func TestSend(t *testing.T) {
	dir := t.TempDir()
	look := func(available ...string) func(string) (string, error) {
		return func(p string) (string, error) {
			for _, a := range available {
				if a == p {
					return filepath.Join(dir, p), nil
				}
			}
			return "", errors.New("not found")
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	ctx := context.Background()

	// notify-send [OPTIONS] SUMMARY [BODY]: the texts after "--", cleaned.
	log := fakeTool(t, dir, "notify-send", false)
	n := &Notifier{Run: &xec.Runner{}, Mode: Auto, GOOS: "linux", LookPath: look("notify-send")}
	how, err := n.Send(ctx, "git airlock: box waits", "-rf \x1b[31mred\x07")
	if err != nil || how != "notify-send" {
		t.Fatalf("Send = %q, %v", how, err)
	}
	b, _ := os.ReadFile(log)
	if want := "--app-name=git-airlock\n--\ngit airlock: box waits\n-rf [31mred\n"; string(b) != want {
		t.Errorf("notify-send argv:\n%s\nwant:\n%s", b, want)
	}

	// macOS: the texts are osascript's arguments, not script text.
	log = fakeTool(t, dir, "osascript", false)
	n = &Notifier{Run: &xec.Runner{}, Mode: Auto, GOOS: "darwin", LookPath: look("osascript")}
	if how, err := n.Send(ctx, `say "hi"`, `" & do shell script "x`); err != nil || how != "osascript" {
		t.Fatalf("Send = %q, %v", how, err)
	}
	b, _ = os.ReadFile(log)
	if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); lines[len(lines)-2] != `say "hi"` || lines[len(lines)-1] != `" & do shell script "x` {
		t.Errorf("osascript argv: %q", lines)
	}

	// No notifier, or one that fails: the terminal, when there is one.
	fakeTool(t, dir, "notify-send", true)
	var term bytes.Buffer
	n = &Notifier{Run: &xec.Runner{}, Mode: Auto, GOOS: "linux", LookPath: look("notify-send"), Terminal: &term}
	if how, err := n.Send(ctx, "box finished", "done; ok"); err != nil || how != "terminal" {
		t.Fatalf("Send = %q, %v", how, err)
	}
	if want := "\a\x1b]9;box finished: done; ok\x1b\\"; term.String() != want {
		t.Errorf("terminal got %q, want %q", term.String(), want)
	}
	term.Reset()
	n = &Notifier{Mode: Terminal, Terminal: &term, Term: "foot"}
	if _, err := n.Send(ctx, "a;b", "c"); err != nil {
		t.Fatal(err)
	}
	if want := "\a\x1b]777;notify;a,b;c\x1b\\"; term.String() != want {
		t.Errorf("OSC 777 got %q, want %q", term.String(), want)
	}

	// Nothing at all: text only, no error.
	n = &Notifier{Run: &xec.Runner{}, Mode: Auto, GOOS: "linux", LookPath: look()}
	if how, err := n.Send(ctx, "x", "y"); how != "" || err != nil {
		t.Errorf("Send without any notifier = %q, %v", how, err)
	}

	// A program of the user's, called as notify-send is.
	log = fakeTool(t, dir, "ping-me", false)
	n = &Notifier{Run: &xec.Runner{}, Mode: filepath.Join(dir, "ping-me")}
	if _, err := n.Send(ctx, "s", "b"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(log); string(b) != "s\nb\n" {
		t.Errorf("program argv %q", b)
	}
}
