package seedpolicy

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// attackFS is a home an attacker (a hostile repository, a careless
// dotfile setup) has prepared, next to the user's real secrets.
func attackFS() fakeFS {
	f := newFake().
		file("/etc/passwd").
		file("/home/u/.ssh/id_ed25519").
		file("/home/u/.SSH/config").
		file("/home/u/.ſsh/config").
		file("/home/u/.aws/credentials").
		file("/home/u/Token.txt").
		file("/home/u/.claude/settings.json").
		file("/home/u/.claude/agents/reviewer.md").
		file("/home/u/notes/style.md").
		file("/home/u/dotfiles/claude/settings.json").
		file("/home/u/leaky/a/b/credentials.json").
		file("/home/u/..hidden").
		link("/home/u/innocent", "/home/u/.ssh/id_ed25519").
		link("/home/u/ok", "/etc").
		link("/home/u/a", "b").
		link("/home/u/b", "/home/u/.aws/credentials").
		link("/home/u/x", "../../etc").
		link("/home/u/loop1", "loop2").
		link("/home/u/loop2", "loop1").
		link("/home/u/self", "self").
		link("/home/u/linky/sub/l", "/home/u/notes/style.md").
		link("/home/u/up", "notes/../.ssh").
		link("/home/u/me", "/home/u").
		link("/home/u/empty", "").
		link("/home/u/via-tmp", "/tmp/l").
		add("/tmp", &fakeNode{mode: fs.ModeDir | fs.ModeSticky | 0o777}).
		link("/tmp/l", "/home/u/notes/style.md").
		add("/home/u/shared", &fakeNode{mode: fs.ModeDir | 0o775}).
		link("/home/u/shared/l", "../notes/style.md").
		link("/etc/alternatives/style", "/home/u/notes/style.md").
		link("/home/u/via-etc", "/etc/alternatives/style").
		link("/home/u/dotlink", ".claude/settings.json").
		link("/home/u/stow", "dotfiles/claude").
		link("/h", "/home/u").
		link("/home/u/hlink", "/h/notes/style.md").
		add("/home/u/fifo", &fakeNode{mode: fs.ModeNamedPipe}).
		add("/home/u/dev/null", &fakeNode{mode: fs.ModeDevice | fs.ModeCharDevice}).
		add("/home/u/locked", &fakeNode{mode: fs.ModeDir, unlisted: true})
	for i := range maxHops + 1 { // a chain one link too long
		f.link("/home/u/chain"+string(rune('A'+i)), "chain"+string(rune('A'+i+1)))
	}
	return f.file("/home/u/chain" + string(rune('A'+maxHops+1)))
}

func TestCheck(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake file system is slash-rooted")
	}
	tests := []struct {
		name, home, p string
		rel           string // accepted with this rel
		why           string // or refused with this in the reason
	}{
		{"symlink to a key", "/home/u", "~/innocent", "", `it resolves to /home/u/.ssh/id_ed25519, and ".ssh" looks like credentials`},
		{"dot-dot out of home", "/home/u", "/home/u/../etc/passwd", "", "it is not under $HOME (/home/u)"},
		{"dot-dot hidden in the middle", "/home/u", "~/notes/../../../etc/passwd", "", "it is not under $HOME"},
		{"dot-dot onto a secret", "/home/u", "~/notes/../.ssh/id_ed25519", "", `".ssh" looks like credentials`},
		{"link to /etc", "/home/u", "~/ok", "", "it resolves to /etc, outside $HOME"},
		{"file through a link to /etc", "/home/u", "~/ok/passwd", "", "it resolves to /etc/passwd, outside $HOME"},
		{"chain to credentials", "/home/u", "~/a", "", `it resolves to /home/u/.aws/credentials, and ".aws"`},
		{"relative link out", "/home/u", "~/x", "", "it resolves to /etc, outside $HOME"},
		{"relative link with dot-dot onto a secret", "/home/u", "~/up", "", `it resolves to /home/u/.ssh, and ".ssh" looks like`},
		{"link loop", "/home/u", "~/loop1", "", "it is a symlink loop"},
		{"self loop", "/home/u", "~/self", "", "it is a symlink loop"},
		{"chain too long", "/home/u", "~/chainA", "", "a chain of more than 40 symlinks"},
		{"link to home itself", "/home/u", "~/me", "", "it resolves to /home/u, outside $HOME"},
		{"empty link", "/home/u", "~/empty", "", "it does not exist"},
		{"link through /tmp", "/home/u", "~/via-tmp", "", "it resolves through the symlink /tmp/l, in a directory others may write"},
		{"link in a shared directory", "/home/u", "~/shared/l", "", "it resolves through the symlink /home/u/shared/l, in a directory others may write"},
		{"link through a root-owned link", "/home/u", "~/via-etc", "via-etc", ""},
		{"link through the link to home", "/h", "~/hlink", "hlink", ""},
		{"link through another link to home", "/home/u", "~/hlink", "hlink", ""},
		{"credentials deep inside", "/home/u", "~/leaky", "", "it contains /home/u/leaky/a/b/credentials.json, which is not copied"},
		{"symlink inside", "/home/u", "~/linky", "", "it contains /home/u/linky/sub/l (a symlink)"},
		{"device inside", "/home/u", "~/dev", "", "(neither a file nor a directory)"},
		{"fifo", "/home/u", "~/fifo", "", "which is neither a file nor a directory"},
		{"unlistable directory", "/home/u", "~/locked", "", "cannot list /home/u/locked"},
		{"newline", "/home/u", "~/notes\nx", "", "the name holds a control character"},
		{"NUL", "/home/u", "~/notes\x00", "", "the name holds a control character"},
		{"C1 control", "/home/u", "~/notes\u0085", "", "the name holds a control character"},
		{"home itself", "/home/u", "/home/u", "", "it is not under $HOME"},
		{"home as ~/", "/home/u", "~/", "", "it is not under $HOME"},
		{"home as dot", "/home/u", ".", "", "it is not under $HOME"},
		{"missing", "/home/u", "~/nope", "", "it does not exist"},
		{"under a file", "/home/u", "~/notes/style.md/x", "", "it does not exist"},
		{"upper-case .SSH", "/home/u", "~/.SSH/config", "", `".SSH" looks like`},
		{"long-s .ſsh", "/home/u", "~/.ſsh/config", "", `".ſsh" looks like`},
		{"Token.txt", "/home/u", "Token.txt", "", `"Token.txt" looks like`},
		{"dot-dot-prefixed name", "/home/u", "~/..hidden", "", "it is not under $HOME"},
		{"no home", "/nohome", "~/notes", "", "cannot resolve $HOME"},
		{"relative home", "home/u", "~/notes", "", "cannot resolve $HOME"},
		{"absolute path under a home reached by link", "/h", "/home/u/notes", "", "it is not under $HOME (/h)"},

		{"benign file", "/home/u", "~/.claude/settings.json", ".claude/settings.json", ""},
		{"benign directory", "/home/u", "~/.claude/agents", ".claude/agents", ""},
		{"relative path", "/home/u", "notes/style.md", "notes/style.md", ""},
		{"absolute path", "/home/u", "/home/u/notes", "notes", ""},
		{"lexical dot-dot that stays inside", "/home/u", "~/leaky/../notes", "notes", ""},
		{"link to a benign file", "/home/u", "~/dotlink", "dotlink", ""},
		{"file through a linked directory", "/home/u", "~/stow/settings.json", "stow/settings.json", ""},
		{"home reached by link", "/h", "~/notes/style.md", "notes/style.md", ""},
	}
	fsys := attackFS()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rel, err := Check(fsys, tc.home, tc.p)
			if tc.why == "" {
				if err != nil || rel != tc.rel {
					t.Fatalf("Check(%q) = %q, %v; want %q", tc.p, rel, err, tc.rel)
				}
				return
			}
			var r *Refused
			if !errors.As(err, &r) || !strings.Contains(r.Why, tc.why) {
				t.Fatalf("Check(%q) = %q, %v; want refused: ...%s...", tc.p, rel, err, tc.why)
			}
			if rel != "" {
				t.Errorf("refused, yet rel %q", rel)
			}
		})
	}
}

func TestRefusedText(t *testing.T) {
	// End-to-end scripts match this text.
	_, err := Check(attackFS(), "/home/u", "~/innocent")
	want := `seed path "/home/u/innocent" refused: it resolves to /home/u/.ssh/id_ed25519, and ".ssh" looks like credentials, keys, tokens, history, sessions, logs or a cache`
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
}

func TestSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		".ssh": true, ".SSH": true, "Token.txt": true, "id_ed25519.pub": true, "credentials.json": true,
		"History.jsonl": true, "debug.LOG": true, "Cache-v2": true, ".env": true,
		".ſsh": true, ".\u212Aube": true, ".s\u200csh": true, ".ssh.": true, ".aws ": true, "ſessions": true,
		"settings.json": false, "CLAUDE.md": false, "agents": false, ".envrc": false, "notes": false, "": false,
	} {
		if got := SecretName(name); got != want {
			t.Errorf("SecretName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestCurated(t *testing.T) {
	for _, agent := range []string{"claude", "codex", "opencode", "gemini"} {
		list := Curated(agent)
		if len(list) == 0 {
			t.Fatalf("no list for %s", agent)
		}
		for _, rel := range list {
			for _, part := range strings.Split(rel, "/") {
				if SecretName(part) || part == ".." || part == "" {
					t.Errorf("%s: curated %q has %q", agent, rel, part)
				}
			}
		}
		list[0] = "changed"
		if Curated(agent)[0] == "changed" {
			t.Error("Curated shares its slice")
		}
	}
	if Curated("nope") != nil {
		t.Error("a list for an unknown agent")
	}
}

// TestCuratedCoversCodeAirlock: a code-airlock user's seeded config is
// all seeded here too (its table, as issue 25 lists what was missing).
func TestCuratedCoversCodeAirlock(t *testing.T) {
	for agent, paths := range map[string][]string{
		"claude": {".claude/settings.json", ".claude/CLAUDE.md", ".claude/agents", ".claude/commands", ".claude/skills"},
		"codex":  {".codex/config.toml", ".codex/AGENTS.md", ".codex/AGENT.md", ".codex/prompts", ".codex/skills", ".codex/agents"},
		"opencode": {".config/opencode/opencode.json", ".config/opencode/opencode.jsonc", ".config/opencode/AGENTS.md",
			".config/opencode/commands", ".config/opencode/agents", ".config/opencode/skills"},
	} {
		for _, p := range paths {
			if !slices.Contains(Curated(agent), p) {
				t.Errorf("%s: %s is not seeded", agent, p)
			}
		}
	}
}

// TestCheckOS runs the policy once against the real file system, with
// $HOME given as a symlink to the real home directory.
func TestCheckOS(t *testing.T) {
	tmp := t.TempDir()
	realHome := filepath.Join(tmp, "real")
	home := filepath.Join(tmp, "home")
	outside := filepath.Join(tmp, "outside")
	for _, d := range []string{filepath.Join(realHome, ".ssh"), filepath.Join(realHome, "notes"), filepath.Join(realHome, "leaky", "deep"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{".ssh/id_ed25519", "notes/style.md", "leaky/deep/credentials.json", "../outside/secret-free.txt"} {
		if err := os.WriteFile(filepath.Join(realHome, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		home:                                   realHome,
		filepath.Join(realHome, "innocent"):    filepath.Join(home, ".ssh", "id_ed25519"), // through the home link
		filepath.Join(realHome, "out"):         "../outside",
		filepath.Join(realHome, "style"):       "notes/style.md",
		filepath.Join(realHome, "loop"):        "loop",
		filepath.Join(realHome, "notes", "up"): "../../outside/secret-free.txt",
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Skipf("no symlinks here: %v", err)
		}
	}
	tests := []struct{ p, rel, why string }{
		{filepath.Join(home, "notes", "style.md"), filepath.Join("notes", "style.md"), ""},
		{"~/style", "style", ""},
		{"~/innocent", "", `".ssh" looks like`},
		{"~/out", "", "outside $HOME"},
		{"~/out/secret-free.txt", "", "outside $HOME"},
		{"~/loop", "", "symlink loop"},
		{"~/leaky", "", "credentials.json, which is not copied"},
		{"~/nope", "", "it does not exist"},
		{"~/", "", "not under $HOME"},
	}
	for _, tc := range tests {
		rel, err := Check(OS{}, home, tc.p)
		if tc.why == "" && (err != nil || rel != tc.rel) {
			t.Errorf("Check(%q) = %q, %v; want %q", tc.p, rel, err, tc.rel)
		}
		if tc.why != "" && (err == nil || !strings.Contains(err.Error(), tc.why)) {
			t.Errorf("Check(%q) = %q, %v; want refused: ...%s...", tc.p, rel, err, tc.why)
		}
	}
	// ~/notes holds a link now: the directory is refused as a whole.
	if _, err := Check(OS{}, home, "~/notes"); err == nil || !strings.Contains(err.Error(), "(a symlink)") {
		t.Errorf("~/notes with a link inside: %v", err)
	}
	// resolve agrees with the OS's own resolution.
	for _, p := range []string{home, filepath.Join(home, "style"), filepath.Join(home, "notes", "up"), filepath.Join(home, "innocent")} {
		want, err := filepath.EvalSymlinks(p)
		if err != nil {
			t.Fatal(err)
		}
		if got, _, _, err := resolve(OS{}, p); err != nil || got != want {
			t.Errorf("resolve(%q) = %q, %v; want %q", p, got, err, want)
		}
	}
}

// FuzzCheck builds a home with the user's secrets and fuzzed symlinks
// (inside $HOME, inside a directory of it, and outside), and checks the
// properties every decision must have, whatever it is. The fuzzed paths
// are made of the names this file system holds (see fuzzPath), so that
// mutations land on interesting places rather than on missing files.
func FuzzCheck(f *testing.F) {
	if runtime.GOOS == "windows" {
		f.Skip("the fake file system is slash-rooted")
	}
	f.Add("~/l1", "/home/u/.ssh/id_ed25519", "", "", "", false)
	f.Add("~/l1/x", "../../etc", "", "", "", false)
	f.Add("~/notes/l2", "", "../l1", "/opt/l3", "/home/u/notes", true)
	f.Add("/home/u/notes", "", "", "", "style.md", false)
	f.Add("notes", "notes/../.aws", "l2", "/home/u/l1", "Token", true)
	f.Add("~/l1/id_ed25519", "/h/.ssh", ".", "..", "x", false)
	f.Add("~/l1", "notes/style.md", "", "", "", true)
	f.Add("~/notes/l2", "", "/h/.claude/settings.json", "", "", false)
	f.Add("~/.claude", "", "", "", "CLAUDE.md", true)
	f.Add("~/l1", "../../opt/l3", "", "readme.md", "", false)
	f.Fuzz(func(t *testing.T, p, t1, t2, t3, name string, linkedHome bool) {
		p, t1, t2, t3 = fuzzPath(p), fuzzPath(t1), fuzzPath(t2), fuzzPath(t3)
		fsys := newFake().
			file("/etc/passwd").
			file("/opt/readme.md"). // benign, but outside $HOME
			file("/home/u/.ssh/id_ed25519").
			file("/home/u/.aws/credentials").
			file("/home/u/notes/style.md").
			file("/home/u/.claude/settings.json").
			link("/h", "/home/u").
			link("/home/u/l1", t1).
			link("/home/u/notes/l2", t2).
			link("/opt/l3", t3)
		if name != "" && !strings.ContainsAny(name, "/\x00") && name != "." && name != ".." {
			fsys.file("/home/u/.claude/" + name)
		}
		home := "/home/u"
		if linkedHome {
			home = "/h"
		}
		rel, err := Check(fsys, home, p)
		rel2, err2 := Check(fsys, home, p)
		if rel != rel2 || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("not deterministic: %q, %v then %q, %v", rel, err, rel2, err2)
		}
		if err != nil {
			var r *Refused
			if !errors.As(err, &r) || rel != "" {
				t.Fatalf("refusal %q, %v is no *Refused or has a rel", rel, err)
			}
			return
		}
		// (1) rel is a clean relative path with no secret and no way up.
		if rel == "" || filepath.IsAbs(rel) {
			t.Fatalf("accepted %q as %q", p, rel)
		}
		for _, part := range strings.Split(rel, "/") {
			if part == ".." || part == "." || part == "" || SecretName(part) {
				t.Fatalf("accepted %q as %q, with component %q", p, rel, part)
			}
		}
		// (2) what is copied lies under the resolved home.
		realHome, err := fsys.evalSymlinks(home, 0)
		if err != nil {
			t.Fatal(err)
		}
		real, err := fsys.evalSymlinks(filepath.Join(home, rel), 0)
		if err != nil {
			t.Fatalf("accepted %q as %q, which does not resolve: %v", p, rel, err)
		}
		if !strings.HasPrefix(real, realHome+"/") {
			t.Fatalf("accepted %q as %q, which resolves to %q, outside %q", p, rel, real, realHome)
		}
		// (4) the answer, asked again, gives itself back.
		if !hasLink(fsys, realHome, rel) {
			if again, err := Check(fsys, home, "~/"+rel); err != nil || again != rel {
				t.Fatalf("accepted %q as %q, but ~/%s gives %q, %v", p, rel, rel, again, err)
			}
		}
	})
}

// fuzzPath keeps the names of fuzzPath's table in s and replaces every
// other slash-separated name by one of them, picked by its length.
func fuzzPath(s string) string {
	names := []string{"~", "", ".", "..", "home", "u", "h", "opt", "readme.md", "etc", "passwd", ".ssh", "id_ed25519",
		".aws", "credentials", "notes", "style.md", ".claude", "settings.json", "l1", "l2", "l3", "x"}
	parts := strings.Split(s, "/")
	for i, part := range parts {
		if !slices.Contains(names, part) {
			parts[i] = names[len(part)%len(names)]
		}
	}
	return strings.Join(parts, "/")
}

// hasLink reports whether any component of rel under dir is a symlink.
func hasLink(fsys fakeFS, dir, rel string) bool {
	for _, part := range strings.Split(rel, "/") {
		dir = filepath.Join(dir, part)
		if n := fsys[dir]; n != nil && n.mode&fs.ModeSymlink != 0 {
			return true
		}
	}
	return false
}
