package gitx

import (
	"context"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/xec"
)

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestBlobReadsAreBounded: a hostile 100 MiB all-zero blob (100 KiB
// compressed), loose and then packed, is sized and sampled without
// inflating it: the allocations stay far below its size.
func TestBlobReadsAreBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 100 MiB object")
	}
	ctx := context.Background()
	dir := t.TempDir()
	run := &xec.Runner{}
	git := func(stdin io.Reader, args ...string) string {
		t.Helper()
		out, err := run.Output(ctx, xec.Cmd{Argv: append([]string{"git", "-C", dir}, args...), Stdin: stdin, Env: []string{"GIT_CONFIG_NOSYSTEM=1", "HOME=" + dir}})
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	git(nil, "init", "-q")
	const size = 100 << 20
	hash := git(io.LimitReader(zeros{}, size), "hash-object", "-w", "--stdin")
	for _, stage := range []string{"loose", "packed"} {
		if stage == "packed" {
			git(strings.NewReader(hash+"\n"), "pack-objects", "-q", ".git/objects/pack/pack")
			git(nil, "prune-packed")
		}
		r := &Repo{Root: dir, GitDir: dir + "/.git", CommonDir: dir + "/.git", run: run}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		n, err := r.BlobSize(hash)
		if err != nil || n != size {
			t.Fatalf("%s: BlobSize = %d, %v", stage, n, err)
		}
		head, err := r.BlobHead(hash, 8000)
		if err != nil || len(head) != 8000 {
			t.Fatalf("%s: BlobHead = %d bytes, %v", stage, len(head), err)
		}
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
			t.Errorf("%s: reading a %d MiB blob allocated %d MiB", stage, size>>20, alloc>>20)
		}
	}
}
