package inspect

import (
	"fmt"
	"testing"

	"github.com/git-airlock/git-airlock/gitx"
)

// BenchmarkInspect10000: the in-process part of inspecting a branch that
// changes 10,000 files in a tree with 100 directory links (blobs in memory;
// docs/bench.sh measures the whole command).
func BenchmarkInspect10000(b *testing.B) {
	m := memBlobs{}
	var changes []gitx.TreeChange
	var tree []gitx.TreeEntry
	for i := range 10000 {
		c := modified(m, fmt.Sprintf("src/pkg%d/file%d.go", i%100, i), "package x\n", fmt.Sprintf("package x // %d\n", i))
		changes = append(changes, c)
		tree = append(tree, gitx.TreeEntry{Mode: c.NewMode, Hash: c.NewHash, Path: c.Path})
	}
	for i := range 100 {
		tree = append(tree, gitx.TreeEntry{Mode: gitx.ModeSymlink, Hash: m.put(fmt.Sprintf("../src/pkg%d", i)), Path: fmt.Sprintf("links/l%d", i)})
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Inspect(changes, m, Options{Tree: tree}); err != nil {
			b.Fatal(err)
		}
	}
}
