package archtest

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// mod is this module's path; the test checks it against go.mod.
const mod = "github.com/git-airlock/git-airlock"

const kong = "github.com/alecthomas/kong/..."

// A rule forbids packages (full import paths; "p/..." is p and everything
// under it) to import some paths, unless the importing package is excepted.
type rule struct {
	reason    string
	pkgs      []string // the packages bound by the rule
	except    []string // packages among pkgs that may import anyway
	forbid    []string // import paths they must not import
	skipTests bool     // _test.go files are free of the rule
}

// domain is every package below the use cases: they return data and typed
// errors, never text for people.
var domain = []string{mod + "/gitx", mod + "/sbx/...", mod + "/config", mod + "/hooks", mod + "/internal/xec", mod + "/internal/inspect",
	mod + "/internal/gate", mod + "/internal/sandboxref", mod + "/internal/seedpolicy", mod + "/internal/hint", mod + "/internal/agent",
	mod + "/internal/agentrun", mod + "/internal/sandboxstore", mod + "/internal/notify",
	mod + "/internal/sshhost"}

var rules = []rule{
	{
		reason: "one exec choke point: processes start only through internal/xec (the sbx simulator is a test double with its own main)",
		pkgs:   []string{mod + "/..."}, except: []string{mod + "/internal/xec", mod + "/internal/sbxsim/...", mod + "/internal/sshtest"},
		forbid: []string{"os/exec"}, skipTests: true,
	},
	{
		reason: "command syntax lives in cmd/git-airlock alone; kong types stop at its Run adapters",
		pkgs:   []string{mod + "/..."}, except: []string{mod + "/cmd/git-airlock"},
		forbid: []string{kong},
	},
	{
		reason: "layers run one way: domain packages never see commands, use cases, output formats or kong",
		pkgs:   domain,
		forbid: []string{mod + "/internal/ui", mod + "/internal/workflow", mod + "/cmd/...", kong},
	},
	{
		reason: "use cases decide; command syntax, output formats and the remote helper's protocol stay at the edges",
		pkgs:   []string{mod + "/internal/workflow/..."},
		forbid: []string{mod + "/internal/ui", mod + "/cmd/...", mod + "/internal/remote", kong},
	},
	{
		reason: "the remote helper depends on the sbx client, gitx and the naming package, never on use cases or commands",
		pkgs:   []string{mod + "/internal/remote"},
		forbid: []string{mod + "/internal/workflow/...", mod + "/cmd/...", kong},
	},
	{
		reason: "the merge gate does not know which command called it",
		pkgs:   []string{mod + "/internal/gate"},
		forbid: []string{mod + "/internal/workflow/...", mod + "/sbx", mod + "/config"},
	},
	{
		reason: "sandbox naming depends on nothing but sbx's name rules",
		pkgs:   []string{mod + "/internal/sandboxref"},
		forbid: []string{mod + "/gitx", mod + "/sbx", mod + "/config", mod + "/internal/workflow/..."},
	},
	{
		reason: "the seed policy is pure: it decides over the file system it is given",
		pkgs:   []string{mod + "/internal/seedpolicy"},
		forbid: []string{mod + "/..."},
	},
	{
		reason: "sbx is a typed client of one CLI: git and settings belong to its callers",
		pkgs:   []string{mod + "/sbx"},
		forbid: []string{mod + "/gitx", mod + "/config"},
	},
	{
		reason: "gitx owns git alone: sandboxes and settings belong to its callers",
		pkgs:   []string{mod + "/gitx"},
		forbid: []string{mod + "/sbx", mod + "/config"},
	},
	{
		reason: "settings are data: config validates values (with sbx's name rules) but never drives sbx",
		pkgs:   []string{mod + "/config"},
		forbid: []string{mod + "/sbx"},
	},
	{
		reason: "the exec wrapper, hints, quoting, sbx's rules and the host grammar are the bottom layer: they depend on nothing of this module",
		pkgs:   []string{mod + "/internal/xec", mod + "/internal/hint", mod + "/sbx/sbxspec", mod + "/internal/quote", mod + "/internal/sshhost"},
		forbid: []string{mod + "/..."},
	},
	{
		reason: "the loopback sshd is test support, like the simulator: the product never imports it",
		pkgs:   []string{mod + "/..."}, except: []string{mod + "/internal/sshtest"},
		forbid: []string{mod + "/internal/sshtest"}, skipTests: true,
	},
}

// A violation is one import in one file (module-relative, slash-separated).
type violation struct{ file, imp string }

// knownViolations are the violations that exist today in files this change
// may not touch. The test fails if one disappears, so the list cannot go
// stale: delete the line together with the violation.
var knownViolations = []violation{}

func TestImportRules(t *testing.T) {
	root := moduleRoot(t)
	files, pkgs := parseImports(t, root)
	for _, r := range rules {
		for _, p := range slices.Concat(r.pkgs, r.except) {
			if !slices.ContainsFunc(pkgs, func(q string) bool { return match(p, q) }) {
				t.Errorf("rule %q names %s, which matches no package: update the rule", r.reason, p)
			}
		}
	}

	found := map[violation][]string{} // → reasons
	for _, f := range files {
		for _, r := range rules {
			if r.skipTests && strings.HasSuffix(f.name, "_test.go") || !matchAny(r.pkgs, f.pkg) || matchAny(r.except, f.pkg) {
				continue
			}
			for _, imp := range f.imports {
				if matchAny(r.forbid, imp) {
					v := violation{f.name, imp}
					found[v] = append(found[v], r.reason)
				}
			}
		}
	}
	for _, v := range knownViolations {
		if _, ok := found[v]; !ok {
			t.Errorf("%s no longer imports %s: remove it from knownViolations", v.file, v.imp)
		}
		delete(found, v)
	}
	var report []string
	for v, reasons := range found {
		report = append(report, fmt.Sprintf("%s imports %s: %s", v.file, v.imp, strings.Join(reasons, "; ")))
	}
	slices.Sort(report)
	for _, line := range report {
		t.Error(line)
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"os/exec", "os/exec", true},
		{"os/exec", "os/execx", false},
		{mod + "/...", mod + "/sbx", true},
		{mod + "/...", mod, true},
		{mod + "/...", mod + "x/sbx", false},
		{mod + "/cmd/...", mod + "/cmd/git-airlock", true},
		{mod + "/cmd/...", mod + "/cmdx", false},
	} {
		if got := match(tc.pattern, tc.path); got != tc.want {
			t.Errorf("match(%q, %q) = %v", tc.pattern, tc.path, got)
		}
	}
}

// match reports whether an import path matches a pattern: the path itself,
// or "p/..." for p and every path under it.
func match(pattern, p string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == pattern
}

func matchAny(patterns []string, p string) bool {
	return slices.ContainsFunc(patterns, func(pat string) bool { return match(pat, p) })
}

type file struct {
	name    string // module-relative, slash-separated
	pkg     string // import path of its directory
	imports []string
}

// parseImports reads the imports of every .go file of the module, whatever
// its build constraints, skipping what the go tool skips (testdata, dot and
// underscore directories, nested modules) and vendor. It returns the files
// and the import paths of the directories holding them.
func parseImports(t *testing.T, root string) ([]file, []string) {
	t.Helper()
	var files []file
	var pkgs []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			n := d.Name()
			if n == "testdata" || n == "vendor" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") {
			return nil
		}
		af, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := mod
		if dir := path.Dir(rel); dir != "." {
			pkg += "/" + dir
		}
		f := file{name: rel, pkg: pkg}
		for _, is := range af.Imports {
			imp, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				return fmt.Errorf("%s: import %s: %v", rel, is.Path.Value, err)
			}
			f.imports = append(f.imports, imp)
		}
		files = append(files, f)
		if !slices.Contains(pkgs, pkg) {
			pkgs = append(pkgs, pkg)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no .go files under %s", root)
	}
	return files, pkgs
}

// moduleRoot finds go.mod above the test's directory and checks that it
// declares mod, so the rules above cannot silently name another module.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		f, err := os.Open(filepath.Join(dir, "go.mod"))
		if err == nil {
			defer f.Close()
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
					if m = strings.Trim(strings.TrimSpace(m), `"`); m != mod {
						t.Fatalf("go.mod declares module %s, the rules name %s", m, mod)
					}
					return dir
				}
			}
			t.Fatalf("no module line in %s", f.Name())
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}
