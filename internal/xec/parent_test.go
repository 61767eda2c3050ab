//go:build unix

package xec

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The middle process of TestChildEndsWithParent: it starts a child in a
// process group of its own, as git-airlock starts sbx, prints the child's
// pid and waits.
func init() {
	if os.Getenv("XEC_TEST_PARENT") != "1" {
		return
	}
	r := &Runner{}
	_ = r.Run(context.Background(), Cmd{Argv: []string{"sleep", "60"}, Started: func() {}})
	os.Exit(0)
}

// A kill -9 of the process that started a child ends the child too, though
// the child is in a process group of its own that no signal to the
// parent's group reaches.
func TestChildEndsWithParent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal is Linux only")
	}
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), "XEC_TEST_PARENT=1")
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	child := waitForChild(t, parent.Process.Pid)
	if err := parent.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = parent.Wait()
	for deadline := time.Now().Add(5 * time.Second); alive(child); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(child, syscall.SIGKILL)
			t.Fatalf("child %d still running 5s after its parent was killed", child)
		}
	}
}

// waitForChild returns the pid of parent's child, once it has one.
func waitForChild(t *testing.T, parent int) int {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		f, err := os.Open(fmt.Sprintf("/proc/%d/task/%d/children", parent, parent))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Split(bufio.ScanWords)
		for sc.Scan() {
			if pid, err := strconv.Atoi(sc.Text()); err == nil && strings.Contains(cmdline(pid), "sleep") {
				f.Close()
				return pid
			}
		}
		f.Close()
	}
	t.Fatal("the child never started")
	return 0
}

func cmdline(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return string(b)
}

// alive: the process exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z")
}

// ReaderGone closes its channel when the pipe's last reader closes it.
func TestReaderGone(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	gone := ReaderGone(w)
	if gone == nil {
		t.Fatal("ReaderGone(pipe) = nil")
	}
	select {
	case <-gone:
		t.Fatal("gone while the reader is there")
	default:
	}
	r.Close()
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("not gone 5s after the reader closed")
	}
	if f, err := os.CreateTemp(t.TempDir(), "x"); err == nil && ReaderGone(f) != nil {
		t.Error("ReaderGone(a file) is not nil")
	}
}

// EndWithOwner ends its context once the process OwnerEnv names is gone
// (the path that ends the remote helper with git-airlock where no
// parent-death signal does, run here on Linux too), not before; and not
// at all without OwnerEnv.
func TestEndWithOwner(t *testing.T) {
	owner := exec.Command("sleep", "60")
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{OwnerEnv: strconv.Itoa(owner.Process.Pid)}
	ctx, cancel := EndWithOwner(context.Background(), func(k string) string { return env[k] })
	defer cancel()
	unowned, cancel2 := EndWithOwner(context.Background(), func(string) string { return "" })
	defer cancel2()
	if unowned != context.Background() {
		t.Error("without OwnerEnv, a context of its own")
	}
	time.Sleep(600 * time.Millisecond) // more than two checks
	if ctx.Err() != nil {
		t.Fatal("ended while the owner runs")
	}
	_ = owner.Process.Kill()
	_ = owner.Wait() // reaped: gone, not a zombie
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("not ended 5s after the owner was")
	}
}
