package main

import (
	"testing"

	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/sbx"
)

// The forward is typed as given: ssh takes the server's port apart (-p),
// and an IPv6 loopback in brackets.
func TestLoopbackHint(t *testing.T) {
	for _, tc := range []struct {
		host string
		port sbx.Port
		want string
	}{
		{"box", sbx.Port{HostIP: "127.0.0.1", HostPort: 41000}, "ssh -N -L 41000:127.0.0.1:41000 box"},
		{"me@box:2222", sbx.Port{HostIP: "0.0.0.0", HostPort: 41000}, "ssh -N -L 41000:127.0.0.1:41000 -p 2222 me@box"},
		{"box", sbx.Port{HostIP: "::", HostPort: 41000}, "ssh -N -L 41000:[::1]:41000 box"},
	} {
		h, err := sshhost.Parse(tc.host)
		if err != nil {
			t.Fatal(err)
		}
		want := "that address is " + h.String() + "'s loopback; forward it here with '" + tc.want + "'"
		if got := loopbackHint(h, []sbx.Port{tc.port}); got != want {
			t.Errorf("loopbackHint(%s, %+v) = %q, want %q", tc.host, tc.port, got, want)
		}
	}
}
