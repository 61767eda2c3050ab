package sbx

import (
	"bytes"
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

func TestTunnel(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake sbx is a shell script")
	}
	// The fake sbx echoes its argv, copies stdin to stdout and exits 3,
	// after outliving the client's timeout: a tunnel has none.
	fake := filepath.Join(t.TempDir(), "sbx")
	script := "#!/bin/sh\necho \"$*\"\ncat\necho 'sbx noise' >&2\nsleep 0.2\nexit 3\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &Client{Bin: fake, Run: &xec.Runner{}, Timeout: time.Millisecond}
	var out, errw bytes.Buffer
	err := c.Tunnel(context.Background(), ExecRequest{Name: "box", Env: []string{"GIT_PROTOCOL=version=2"},
		Argv: []string{"git", "upload-pack", "/r"}, Streams: xec.Streams{In: strings.NewReader("want x\n"), Out: &out, Err: &errw}})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 3 || ee.Name != "box" {
		t.Fatalf("err = %v, want an *ExitError with code 3", err)
	}
	var xe *xec.ExitError
	if !errors.As(err, &xe) || !strings.Contains(xe.Stderr, "sbx noise") {
		t.Fatalf("err = %v: the *xec.ExitError with sbx's stderr is lost", err)
	}
	if want := "exec -i -e GIT_PROTOCOL=version=2 box git upload-pack /r\nwant x\n"; out.String() != want {
		t.Fatalf("stdout = %q, want %q", out.String(), want)
	}
	if errw.String() != "sbx noise\n" {
		t.Fatalf("stderr = %q", errw.String())
	}

	c.Bin = filepath.Join(t.TempDir(), "no-sbx")
	err = c.Tunnel(context.Background(), ExecRequest{Name: "box", Argv: []string{"true"}})
	var me *MissingError
	if !errors.As(err, &me) || me.Bin != c.Bin {
		t.Fatalf("err = %v, want a *MissingError", err)
	}
}

// A tunnel that never started is typed from sbx's own answer: gone only
// when sbx says so for that name, never from what a started child printed.
func TestUnstarted(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake sbx is a shell script")
	}
	for _, tc := range []struct {
		name, script string
		check        func(error) bool
	}{
		{"no such sandbox", "#!/bin/sh\necho \"ERROR: no sandbox named 'box'\" >&2\nexit 1\n",
			func(err error) bool { var nf *NotFoundError; return errors.As(err, &nf) && nf.Name == "box" }},
		{"daemon down", "#!/bin/sh\necho 'the daemon is not running' >&2\nexit 1\n",
			func(err error) bool { return errors.Is(err, ErrDaemonDown) }},
		{"the child started, then printed the words", "#!/bin/sh\necho " + "MARK" + "\necho \"no sandbox named 'box'\"\nexit 1\n",
			func(err error) bool { var ee *ExitError; return errors.As(err, &ee) }},
		{"exit 0 without the marker", "#!/bin/sh\nexit 0\n",
			func(err error) bool { var ce *CommandError; return errors.As(err, &ce) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := filepath.Join(t.TempDir(), "sbx")
			if err := os.WriteFile(fake, []byte(tc.script), 0o755); err != nil {
				t.Fatal(err)
			}
			c := &Client{Bin: fake, Run: &xec.Runner{}}
			f := &Frame{W: &bytes.Buffer{}, Marker: "MARK"}
			req := ExecRequest{Name: "box", Argv: []string{"sh", "-c", "true"}, Streams: xec.Streams{Out: f}}
			err := Unstarted(req, f, c.Tunnel(context.Background(), req))
			if !tc.check(err) {
				t.Fatalf("err = %#v (%v)", err, err)
			}
		})
	}
}
