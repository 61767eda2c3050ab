package gitx

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestRefsContaining(t *testing.T) {
	ctx := context.Background()
	r, trace, sh := tracedRepo(t)
	base := sh("git rev-parse HEAD")
	sh("git commit -q --allow-empty -m agent && git update-ref refs/remotes/airlock-box/agent/x HEAD" +
		" && git update-ref refs/airlock/head/airlock-box HEAD && git update-ref refs/remotes/origin/main HEAD" +
		" && git update-ref refs/remotes/airlock-other/old " + base)
	agent := sh("git rev-parse HEAD")
	prefixes := []string{"refs/remotes/airlock-", "refs/airlock/head/"}
	trace.Reset()
	got, err := r.RefsContaining(ctx, agent, prefixes...)
	want := []string{"refs/airlock/head/airlock-box", "refs/remotes/airlock-box/agent/x"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("RefsContaining(agent) = %q, %v; want %q", got, err, want)
	}
	if n := strings.Count(trace.String(), "\n"); n != 1 {
		t.Errorf("%d git processes, want 1:\n%s", n, trace)
	}
	// A commit no sandbox ref holds (a host commit): nothing.
	sh("git commit -q --allow-empty -m host")
	if got, err := r.RefsContaining(ctx, sh("git rev-parse HEAD"), prefixes...); err != nil || len(got) != 0 {
		t.Errorf("host commit: %q, %v", got, err)
	}
	// The base is in every one, origin's excepted by prefix.
	got, _ = r.RefsContaining(ctx, base, prefixes...)
	if len(got) != 3 || slices.Contains(got, "refs/remotes/origin/main") {
		t.Errorf("base: %q", got)
	}
}
