package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

func TestServeProtocolErrors(t *testing.T) {
	var out, errw bytes.Buffer
	h := &Helper{In: strings.NewReader("capabilities\nfetch abc refs/heads/x\n"), Out: &out, Err: &errw}
	err := h.Serve(context.Background(), "airlock-box", "airlock://box/x")
	var pe *ProtocolError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), `unsupported command "fetch abc refs/heads/x"`) {
		t.Fatalf("err = %v", err)
	}
	if out.String() != "connect\n\n" {
		t.Fatalf("stdout = %q: only protocol may go there", out.String())
	}
	out.Reset()
	h = &Helper{In: strings.NewReader("connect git-evil-pack\n"), Out: &out, Err: &errw}
	if err := h.Serve(context.Background(), "r", "airlock://box"); err == nil || out.Len() != 0 {
		t.Fatalf("unknown service: err=%v out=%q", err, out.String())
	}
	h = &Helper{In: strings.NewReader(""), Out: &out, Err: &errw}
	if err := h.Serve(context.Background(), "r", "airlock://-x"); err == nil || out.Len() != 0 {
		t.Fatalf("bad URL: err=%v out=%q", err, out.String())
	}
}

// With nothing fetched before, a fetch that cannot reach the sandbox has
// nothing to answer with: it fails, and git, which has no reply yet, gets
// not a byte (an empty advertisement would read as an empty repository,
// and `git clone airlock://typo` would succeed).
func TestServeLastWithNothingFetchedFails(t *testing.T) {
	var out bytes.Buffer
	h := &Helper{Out: &out, Err: io.Discard}
	for _, tc := range []struct {
		r    reason
		want string
	}{
		{reason{why: `sandbox "typo" no longer exists`, gone: true}, `sandbox "typo" does not exist (sbx says so) and nothing was fetched from it before`},
		{reason{why: `sandbox "box" is stopped and airlock.wakeOnFetch is false`, next: "wake it: git airlock --name box fetch"},
			`sandbox "box" is stopped and airlock.wakeOnFetch is false, and nothing was fetched from it before`},
	} {
		c := &conn{remote: "airlock-box", t: sandboxref.Target{Sandbox: "typo"}, in: bufioReader("")}
		err := h.serveLast(c, tc.r)
		if err == nil || err.Error() != tc.want {
			t.Errorf("err = %v, want %s", err, tc.want)
		}
		if out.Len() != 0 || c.replied {
			t.Errorf("git got %q (replied %v): it must get no reply", out.String(), c.replied)
		}
	}
}

func TestAdvertPeekReadsHeadSymrefAcrossWrites(t *testing.T) {
	oid := strings.Repeat("a", 40)
	for _, tc := range []struct {
		name, first string
		head        bool
		symref      string
	}{
		{"attached", oid + " HEAD\x00multi_ack symref=HEAD:refs/heads/feature/x agent=git/2.39\n", true, "refs/heads/feature/x"},
		{"detached", oid + " HEAD\x00multi_ack agent=git/2.39\n", true, ""},
		{"no HEAD", oid + " refs/heads/main\x00symref=HEAD:refs/heads/main\n", false, ""},
		{"v2", "version 2\n", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stream := fmt.Sprintf("%04x%s0000", len(tc.first)+4, tc.first)
			var out bytes.Buffer
			a := &advertGuard{w: &out}
			for i := 0; i < len(stream); i += 7 { // split mid-header and mid-line
				_, _ = a.Write([]byte(stream[i:min(i+7, len(stream))]))
			}
			if out.String() != stream {
				t.Fatalf("the stream was changed: %q", out.String())
			}
			if a.head != tc.head || a.symref != tc.symref {
				t.Fatalf("head=%v symref=%q, want %v %q", a.head, a.symref, tc.head, tc.symref)
			}
		})
	}
}

func TestAdvertPeekReadsV2LsRefs(t *testing.T) {
	oid := strings.Repeat("b", 40)
	pkt := func(s string) string { return fmt.Sprintf("%04x%s", len(s)+4, s) }
	for _, tc := range []struct {
		name, response string
		head           bool
		symref         string
	}{
		{"attached", pkt(oid+" refs/heads/a\n") + pkt(oid+" HEAD symref-target:refs/heads/a\n") + "0000", true, "refs/heads/a"},
		{"detached", pkt(oid+" HEAD\n") + pkt(oid+" refs/heads/a\n") + "0000", true, ""},
		{"no HEAD asked", pkt(oid+" refs/heads/a\n") + "0000", false, ""},
		{"a fetch response", pkt("packfile\n") + pkt("\x01PACK "+oid+" HEAD symref-target:refs/heads/x") + "0000", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stream := pkt("version 2\n") + pkt("ls-refs=unborn\n") + pkt("fetch=shallow filter\n") + "0000" + tc.response
			var out bytes.Buffer
			a := &advertGuard{w: &out}
			for i := 0; i < len(stream); i += 5 {
				_, _ = a.Write([]byte(stream[i:min(i+5, len(stream))]))
			}
			if out.String() != stream {
				t.Fatalf("the stream was changed")
			}
			if a.head != tc.head || a.symref != tc.symref {
				t.Fatalf("head=%v symref=%q, want %v %q", a.head, a.symref, tc.head, tc.symref)
			}
		})
	}
}
