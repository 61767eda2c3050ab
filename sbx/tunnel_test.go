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
