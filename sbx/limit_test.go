package sbx

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// An agent's program in the VM prints without end (it even ignores
// SIGPIPE, in a child of its own): ExecOutput stops reading at the limit,
// stops the command instead of waiting for the timeout, and fails with an
// *OutputLimitError; nothing of the answer is returned.
func TestExecOutputFloodIsCutAndStopped(t *testing.T) {
	c := fakeExecClient(t)
	c.Timeout = 20 * time.Second
	c.OutputLimit = 1 << 20
	t.Setenv("FAKE_WAKE", "stdout")
	for name, script := range map[string]string{
		"stdout":            `trap '' PIPE; (while :; do echo 'ref 1111111111111111111111111111111111111111 refs/heads/x'; done) 2>/dev/null`,
		"stderr":            `trap '' PIPE; (while :; do echo 'noise' >&2; done); echo unreachable`,
		"both, interleaved": `yes out & yes err >&2`,
	} {
		start := time.Now()
		out, err := c.ExecOutput(context.Background(), ExecRequest{Name: "box", Argv: []string{"sh", "-c", script}})
		var le *OutputLimitError
		if !errors.As(err, &le) || le.Limit != 1<<20 || le.Name != "box" {
			t.Errorf("%s: err = %v, want an *OutputLimitError of 1 MiB for box", name, err)
			continue
		}
		if out != "" {
			t.Errorf("%s: %d bytes of a cut answer returned", name, len(out))
		}
		if want := `exec sh in sandbox "box": it printed more than 1 MiB; the command was stopped and its answer discarded`; err.Error() != want {
			t.Errorf("%s: message %q, want %q", name, err.Error(), want)
		}
		if d := time.Since(start); d > c.Timeout/2 {
			t.Errorf("%s: the flood ran on for %s: the command was not stopped at the limit", name, d)
		}
	}
}

// The cut may fall anywhere in the frame: inside sbx's own lines or the
// marker line (the command never seen to start), or inside a line of the
// command's answer. Each is the limit's error, never a command that
// "never started", sbx's error, or a truncated answer.
func TestExecOutputCutMidFrame(t *testing.T) {
	c := fakeExecClient(t)
	t.Setenv("FAKE_WAKE", "stdout") // "Sandbox box started successfully\n": 33 bytes
	for _, limit := range []int64{10, 40, 60, 75, 4096} {
		out, err := c.ExecOutput(context.Background(), ExecRequest{Name: "box", MaxOutput: limit,
			Argv: []string{"sh", "-c", "yes 'a line of the answer'"}})
		var le *OutputLimitError
		if !errors.As(err, &le) || le.Limit != limit || out != "" {
			t.Errorf("limit %d: got %q, %v; want only an *OutputLimitError", limit, out, err)
		}
	}
	// Exactly at the limit is within it.
	line := "exactly\n"
	marker := len(NewMarker()) + 1
	out, err := c.ExecOutput(context.Background(), ExecRequest{Name: "box", MaxOutput: int64(33 + marker + len(line)),
		Argv: []string{"printf", "%s", line}})
	if err != nil || out != line {
		t.Errorf("at the limit: got %q, %v", out, err)
	}
}

// A caller that legitimately needs more says so per request.
func TestExecOutputCallerRaisesTheLimit(t *testing.T) {
	c := fakeExecClient(t)
	c.OutputLimit = 1 << 10
	t.Setenv("FAKE_WAKE", "none")
	argv := []string{"sh", "-c", "head -c 4096 /dev/zero"}
	if _, err := c.ExecOutput(context.Background(), ExecRequest{Name: "box", Argv: argv}); !errors.As(err, new(*OutputLimitError)) {
		t.Fatalf("4 KiB over a 1 KiB limit: err = %v", err)
	}
	out, err := c.ExecOutput(context.Background(), ExecRequest{Name: "box", Argv: argv, MaxOutput: 8 << 10})
	if err != nil || len(out) != 4096 {
		t.Fatalf("with MaxOutput 8 KiB: %d bytes, %v", len(out), err)
	}
	if DefaultOutputLimit != 64<<20 || (&Client{}).outputLimit(0) != DefaultOutputLimit {
		t.Errorf("default limit %d", DefaultOutputLimit)
	}
}

// sbx itself floods: its own commands' answers are bounded the same way,
// and an exec whose command never starts stops at Frame's 1 MiB (sbx's
// noise before the marker), the command stopped either way.
func TestSbxOwnOutputIsBounded(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake sbx is a shell script")
	}
	fake := filepath.Join(t.TempDir(), "sbx")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\ntrap '' PIPE\n(while :; do echo 'sbx noise'; done) 2>/dev/null\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &Client{Bin: fake, Run: &xec.Runner{}, Timeout: 20 * time.Second, OutputLimit: 1 << 20}
	start := time.Now()
	_, err := c.call(context.Background(), "list sandboxes", false, "ls", "--json")
	var le *OutputLimitError
	if !errors.As(err, &le) || le.Name != "" || !strings.Contains(err.Error(), "list sandboxes: "+filepath.Base(fake)) && !strings.Contains(err.Error(), "list sandboxes: "+fake+" ls") {
		t.Errorf("sbx ls: err = %v, want an *OutputLimitError", err)
	}
	c.OutputLimit = 0
	_, err = c.ExecOutput(context.Background(), ExecRequest{Name: "box", Argv: []string{"true"}})
	if err == nil || !strings.Contains(err.Error(), "no start of the command within 1 MiB") {
		t.Errorf("exec: err = %v, want Frame's bound", err)
	}
	if d := time.Since(start); d > c.Timeout/2 {
		t.Errorf("the flood ran on for %s", d)
	}
}
