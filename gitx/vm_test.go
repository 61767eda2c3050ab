package gitx

import (
	"path"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

func TestParseCloneTopLevel(t *testing.T) {
	for in, want := range map[string]string{
		"/home/u/repo\n": "/home/u/repo",
		"Sandbox box started successfully\n/home/u/my repo\n": "/home/u/my repo",
	} {
		if got, err := ParseCloneTopLevel(in); err != nil || got != want {
			t.Errorf("ParseCloneTopLevel(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "\n", "repo\n", "fatal: not a git repository\n", "/a\x00b\n"} {
		if got, err := ParseCloneTopLevel(bad); err == nil {
			t.Errorf("ParseCloneTopLevel(%q) accepted %q", bad, got)
		}
	}
}

func TestParseVMRefs(t *testing.T) {
	a, b := strings.Repeat("a", 40), strings.Repeat("b", 40)
	out := "Sandbox box started\n" + a + "  refs/heads/main\n" + a + " " + b + " refs/tags/v1\nnot a ref\n" + b + "  HEAD\n"
	got := ParseVMRefs(out)
	want := []VMRef{{Name: "refs/heads/main", Commit: a}, {Name: "refs/tags/v1", Commit: b}, {Name: "HEAD", Commit: b}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ref %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if n := CountChanged(" M a\n?? b\n"); n != 2 {
		t.Errorf("CountChanged = %d", n)
	}
	if n := CountChanged("\n"); n != 0 {
		t.Errorf("CountChanged(empty) = %d", n)
	}
}

// FuzzParseVMAnswers: the VM's git is the agent's, so its answers are
// hostile text. Whatever the parsers accept is a clean absolute path and
// refs that hold a full object id and one name, and printing accepted refs
// again parses to the same refs.
func FuzzParseVMAnswers(f *testing.F) {
	f.Add("/home/u/repo\n")
	f.Add("banner\n" + strings.Repeat("c", 40) + " " + strings.Repeat("d", 40) + " refs/tags/x\n")
	f.Fuzz(func(t *testing.T, out string) {
		if p, err := ParseCloneTopLevel(out); err == nil {
			if !path.IsAbs(p) || strings.ContainsAny(p, "\n\x00") {
				t.Fatalf("%q gives the clone path %q", out, p)
			}
			// The next step names the clone in the remote's URL.
			u := sandboxref.Target{Sandbox: "box", Path: p}.URL()
			if back, err := sandboxref.ParseURL(u); err != nil || back.Path != strings.TrimSuffix(p, "/") && p != "/" {
				t.Fatalf("clone path %q makes the URL %q, which parses to %+v, %v", p, u, back, err)
			}
		}
		refs := ParseVMRefs(out)
		var again strings.Builder
		for _, r := range refs {
			if !isHash(r.Commit) || r.Name == "" || strings.ContainsAny(r.Name, " \t\n") {
				t.Fatalf("%q gives the ref %+v", out, r)
			}
			again.WriteString(r.Commit + "  " + r.Name + "\n")
		}
		back := ParseVMRefs(again.String())
		if len(back) != len(refs) {
			t.Fatalf("%q: %+v re-parses to %+v", out, refs, back)
		}
		for i := range refs {
			if back[i] != refs[i] {
				t.Fatalf("%q: %+v re-parses to %+v", out, refs, back)
			}
		}
	})
}
