package sbx

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/internal/sshtest"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// sshClient starts a real sshd whose sessions find serverSbx as `sbx`, and
// a client of it.
func sshClient(t testing.TB, serverSbx string) (*Client, *sshtest.Server) {
	c, srv, _ := sshClientIn(t, serverSbx)
	return c, srv
}

func sshClientIn(t testing.TB, serverSbx string) (*Client, *sshtest.Server, string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "sbx"), []byte(serverSbx), 0o755); err != nil {
		t.Fatal(err)
	}
	srv, err := sshtest.Start(filepath.Join(dir, "ssh"), "server", []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	ctl, err := os.MkdirTemp("", "ctl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(ctl) })
	host, _ := sshhost.Parse("server")
	return &Client{Run: &xec.Runner{}, Remote: &sshhost.Transport{Host: host, SSH: []string{"ssh", "-F", srv.ClientConfig}, ControlDir: ctl, Persist: "2s"}}, srv, dir
}

// TestRemoteArgvExact: the server's sbx receives exactly the argv the
// client was asked for, hostile words included.
func TestRemoteArgvExact(t *testing.T) {
	c, _, home := sshClientIn(t, "#!/bin/sh\nfor a; do printf '%s\\0' \"$a\"; done\n")
	hostile := []string{"ls", "two words", "'", `"`, `$(touch "$HOME/pwned")`, "`id`", "$HOME", "a;b", "a|b", "*", "~", "-rf",
		"--", "line\nbreak", "#x", "!", "{a,b}", `\`, "", "é"}
	out, err := c.call(context.Background(), "argv", false, hostile...)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
	if !slices.Equal(got, hostile) {
		t.Errorf("server's sbx got\n%q\nwant\n%q", got, hostile)
	}
	if _, err := os.Stat(filepath.Join(home, "pwned")); err == nil {
		t.Error("a command substitution ran")
	}
}

// TestRemoteExecFramed: an exec over ssh is framed as a local one, its
// stdout the child's alone and its status passed through.
func TestRemoteExecFramed(t *testing.T) {
	// The server's "sbx exec NAME argv…" runs argv, noisily, as sbx does.
	c, _ := sshClient(t, "#!/bin/sh\n[ \"$1\" = exec ] || exit 2\nshift 2\necho 'sbx: starting sandbox'\nexec \"$@\"\n")
	out, err := c.ExecOutput(context.Background(), ExecRequest{Name: "box", Argv: []string{"printf", "%s|", "a b", "$x"}})
	if err != nil || out != "a b|$x|" {
		t.Fatalf("ExecOutput = %q, %v", out, err)
	}
	err = c.Exec(context.Background(), ExecRequest{Name: "box", Argv: []string{"sh", "-c", "exit 7"}})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 7 {
		t.Fatalf("exit 7 came back as %v", err)
	}
}

// TestRemoteFailures: ssh's own failure and a server without sbx are typed.
func TestRemoteFailures(t *testing.T) {
	c, srv := sshClient(t, "#!/bin/sh\nexit 0\n")
	c.Bin = "no-such-sbx"
	_, err := c.List(context.Background())
	var me *MissingError
	if !errors.As(err, &me) || me.Host != "server" {
		t.Fatalf("missing sbx on the server came back as %v", err)
	}
	srv.Stop()
	c.Remote.ControlDir = "" // a fresh connection, refused
	_, err = c.List(context.Background())
	var ue *UnreachableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "cannot reach server over ssh") {
		t.Fatalf("a stopped server came back as %v", err)
	}
}

// BenchmarkRemoteCall is one non-interactive sbx call over ssh to a real
// sshd on loopback, with the connection shared (ControlMaster, as
// git-airlock runs it) and without (a handshake per call). Results in
// docs/BENCHMARKS.md.
func BenchmarkRemoteCall(b *testing.B) {
	for _, shared := range []bool{true, false} {
		name := "unshared"
		if shared {
			name = "shared"
		}
		b.Run(name, func(b *testing.B) {
			c, _ := sshClient(b, "#!/bin/sh\necho '[]'\n")
			if !shared {
				c.Remote.ControlDir = ""
			}
			if _, err := c.List(context.Background()); err != nil { // opens the master, if any
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := c.List(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestRemoteProbeCache: a server's capabilities are cached by host and
// version: a later command asks only `sbx version`.
func TestRemoteProbeCache(t *testing.T) {
	c, _, home := sshClientIn(t, "#!/bin/sh\necho \"$*\" >> \"$HOME/calls\"\ncase \"$1\" in version) echo 'sbx version 0.47.0';; create) echo '--clone';; esac\n")
	c.CacheDir = t.TempDir()
	if _, err := c.Probe(context.Background()); err != nil {
		t.Fatal(err)
	}
	again := &Client{Run: c.Run, Remote: c.Remote, CacheDir: c.CacheDir}
	caps, err := again.Probe(context.Background())
	if err != nil || !caps.Clone {
		t.Fatalf("cached probe: %+v, %v", caps, err)
	}
	calls, _ := os.ReadFile(filepath.Join(home, "calls"))
	// The first probe: version and five --help calls; the second: version.
	if got := strings.Count(string(calls), "\n"); got != 7 || !strings.HasSuffix(string(calls), "--help\nversion\n") {
		t.Errorf("server's sbx was asked:\n%s", calls)
	}
}

// TestRemotePolicyNotLocalRecord: the record of a default policy chosen
// for this machine's sbx says nothing of a server's: a client of the
// server asks the server's sbx.
func TestRemotePolicyNotLocalRecord(t *testing.T) {
	c, _, home := sshClientIn(t, "#!/bin/sh\necho \"$*\" >> \"$HOME/calls\"\ncase \"$1\" in policy) echo 'network policy has not been initialized';; esac\n")
	c.CacheDir = t.TempDir()
	// This machine's sbx, whose default policy was chosen and recorded.
	local := t.TempDir()
	if err := os.WriteFile(filepath.Join(local, "sbx"), []byte("#!/bin/sh\necho 'default policy: balanced'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", local+string(os.PathListSeparator)+os.Getenv("PATH"))
	here := &Client{Run: c.Run, CacheDir: c.CacheDir}
	if ok, err := here.PolicyInitialised(context.Background()); err != nil || !ok {
		t.Fatalf("this machine's sbx: %v, %v", ok, err)
	}
	ok, err := c.PolicyKnownInitialised(context.Background())
	if err != nil || ok {
		t.Fatalf("server's policy = %v, %v; want false, asked of the server", ok, err)
	}
	if calls, _ := os.ReadFile(filepath.Join(home, "calls")); !strings.Contains(string(calls), "policy ls") {
		t.Errorf("server's sbx was asked:\n%s", calls)
	}
	// Nor does the server's answer reach this machine's record.
	if ok, err := here.PolicyKnownInitialised(context.Background()); err != nil || !ok {
		t.Errorf("this machine's sbx after the server's answer: %v, %v", ok, err)
	}
}
