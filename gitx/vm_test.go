package gitx

import (
	"context"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/xec"
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

func TestParseSurvey(t *testing.T) {
	a, b, c := strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("c", 40)
	out := "Sandbox box started\n" +
		"ref " + a + "  refs/heads/main\n" +
		"ref " + b + "  refs/wip/x\n" +
		"ref " + c + "  stash@{1}\n" +
		"wt /w/repo\nhead " + a + "\nchange  M a.go\nhidden cfg.yml\nshared build/\nignored 2 10 build/\nignored 1 4 secret.txt\n" +
		"wt /w/wt2\nhead " + b + "\nchange ?? u.txt\nignored x -1 odd\n" +
		"clone /w/wt2\nclone /w/repo\nclone /w/repo/sub\nclone /w/other\nclone /w/other\nend\n"
	got := ParseSurvey(out)
	if !got.Complete {
		t.Fatal("incomplete")
	}
	wantRefs := []VMRef{{"refs/heads/main", a}, {"refs/wip/x", b}, {"stash@{1}", c}, {"HEAD", a}, {"/w/wt2: HEAD", b}}
	if !slices.Equal(got.Refs, wantRefs) {
		t.Errorf("refs = %+v", got.Refs)
	}
	if len(got.Worktrees) != 2 {
		t.Fatalf("worktrees = %+v", got.Worktrees)
	}
	w := got.Worktrees[0]
	if w.Path != "/w/repo" || w.Head != a || !slices.Equal(w.Changes, []string{" M a.go"}) || !slices.Equal(w.Hidden, []string{"cfg.yml"}) ||
		!slices.Equal(w.Ignored, []VMIgnored{{"build/", 2, 10, false}, {"secret.txt", 1, 4, true}}) {
		t.Errorf("clone = %+v", w)
	}
	if w := got.Worktrees[1]; !slices.Equal(w.Changes, []string{"?? u.txt"}) || !slices.Equal(w.Ignored, []VMIgnored{{"odd", 0, 0, true}}) {
		t.Errorf("wt2 = %+v", w)
	}
	if !slices.Equal(got.Clones, []string{"/w/other"}) {
		t.Errorf("clones = %q", got.Clones)
	}
	if w := ParseSurvey("wt /r\nchange ?? a\u009b2J\nchange ?? \x1b[2Jb\nend\n").Worktrees[0]; !slices.Equal(w.Changes, []string{"?? a?2J", "?? ?[2Jb"}) {
		t.Errorf("changes with control characters = %q, want them counted and shown without", w.Changes)
	}
	if ParseSurvey(strings.TrimSuffix(out, "end\n")).Complete {
		t.Error("an answer cut short is complete")
	}
}

// FuzzParseSurvey: the survey's answer is the agent's text. Whatever it
// says, refs hold full object ids, no value carries a control character
// (it is printed to the user's terminal), each worktree HEAD is also a
// ref, and no worktree is reported as another clone.
func FuzzParseSurvey(f *testing.F) {
	f.Add("ref " + strings.Repeat("a", 40) + "  refs/wip/x\nwt /r\nhead " + strings.Repeat("a", 40) + "\nchange ?? x\nignored 1 3 y\nclone /r\nend\n")
	f.Add("wt \x1b[2J\nchange \x07\nend\n")
	f.Add("wt /r\nchange ?? \u009b2J\nend\n")
	f.Fuzz(func(t *testing.T, out string) {
		s := ParseSurvey(out)
		heads := 0
		for _, r := range s.Refs {
			if !isHash(r.Commit) || r.Name == "" || hasControl(r.Name) {
				t.Fatalf("%q gives the ref %+v", out, r)
			}
		}
		wts := map[string]bool{}
		for _, w := range s.Worktrees {
			wts[w.Path] = true
			if w.Head != "" {
				heads++
			}
			for _, v := range append(append([]string{w.Path}, w.Changes...), w.Hidden...) {
				if v == "" || hasControl(v) {
					t.Fatalf("%q gives %q", out, v)
				}
			}
			for _, ig := range w.Ignored {
				if ig.Bytes < 0 || ig.Files < 0 || ig.Path == "" || hasControl(ig.Path) {
					t.Fatalf("%q gives %+v", out, ig)
				}
			}
		}
		for _, c := range s.Clones {
			inside := false
			for w := range wts {
				inside = inside || strings.HasPrefix(c, strings.TrimSuffix(w, "/")+"/")
			}
			if wts[c] || inside || hasControl(c) {
				t.Fatalf("%q reports %q as another clone", out, c)
			}
		}
		if heads > len(s.Refs) {
			t.Fatalf("%q: worktree heads missing from refs", out)
		}
	})
}

// TestUnfetchedScript runs UnfetchedArgv's script on a real clone: a
// branch's commits and their ancestors are fetched, a commit only another
// ref or a stash holds is not, nor is a ref at a blob.
func TestUnfetchedScript(t *testing.T) {
	r, _, sh := tracedRepo(t)
	first := sh("git rev-parse HEAD")
	sh("git commit -q --allow-empty -m branch")
	branch := sh("git rev-parse HEAD")
	sh("git commit -q --allow-empty -m wip && git update-ref refs/wip/x HEAD && git reset -q --hard HEAD~1")
	wip := sh("git rev-parse refs/wip/x")
	blob := sh("echo data | git hash-object -w --stdin")
	argv := UnfetchedArgv(r.Root, []string{first, branch, wip, blob, "not-a-hash"})
	if slices.Contains(argv, "not-a-hash") {
		t.Errorf("argv keeps a word that is no object id: %q", argv)
	}
	out, err := r.run.Output(context.Background(), xec.Cmd{Argv: argv})
	if err != nil {
		t.Fatalf("%q: %v", argv, err)
	}
	got, complete := ParseUnfetched(string(out))
	if !complete || len(got) != 2 || !got[wip] || !got[blob] {
		t.Errorf("unfetched = %v (complete %v), want %s and the blob %s:\n%s", got, complete, wip, blob, out)
	}
	if _, complete := ParseUnfetched("unfetched " + wip + "\n"); complete {
		t.Error("an answer without its end line counts as complete")
	}

	// A detached HEAD is fetched too (into refs/airlock/head/<remote>):
	// its commit and what it reaches come back, another ref's do not.
	sh("git switch -q --detach && git commit -q --allow-empty -m detached")
	detached := sh("git rev-parse HEAD")
	out, err = r.run.Output(context.Background(), xec.Cmd{Argv: UnfetchedArgv(r.Root, []string{detached, wip})})
	if err != nil {
		t.Fatal(err)
	}
	if got, complete := ParseUnfetched(string(out)); !complete || len(got) != 1 || !got[wip] {
		t.Errorf("detached: unfetched = %v (complete %v), want only %s:\n%s", got, complete, wip, out)
	}
}
