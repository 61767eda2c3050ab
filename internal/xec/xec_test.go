package xec

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain":      "plain",
		"a b":        "'a b'",
		"it's":       `'it'\''s'`,
		"":           "''",
		"*.x.com":    "'*.x.com'",
		"+HEAD:refs": "+HEAD:refs",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestErrors(t *testing.T) {
	r := &Runner{}
	ctx := context.Background()
	_, err := r.Output(ctx, Cmd{Argv: []string{"sh", "-c", "echo boom >&2; exit 4"}})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 4 || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("exit error: %v", err)
	}
	_, err = r.Output(ctx, Cmd{Argv: []string{"no-such-program-xyz"}})
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("not found: %v", err)
	}
	// A child of the child keeps the pipes open; the call must still end
	// (a hang here fails the test by its timeout).
	_, err = r.Output(ctx, Cmd{Argv: []string{"sh", "-c", "sleep 30 & sleep 30"}, Timeout: 100 * time.Millisecond})
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("timeout: %v", err)
	}
}

func TestDryRunAndEcho(t *testing.T) {
	var dry, echo bytes.Buffer
	r := &Runner{DryRun: &dry}
	if err := r.Run(context.Background(), Cmd{Argv: []string{"false"}, Mutates: true}); err != nil {
		t.Fatal(err)
	}
	if dry.String() != "false\n" {
		t.Fatalf("dry-run printed %q", dry.String())
	}
	r = &Runner{Echo: &echo}
	if out, err := r.Output(context.Background(), Cmd{Argv: []string{"echo", "a b"}, Mutates: true}); err != nil || string(out) != "a b\n" {
		t.Fatalf("%q %v", out, err)
	}
	if echo.String() != "+ echo 'a b'\n" {
		t.Fatalf("echo printed %q", echo.String())
	}
}

func TestLookPath(t *testing.T) {
	if p, err := LookPath("sh"); err != nil || p == "" {
		t.Fatalf("LookPath(sh) = %q, %v", p, err)
	}
	_, err := LookPath("no-such-program-xyz")
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Program != "no-such-program-xyz" {
		t.Fatalf("LookPath(missing) = %v", err)
	}
}

func TestRecord(t *testing.T) {
	var got []Record
	r := &Runner{Record: func(rec Record) { got = append(got, rec) }}
	_ = r.Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "echo out; echo err >&2; exit 4"}})
	if len(got) != 1 || got[0].Code != 4 || string(got[0].Stdout) != "out\n" || string(got[0].Stderr) != "err\n" {
		t.Fatalf("recorded %+v", got)
	}
}

// A child that floods its stderr: the error keeps the tail, not all of it.
func TestCapturedStderrIsBounded(t *testing.T) {
	var r Runner
	err := r.Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "yes flood | head -c 10000000 >&2; echo last words >&2; exit 3"}})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 3 {
		t.Fatalf("err = %v", err)
	}
	if len(ee.Stderr) > 64<<10 || !strings.HasSuffix(ee.Stderr, "last words\n") {
		t.Errorf("stderr kept %d bytes ending %q", len(ee.Stderr), ee.Stderr[max(0, len(ee.Stderr)-20):])
	}
}
