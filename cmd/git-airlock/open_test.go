package main

import (
	"testing"

	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/sbx"
)

// The forward is typed as given: ssh takes the server's port apart (-p),
// and an IPv6 loopback in brackets.
func TestForwardCommand(t *testing.T) {
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
		if got := forwardCommand(h, tc.port); got != tc.want {
			t.Errorf("forwardCommand(%s, %+v) = %q, want %q", tc.host, tc.port, got, tc.want)
		}
	}
}
