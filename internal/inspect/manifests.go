package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/quote"
)

// Content checks read a file the way the tool that runs it reads it. A
// file that tool would run but that cannot be read here is high: a parser
// difference is how a hostile change hides.

var utf8BOM = []byte("\xef\xbb\xbf")

// lifecycle scripts npm, yarn and pnpm run on a plain install in the
// checkout (docs.npmjs.com/cli/using-npm/scripts, "Life Cycle Scripts" and
// "npm install"): prepare and the deprecated prepublish run there too.
// Those of pack and publish (prepack, prepublishOnly, postpack, …) run
// only when the user packs or publishes, and are reported as other
// scripts are.
var lifecycle = map[string]bool{"preinstall": true, "install": true, "postinstall": true,
	"preprepare": true, "prepare": true, "postprepare": true, "prepublish": true, "dependencies": true}

// npmManifest is what npm takes from package.json: JSON.parse of the text
// after a UTF-8 BOM, keys compared exactly (Go's decoder would fold
// "Scripts" into "scripts"), the last of duplicate keys winning.
type npmManifest struct {
	scripts    map[string]string
	hooks      map[string]string // git hook managers configured in package.json, raw JSON
	deps       string            // the dependency fields, raw JSON
	duplicates []string          // duplicate keys at the top level or in scripts
}

func parseNpmManifest(b []byte) (npmManifest, error) {
	m := npmManifest{scripts: map[string]string{}, hooks: map[string]string{}}
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(b, utf8BOM)))
	keys, err := objectKeys(dec, func(key string, dec *json.Decoder) error {
		if key != "scripts" {
			var raw json.RawMessage
			err := dec.Decode(&raw)
			if npmDependencyKeys[key] {
				m.deps += string(raw)
			}
			if npmHookKeys[key] {
				m.hooks[key] = string(raw)
			}
			return err
		}
		m.scripts = map[string]string{}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if !bytes.HasPrefix(raw, []byte("{")) {
			return nil // npm ignores scripts that are not an object
		}
		inner, err := objectKeys(json.NewDecoder(bytes.NewReader(raw)), func(name string, dec *json.Decoder) error {
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return err
			}
			var s string
			if json.Unmarshal(v, &s) != nil {
				s = string(v)
			}
			m.scripts[name] = s
			return nil
		})
		for _, k := range duplicates(inner) {
			m.duplicates = append(m.duplicates, "scripts."+k)
		}
		return err
	})
	if err != nil {
		return m, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return m, errors.New("content after the top-level object")
	}
	m.duplicates = append(duplicates(keys), m.duplicates...)
	return m, nil
}

// objectKeys reads one JSON object from dec, calling value for each key
// with the decoder positioned at its value; it returns the keys in order.
func objectKeys(dec *json.Decoder, value func(string, *json.Decoder) error) ([]string, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("want an object, have %v", t)
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys, err
		}
		k, ok := t.(string)
		if !ok {
			return keys, fmt.Errorf("want a key, have %v", t)
		}
		keys = append(keys, k)
		if err := value(k, dec); err != nil {
			return keys, err
		}
	}
	_, err = dec.Token() // '}'
	return keys, err
}

// npmDependencyKeys are the package.json fields that say where
// dependencies come from.
var npmDependencyKeys = map[string]bool{"dependencies": true, "devDependencies": true, "optionalDependencies": true,
	"peerDependencies": true, "overrides": true, "resolutions": true, "pnpm": true}

// npmHookKeys are package.json keys that git hook managers read (husky 4,
// lint-staged, simple-git-hooks, pre-commit, yorkie): they run on commit.
var npmHookKeys = map[string]bool{"husky": true, "lint-staged": true, "simple-git-hooks": true, "pre-commit": true, "gitHooks": true}

func quotedAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = quote.Quoted(s)
	}
	return out
}

func duplicates(keys []string) []string {
	seen := map[string]int{}
	var out []string
	for _, k := range keys {
		if seen[k]++; seen[k] == 2 {
			out = append(out, k)
		}
	}
	return out
}

func packageScripts(old, new []byte) []Finding {
	o, _ := parseNpmManifest(old)
	n, err := parseNpmManifest(new)
	if err != nil {
		return []Finding{{Severity: High, Rule: "manifest-unparsable", Family: "build",
			Why: "package.json does not parse here (" + quote.Text(err.Error()) + "), so the scripts npm would run cannot be checked"}}
	}
	var out []Finding
	if len(n.duplicates) > 0 {
		out = append(out, Finding{Severity: High, Rule: "manifest-duplicate-key", Family: "build",
			Why: fmt.Sprintf("package.json repeats %s: tools disagree on which copy counts, a way to hide scripts", strings.Join(quotedAll(n.duplicates), ", "))})
	}
	var hookKeys []string
	for k, v := range n.hooks {
		if o.hooks[k] != v {
			hookKeys = append(hookKeys, k)
		}
	}
	sort.Strings(hookKeys)
	for _, k := range hookKeys {
		out = append(out, Finding{Severity: High, Rule: "hook-manager", Family: "hooks",
			Why: fmt.Sprintf("changes %s in package.json: a git hook manager runs what it names on your next commit", quote.Quoted(k))})
	}
	runsOnInstall := installReach(n.scripts)
	var keys, others []string
	for k, v := range n.scripts {
		if old, had := o.scripts[k]; had && old == v {
			continue
		}
		if runsOnInstall[k] {
			keys = append(keys, k)
		} else {
			others = append(others, k)
		}
	}
	sort.Strings(keys)
	out = append(out, otherScripts(others, "npm run")...)
	for _, k := range keys {
		out = append(out, Finding{Severity: High, Rule: "install-script", Family: "build",
			Why: fmt.Sprintf("sets the %s script, which the package manager runs on install: %s", quote.Quoted(k), quote.Quoted(n.scripts[k]))})
	}
	var sources []string
	for _, m := range depSource().FindAllString(n.deps, -1) {
		if !strings.Contains(o.deps, m) {
			sources = append(sources, strings.Trim(m, `"`))
		}
	}
	if len(sources) > 0 {
		out = append(out, Finding{Severity: Medium, Rule: "dependency-source", Family: "build",
			Why: "adds dependencies from outside the registry: " + strings.Join(quote.Paths(sources), ", ")})
	}
	return out
}

// pyprojectHooks are the tables of pyproject.toml whose code a build
// frontend or backend runs: the PEP 517 backend, setuptools cmdclass,
// hatch build and metadata hooks, poetry's build script, pdm's build,
// and the commands hatch runs when it creates an environment.
var pyprojectHooks = [][]string{{"build-system"}, {"tool", "setuptools", "cmdclass"},
	{"tool", "hatch", "build", "hooks"}, {"tool", "hatch", "metadata", "hooks"}, {"tool", "hatch", "build", "targets", "*", "hooks"},
	{"tool", "poetry", "build"}, {"tool", "pdm", "build"},
	{"tool", "hatch", "envs", "*", "pre-install-commands"}, {"tool", "hatch", "envs", "*", "post-install-commands"},
	{"tool", "hatch", "env", "collectors"}, {"tool", "hatch", "env", "plugins"}}

func pyprojectBuild(old, new []byte) []Finding {
	var o, n map[string]any
	_, _ = toml.Decode(string(old), &o)
	if _, err := toml.Decode(string(new), &n); err != nil {
		return []Finding{{Severity: High, Rule: "manifest-unparsable", Family: "build",
			Why: "pyproject.toml is not valid TOML, so the build system pip would run cannot be checked"}}
	}
	for _, key := range pyprojectHooks {
		if !reflect.DeepEqual(lookupAll(o, key), lookupAll(n, key)) {
			return []Finding{{Severity: High, Rule: "build-backend", Family: "build",
				Why: "changes [" + strings.Join(key, ".") + "], which pip or the build tool runs on install"}}
		}
	}
	if !reflect.DeepEqual(pdmHooks(o), pdmHooks(n)) {
		return []Finding{{Severity: High, Rule: "install-script", Family: "build",
			Why: "changes a pre_/post_ script of [tool.pdm.scripts], which PDM runs around its own install, lock and build"}}
	}
	return nil
}

// lookupAll returns the values at a key path, "*" matching every key.
func lookupAll(m map[string]any, key []string) []any {
	if len(key) == 0 {
		return []any{m}
	}
	var out []any
	for k, v := range m {
		if key[0] != "*" && k != key[0] {
			continue
		}
		if len(key) == 1 {
			out = append(out, v)
		} else if sub, ok := v.(map[string]any); ok {
			out = append(out, lookupAll(sub, key[1:])...)
		}
	}
	return out
}

// submoduleKeys are the .gitmodules settings that decide what `git
// submodule update` fetches and runs ("update = !cmd" runs cmd).
var submoduleKeys = map[string]bool{"url": true, "path": true, "update": true, "branch": true}

// submoduleURLs compares .gitmodules as git's config parser reads it
// (one-line sections, any key case).
func submoduleURLs(c gitx.TreeChange, oldHash string, blobs Blobs) ([]Finding, error) {
	var old []gitx.ConfigEntry
	if oldHash != "" && oldHash != zeroHash {
		old, _ = blobs.BlobConfig(oldHash)
	}
	n, err := blobs.BlobConfig(c.NewHash)
	if errors.Is(err, gitx.ErrConfigSyntax) {
		return []Finding{{Severity: High, Rule: "gitmodules-unparsable", Family: "git",
			Why: "git's config parser rejects .gitmodules, so the submodules it names cannot be checked"}}, nil
	}
	if err != nil {
		return nil, err
	}
	had := map[string]bool{}
	for _, e := range old {
		had[e.Key+"\n"+e.Value] = true
	}
	for _, e := range n {
		name := e.Key[strings.LastIndex(e.Key, ".")+1:]
		if strings.HasPrefix(e.Key, "submodule.") && submoduleKeys[name] && !had[e.Key+"\n"+e.Value] {
			return []Finding{{Severity: High, Rule: "submodule-url", Family: "git",
				Why: fmt.Sprintf("changes a submodule %s to %s: the next 'git submodule update' fetches and checks out what it names", name, quote.Quoted(e.Value))}}, nil
		}
	}
	return []Finding{{Severity: Medium, Rule: "gitmodules", Family: "git", Why: "changes submodule settings"}}, nil
}

// cargoBuild: Cargo.toml's package.build names the build script cargo
// compiles and runs on every build (doc.rust-lang.org/cargo/reference/build-scripts.html).
func cargoBuild(old, new []byte) []Finding {
	var o, n map[string]any
	_, _ = toml.Decode(string(old), &o)
	if _, err := toml.Decode(string(new), &n); err != nil {
		return []Finding{{Severity: High, Rule: "manifest-unparsable", Family: "build",
			Why: "Cargo.toml is not valid TOML, so the build script cargo would run cannot be checked"}}
	}
	for _, key := range [][]string{{"package", "build"}, {"package", "links"}, {"package", "metabuild"}} {
		if !reflect.DeepEqual(lookupAll(o, key), lookupAll(n, key)) {
			return []Finding{{Severity: High, Rule: "build-script", Family: "build",
				Why: "changes [" + strings.Join(key, ".") + "]: cargo compiles and runs the package's build script on every build"}}
		}
	}
	return nil
}

// scriptCall finds the scripts a script runs by name through the package
// managers' run commands ("npm run build", "yarn build", "pnpm run x").
var scriptCall = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\b(?:npm|pnpm|bun)\s+(?:run(?:-script)?\s+)([A-Za-z0-9:._-]+)|\byarn\s+(?:run\s+)?([A-Za-z0-9:._-]+)`)
})

// installReach is the set of scripts that run on install: the lifecycle
// scripts, every script they call by name (npm runs pre<name> and
// post<name> around each), transitively.
func installReach(scripts map[string]string) map[string]bool {
	reach := map[string]bool{}
	var queue []string
	add := func(k string) {
		if _, ok := scripts[k]; ok && !reach[k] {
			reach[k] = true
			queue = append(queue, k)
		}
	}
	for k := range scripts {
		if lifecycle[k] {
			add(k)
		}
	}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		script := scripts[k]
		if strings.HasPrefix(script, "not-in-publish ||") || strings.HasPrefix(script, "in-publish &&") {
			continue // the in-publish idiom: the rest runs on publish only
		}
		for _, m := range scriptCall().FindAllStringSubmatch(script, -1) {
			name := m[1] + m[2]
			add(name)
			add("pre" + name)
			add("post" + name)
		}
	}
	return reach
}
