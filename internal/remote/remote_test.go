package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
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

func TestServeCachedAdvertisesLastFetch(t *testing.T) {
	var out bytes.Buffer
	h := &Helper{Out: &out}
	in := bufioReader("0000")
	if err := h.serveCached("airlock-box", in); err != nil {
		t.Fatal(err)
	}
	// No repository: an empty advertisement with capabilities, then flush.
	adv := strings.Repeat("0", 40) + " capabilities^{}\x00shallow agent=git-airlock/cached\n"
	want := fmt.Sprintf("%04x%s0000", len(adv)+4, adv)
	if out.String() != want {
		t.Fatalf("got %q\nwant %q", out.String(), want)
	}
	out.Reset()
	if err := h.serveCached("airlock-box", bufioReader("0032want "+strings.Repeat("a", 40)+"\n0000")); err == nil {
		t.Fatal("a want was served from a sleeping sandbox")
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
