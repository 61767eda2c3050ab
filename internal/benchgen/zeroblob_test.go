package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// TestZeroBlobIsTheBlobGitWrites: the id is git's, and git inflates the
// object to exactly that many zeros (sizes around the chunk edges).
func TestZeroBlobIsTheBlobGitWrites(t *testing.T) {
	dir := t.TempDir()
	git := func(stdin []byte, args ...string) string {
		t.Helper()
		out, err := (&xec.Runner{}).Output(context.Background(), xec.Cmd{Argv: append([]string{"git", "-C", dir}, args...), Stdin: bytes.NewReader(stdin)})
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	git(nil, "init", "-q")
	for _, n := range []int64{1, 1000, 1<<20 - 20, 1 << 20, 3<<20 + 7} {
		id, err := zeroBlob(dir+"/.git/objects", n)
		if err != nil {
			t.Fatal(err)
		}
		zeros := make([]byte, n)
		if want := git(zeros, "hash-object", "--stdin"); id != want {
			t.Errorf("%d bytes: id %s, git's %s", n, id, want)
		}
		if size := git(nil, "cat-file", "-s", id); size != strconv.FormatInt(n, 10) {
			t.Errorf("%d bytes: git reads a size of %s", n, size)
		}
		if got := git(nil, "cat-file", "blob", id); strings.Trim(got, "\x00") != "" || int64(len(got)) != n {
			t.Errorf("%d bytes: git inflates %d bytes, not all zero", n, len(got))
		}
	}
	git(nil, "fsck", "--strict")
}
