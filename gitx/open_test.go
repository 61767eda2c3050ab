package gitx

import (
	"bytes"
	"path/filepath"
	"sync"
	"testing"
)

// syncBuffer is a trace written by several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *syncBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}

func TestSeemsWorkTree(t *testing.T) {
	_, _, sh := tracedRepo(t)
	root := sh("pwd")
	sh("mkdir -p sub/deeper && git init -q --bare ../bare.git && git worktree add -q ../linked")
	noEnv := func(string) (string, bool) { return "", false }
	for dir, want := range map[string]bool{
		root:                                  true,
		filepath.Join(root, "sub", "deeper"):  true,
		filepath.Join(root, "..", "linked"):   true, // a .git file
		filepath.Join(root, ".git"):           false,
		filepath.Join(root, ".git", "refs"):   false,
		filepath.Join(root, "..", "bare.git"): false,
		t.TempDir():                           false,
	} {
		if got := SeemsWorkTree(dir, noEnv); got != want {
			t.Errorf("SeemsWorkTree(%q) = %v, want %v", dir, got, want)
		}
	}
	gitDir := func(k string) (string, bool) { return "/elsewhere", k == "GIT_DIR" }
	if SeemsWorkTree(root, gitDir) {
		t.Error("with GIT_DIR set, git decides: no guess")
	}
}
