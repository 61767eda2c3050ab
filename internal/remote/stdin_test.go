package remote

import (
	"bytes"
	"strings"
	"testing"
)

func TestPassPushCommands(t *testing.T) {
	o, n := strings.Repeat("0", 40), strings.Repeat("a", 40)
	branch := pkt(o + " " + n + " refs/heads/host/main\x00report-status side-band-64k\n")
	for _, tc := range []struct {
		name, in, passed, tag string
	}{
		{"branches", branch + pkt(n+" "+o+" refs/heads/old\n") + "0000PACK", branch + pkt(n+" "+o+" refs/heads/old\n") + "0000", ""},
		{"nothing to push", "0000", "0000", ""},
		{"a tag after a branch", branch + pkt(o+" "+n+" refs/tags/v1.0\n") + "0000PACK", branch, "refs/tags/v1.0"},
		{"a tag deleted", pkt(n+" "+o+" refs/tags/planted\x00report-status\n") + "0000", "", "refs/tags/planted"},
		{"shallow lines pass", pkt("shallow "+n+"\n") + branch + "0000", pkt("shallow "+n+"\n") + branch + "0000", ""},
		{"a push certificate", pkt("push-cert\x00report-status\n") + pkt("certificate version 0.1\n") + pkt(o+" "+n+" refs/tags/signed\n"),
			pkt("push-cert\x00report-status\n") + pkt("certificate version 0.1\n"), "refs/tags/signed"},
		{"not pkt-lines: passed on for receive-pack to refuse", "zzzzrest", "zzzz", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			touched := 0
			tag, _ := passPushCommands(bufioReader(tc.in), &out, func() { touched++ })
			if tag != tc.tag || out.String() != tc.passed {
				t.Fatalf("tag %q, passed %q; want %q, %q", tag, out.String(), tc.tag, tc.passed)
			}
			if touched == 0 {
				t.Fatal("bytes from git were not noted for the inactivity deadline")
			}
		})
	}
}
