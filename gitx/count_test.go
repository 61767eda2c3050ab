package gitx

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// randomHistory writes, with fast-import, n commits on top of the
// repository's first one, each with one to three parents among the
// earlier ones (some starting a history of their own), and returns
// their ids, oldest first.
func randomHistory(t *testing.T, sh func(string) string, n int, seed uint64) []string {
	t.Helper()
	rnd := rand.New(rand.NewPCG(seed, 1))
	var in strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&in, "commit refs/heads/r%d\nmark :%d\ncommitter a <a@x> %d +0000\ndata 2\nc\n", i, i, 1700000000+rnd.IntN(1000))
		switch {
		case i == 1:
			in.WriteString("from HEAD\n")
		case rnd.IntN(12) == 0: // a root of its own
		default:
			in.WriteString(fmt.Sprintf("from :%d\n", i-1-rnd.IntN(min(i-1, 4))))
			for range rnd.IntN(3) * rnd.IntN(2) { // merges, now and then octopus
				in.WriteString(fmt.Sprintf("merge :%d\n", 1+rnd.IntN(i-1)))
			}
		}
		in.WriteString("\n")
	}
	f := filepath.Join(t.TempDir(), "import")
	if err := os.WriteFile(f, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sh("git fast-import --quiet <" + f)
	var ids []string
	for i := 1; i <= n; i++ {
		ids = append(ids, sh(fmt.Sprintf("git rev-parse r%d", i)))
	}
	return ids
}

// On random histories (merges of two and three parents, criss-crosses,
// roots of their own), with every commit counted against bases old and
// new, countTogether says what `rev-list --left-right --count` says, for
// each commit; with the merge bases asked and without (more boundaries
// than octopusLimit).
func TestCountTogetherRandomHistories(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(3) {
		r, _, sh := tracedRepo(t)
		ids := randomHistory(t, sh, 40, seed)
		for _, base := range []string{ids[len(ids)-1], ids[len(ids)/2], ids[3], "HEAD"} {
			want := map[string]Counts{}
			for _, c := range ids {
				ahead, behind, err := r.AheadBehind(ctx, c, base)
				if err != nil {
					t.Fatal(err)
				}
				want[c] = Counts{ahead, behind}
			}
			for _, limit := range []int{64, 0} {
				octopusLimit = limit
				got, err := r.countTogether(ctx, base, ids)
				if err != nil {
					t.Fatalf("seed %d, base %s: %v", seed, base, err)
				}
				for _, c := range ids {
					if got[c] != want[c] {
						t.Errorf("seed %d, limit %d, base %.7s, %.7s: got %+v, git says %+v", seed, limit, base, c, got[c], want[c])
					}
				}
			}
		}
		octopusLimit = 64
	}
}

// A line of commits with a branch on each, against its root and its top:
// ahead of the root by 1..n, behind the top by n-1..0.
func TestCountTogetherLine(t *testing.T) {
	ctx := context.Background()
	r, trace, sh := tracedRepo(t)
	var in, names strings.Builder
	for i := 1; i <= 300; i++ {
		from := fmt.Sprintf(":%d", i-1)
		if i == 1 {
			from = "main"
		}
		fmt.Fprintf(&in, "commit refs/heads/b%d\nmark :%d\ncommitter a <a@x> %d +0000\ndata 2\nc\nfrom %s\n\n", i, i, 1700000000+i, from)
		fmt.Fprintf(&names, " b%d", i)
	}
	f := filepath.Join(t.TempDir(), "import")
	if err := os.WriteFile(f, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sh("git fast-import --quiet <" + f)
	ids := strings.Fields(sh("git rev-parse" + names.String()))
	for _, base := range []string{"main", "b300"} {
		trace.Reset()
		got, err := r.countTogether(ctx, base, ids)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range ids {
			want := Counts{i + 1, 0}
			if base == "b300" {
				want = Counts{0, 299 - i}
			}
			if got[c] != want {
				t.Errorf("base %s, b%d: got %+v, want %+v", base, i+1, got[c], want)
			}
		}
		if n := strings.Count(trace.String(), "exec:"); n > 4 {
			t.Errorf("base %s: %d processes, want at most 4:\n%s", base, n, trace)
		}
	}
}

// Once the context has ended, counting starts no git process and
// CountRefs says so: an interrupt is not swallowed into missing counts.
func TestCountRefsEndsWithContext(t *testing.T) {
	r, trace, sh := tracedRepo(t)
	sh("for i in $(seq 8); do git commit -q --allow-empty -m $i; git update-ref refs/remotes/airlock-a/b$i HEAD; done")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := r.countCommits(ctx, "main", []string{"HEAD", "HEAD~1", "HEAD~2", "HEAD~3", "HEAD~4", "HEAD~5"}); len(got) != 0 {
		t.Errorf("counted after the end: %v", got)
	}
	if trace.Len() != 0 {
		t.Errorf("processes after the end:\n%s", trace)
	}
	if _, err := r.CountRefs(ctx, "main", []string{"refs/remotes/airlock-a/"}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("CountRefs after the end: %v, want context.Canceled", err)
	}
}
