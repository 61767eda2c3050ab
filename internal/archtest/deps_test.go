package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// noNetworkStack is what neither binary may link, directly or through a
// dependency: git-airlock talks to git and sbx through their CLIs and to
// nothing over a network itself, and every package linked is paid for at
// every start (go-git's root package brings all its transports: HTTP, TLS,
// SSH with known_hosts and agent: 3.5 MB of git-remote-airlock, 6.4 MB of
// git-airlock, and about a millisecond of every start).
var noNetworkStack = []string{
	"github.com/go-git/go-git/v5",
	"github.com/go-git/go-git/v5/plumbing/transport/...",
	"net/http/...",
	"crypto/tls/...",
	"golang.org/x/crypto/ssh/...",
}

func TestBinariesLinkNoNetworkStack(t *testing.T) {
	root := moduleRoot(t)
	cmd := exec.Command("go", "list", "-deps", "./cmd/git-airlock", "./cmd/git-remote-airlock")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, mod+"/gitx") {
		t.Fatalf("go list -deps does not list gitx: %q", out)
	}
	for _, d := range deps {
		if matchAny(noNetworkStack, d) {
			t.Errorf("the binaries link %s (see noNetworkStack; `go list -deps -f '{{.ImportPath}}: {{.Imports}}'` shows who imports it)", d)
		}
	}
}
