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

// fakeExecSbx is an sbx whose exec skips its flags, answers for a missing
// sandbox with the wording in $FAKE_MISSING, prints a wake-up line on the
// stream in $FAKE_WAKE (stdout, stderr or none), then runs the command on
// the host.
const fakeExecSbx = `#!/bin/sh
shift # exec
while :; do
	case "$1" in
	-i|-t) shift ;;
	-e|-w) shift 2 ;;
	*) break ;;
	esac
done
name=$1; shift
if [ "$name" = gone ]; then echo "$FAKE_MISSING" >&2; exit 1; fi
if [ "$name" = gone-stdout ]; then echo "ERROR: no sandbox named 'gone-stdout'"; exit 1; fi
if [ "$name" = down ]; then echo "ERROR: cannot connect to the sandbox daemon: the daemon is not running" >&2; exit 1; fi
case "$FAKE_WAKE" in
stdout) echo "Sandbox $name started successfully" ;;
stderr) echo "Sandbox $name started successfully" >&2 ;;
esac
exec "$@"
`

func fakeExecClient(t *testing.T) *Client {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake sbx is a shell script")
	}
	fake := filepath.Join(t.TempDir(), "sbx")
	if err := os.WriteFile(fake, []byte(fakeExecSbx), 0o755); err != nil {
		t.Fatal(err)
	}
	return &Client{Bin: fake, Run: &xec.Runner{}, Timeout: 10 * time.Second}
}

func TestExecOutputDropsSbxLines(t *testing.T) {
	c := fakeExecClient(t)
	for _, wake := range []string{"stdout", "stderr", "none"} {
		t.Setenv("FAKE_WAKE", wake)
		out, err := c.ExecOutput(context.Background(), ExecRequest{Name: "box",
			Argv: []string{"sh", "-c", `printf '%s\n' /work/repo; echo 'child noise' >&2`}})
		if err != nil || out != "/work/repo\n" {
			t.Errorf("wake line on %s: got %q, %v; want only the child's stdout", wake, out, err)
		}
	}
}

func TestExecMissingSandboxOnlyFromSbx(t *testing.T) {
	c := fakeExecClient(t)
	t.Setenv("FAKE_WAKE", "stdout")
	for _, wording := range []string{
		"ERROR: no sandbox named 'gone'", // 0.47
		`ERROR: sandbox "gone" not found`,
		"Error: no such sandbox: gone",
		"error: sandbox gone does not exist",
	} {
		t.Setenv("FAKE_MISSING", wording)
		_, err := c.ExecOutput(context.Background(), ExecRequest{Name: "gone", Argv: []string{"true"}})
		var nf *NotFoundError
		if !errors.As(err, &nf) || nf.Name != "gone" {
			t.Errorf("%q: ExecOutput err = %v, want a *NotFoundError", wording, err)
		}
		err = c.Exec(context.Background(), ExecRequest{Name: "gone", Argv: []string{"true"}, Stream: true})
		if !errors.As(err, &nf) {
			t.Errorf("%q: Exec err = %v, want a *NotFoundError", wording, err)
		}
	}

	// A child's own "not found" and exit 127 are the child's.
	for _, argv := range [][]string{
		{"no-such-agent-binary-in-the-vm", "-p", "task"},
		{"sh", "-c", "echo 'ERROR: sandbox box not found; no sandbox named box' >&2; exit 127"},
	} {
		var out, errw bytes.Buffer
		err := c.Exec(context.Background(), ExecRequest{Name: "box", Argv: argv, Stream: true,
			Streams: xec.Streams{Out: &out, Err: &errw}})
		var ee *ExitError
		var xe *xec.ExitError
		if !errors.As(err, &ee) || ee.Code != 127 || !errors.As(err, &xe) || xe.Code != 127 {
			t.Errorf("%q: Exec err = %#v, want the agent's exit status 127", argv, err)
		}
		var nf *NotFoundError
		if errors.As(err, &nf) {
			t.Errorf("%q: a child's text taken for sbx's", argv)
		}
		if out.String() != "" || !strings.Contains(errw.String(), "Sandbox box started successfully") {
			t.Errorf("%q: stdout %q, stderr %q: sbx's wake line belongs on stderr", argv, out.String(), errw.String())
		}
		_, err = c.ExecOutput(context.Background(), ExecRequest{Name: "box", Argv: argv})
		if !errors.As(err, &ee) || ee.Code != 127 {
			t.Errorf("%q: ExecOutput err = %v, want exit status 127", argv, err)
		}
	}

	// sbx's own answer on stdout, before the command started, is sbx's too.
	var nf *NotFoundError
	if _, err := c.ExecOutput(context.Background(), ExecRequest{Name: "gone-stdout", Argv: []string{"true"}}); !errors.As(err, &nf) {
		t.Errorf("sbx's answer on stdout: err = %v, want a *NotFoundError", err)
	}

	_, err := c.ExecOutput(context.Background(), ExecRequest{Name: "down", Argv: []string{"true"}})
	if !errors.Is(err, ErrDaemonDown) {
		t.Errorf("daemon down: err = %v", err)
	}
}

func TestExecStreamsOnlyTheChild(t *testing.T) {
	c := fakeExecClient(t)
	t.Setenv("FAKE_WAKE", "stdout")
	var out, errw bytes.Buffer
	err := c.Exec(context.Background(), ExecRequest{Name: "box", Argv: []string{"sh", "-c", "echo out; echo err >&2; exit 3"},
		Stream: true, Streams: xec.Streams{Out: &out, Err: &errw}})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 3 {
		t.Fatalf("err = %v, want exit status 3", err)
	}
	if out.String() != "out\n" {
		t.Errorf("stdout = %q", out.String())
	}
	if !strings.Contains(errw.String(), "err\n") || !strings.Contains(errw.String(), "started successfully") {
		t.Errorf("stderr = %q", errw.String())
	}
	if !strings.Contains(err.Error(), `exec in sandbox "box": exit status 3: err`) {
		t.Errorf("message = %q", err.Error())
	}
}

// Under dry-run a mutating exec is printed as typed; a read in a sandbox
// that is not running (here sbx is missing: none is) is neither run nor
// printed, and answers nothing.
func TestExecDryRunPrintsPlainArgv(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var printed bytes.Buffer
	c := &Client{Bin: "sbx", Run: &xec.Runner{DryRun: &printed}}
	if out, err := c.ExecOutput(context.Background(), ExecRequest{Name: "box", Argv: []string{"git", "rev-parse"}}); err != nil || out != "" {
		t.Fatalf("read = %q, %v", out, err)
	}
	if err := c.Exec(context.Background(), ExecRequest{Name: "box", Argv: []string{"codex", "exec", "a b"}, Mutates: true}); err != nil {
		t.Fatal(err)
	}
	if want := "sbx exec box codex exec 'a b'\n"; printed.String() != want {
		t.Fatalf("printed %q, want %q", printed.String(), want)
	}
}

// A terminal session is not framed: sbx's stderr is its own there.
func TestExecTerminal(t *testing.T) {
	c := fakeExecClient(t)
	t.Setenv("FAKE_MISSING", "ERROR: no sandbox named 'gone'")
	err := c.Exec(context.Background(), ExecRequest{Name: "box", TTY: true, Argv: []string{"sh", "-c", "exit 5"}, Stream: true})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 5 {
		t.Errorf("err = %v, want exit status 5", err)
	}
	err = c.Exec(context.Background(), ExecRequest{Name: "gone", TTY: true, Argv: []string{"true"}, Stream: true})
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("err = %v, want a *NotFoundError", err)
	}
	err = c.Exec(context.Background(), ExecRequest{Name: "down", TTY: true, Argv: []string{"true"}, Stream: true})
	if !errors.Is(err, ErrDaemonDown) {
		t.Errorf("err = %v, want ErrDaemonDown", err)
	}
}

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
