package inspect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"go.yaml.in/yaml/v3"

	"github.com/git-airlock/git-airlock/internal/quote"
)

// Lockfiles are compared entry by entry, as the package manager reads
// them: an entry that keeps its version but changes its content (the
// integrity hash, a git reference) or that resolves to another package's
// download is high, and so is any download from a host the lockfile did
// not use before. Version bumps that resolve where they should are not
// findings: the manifest's own change says what was asked for.

var lockfiles = map[string]bool{"package-lock.json": true, "npm-shrinkwrap.json": true, "yarn.lock": true, "pnpm-lock.yaml": true,
	"bun.lock": true, "cargo.lock": true, "poetry.lock": true, "uv.lock": true, "pipfile.lock": true, "gemfile.lock": true,
	"go.sum": true, "composer.lock": true, "requirements.txt": true, "deno.lock": true, "flake.lock": true, "mix.lock": true,
	"pubspec.lock": true, "package.resolved": true, "packages.lock.json": true, "gradle.lockfile": true, "pdm.lock": true}

// hosts returns the hosts of the http(s), ssh and git URLs in a lockfile,
// lower case. A byte scan rather than a regular expression: lockfiles of
// several MiB are common, and this runs on both sides of every change.
func hosts(b []byte) map[string]bool {
	m := map[string]bool{}
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("://"))
		if j < 0 {
			return m
		}
		at := i + j
		i = at + 3
		start := at
		for start > 0 && (b[start-1] >= 'a' && b[start-1] <= 'z' || b[start-1] == '+') {
			start--
		}
		scheme := string(b[start:at])
		if !strings.HasSuffix(scheme, "http") && !strings.HasSuffix(scheme, "https") &&
			!strings.HasSuffix(scheme, "ssh") && !strings.HasSuffix(scheme, "git") {
			continue
		}
		rest := b[i:]
		host := hostAt(rest)
		// user info: anything up to '@' that holds no '/', space or quote
		if k := bytes.IndexAny(rest, "@/ \t\r\n\"'"); k > 0 && rest[k] == '@' {
			if h := hostAt(rest[k+1:]); h != "" {
				host = h
			}
		}
		if host != "" {
			m[strings.ToLower(host)] = true
		}
	}
}

// hostAt returns the run of host-name characters b starts with.
func hostAt(b []byte) string {
	n := 0
	for n < len(b) && (b[n] >= 'a' && b[n] <= 'z' || b[n] >= 'A' && b[n] <= 'Z' || b[n] >= '0' && b[n] <= '9' || b[n] == '.' || b[n] == '-') {
		n++
	}
	return string(b[:n])
}

func newHosts(old, new []byte) []Finding {
	before := hosts(old)
	var added []string
	for h := range hosts(new) {
		if !before[h] {
			added = append(added, h)
		}
	}
	if len(added) == 0 {
		return nil
	}
	sort.Strings(added)
	return []Finding{{Severity: High, Rule: "lockfile-source", Family: "build",
		Why: "the lockfile now downloads from " + strings.Join(added, ", ") + ", which it did not use before"}}
}

// lockEntry is one resolved package of a lockfile.
type lockEntry struct {
	name, version string
	resolved      []string // where it downloads from (URLs, or a resolution such as yarn's "x@npm:1.0.0")
	integrity     []string // hashes and references pinning its content
}

type lockParser func([]byte) (map[string]lockEntry, error)

var lockParsers = map[string]lockParser{
	"package-lock.json": npmLock, "npm-shrinkwrap.json": npmLock, "yarn.lock": yarnLock, "pnpm-lock.yaml": pnpmLock,
	"bun.lock": bunLock, "cargo.lock": tomlPackages, "poetry.lock": tomlPackages, "uv.lock": tomlPackages, "pdm.lock": tomlPackages,
	"composer.lock": composerLock, "go.sum": goSum, "gemfile.lock": gemfileLock, "requirements.txt": requirements,
	"pipfile.lock": pipfileLock,
}

// lockfileCheck compares a lockfile's hosts and, where its format is
// known, its entries.
func lockfileCheck(base string) func(old, new []byte) []Finding {
	parse := lockParsers[base]
	return func(old, new []byte) []Finding {
		out := newHosts(old, new)
		if parse == nil {
			return out
		}
		n, err := parse(new)
		if err != nil {
			return append(out, Finding{Severity: High, Rule: "manifest-unparsable", Family: "build",
				Why: "the lockfile does not parse here (" + quote.Text(err.Error()) + "), so what the package manager would download cannot be checked"})
		}
		o, _ := parse(old)
		return append(out, compareLock(o, n)...)
	}
}

func compareLock(o, n map[string]lockEntry) []Finding {
	var changed, elsewhere []string
	for key, ne := range n {
		oe, had := o[key]
		if had && oe.version == ne.version && len(oe.integrity) > 0 && len(ne.integrity) > 0 && !sameSet(oe.integrity, ne.integrity) {
			changed = append(changed, fmt.Sprintf("%s %s", ne.name, ne.version))
		}
		for _, r := range ne.resolved {
			if had && contains(oe.resolved, r) {
				continue
			}
			if other := resolvesElsewhere(ne, r); other != "" {
				elsewhere = append(elsewhere, fmt.Sprintf("%s %s to %s", ne.name, ne.version, quote.Quoted(other)))
			}
		}
	}
	var out []Finding
	if len(changed) > 0 {
		out = append(out, Finding{Severity: High, Rule: "lockfile-integrity", Family: "build",
			Why: "keeps the version but changes the content hash or reference of " + firstFew(changed) + ": the package manager installs other code under the same name and version"})
	}
	if len(elsewhere) > 0 {
		out = append(out, Finding{Severity: High, Rule: "lockfile-source", Family: "build",
			Why: "resolves " + firstFew(elsewhere) + ", which is not that package's own download"})
	}
	return out
}

func firstFew(items []string) string {
	sort.Strings(items)
	s := strings.Join(items[:min(3, len(items))], ", ")
	if len(items) > 3 {
		s += fmt.Sprintf(" and %d more", len(items)-3)
	}
	return s
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !contains(b, x) {
			return false
		}
	}
	return true
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// resolvesElsewhere returns what a resolved download names when it is not
// the entry's own package: an npm registry tarball of another name or
// version, a Python file of another project, a yarn resolution of another
// package. "" when it is the entry's own, or when its shape is unknown.
func resolvesElsewhere(e lockEntry, r string) string {
	if e.name == "" {
		return ""
	}
	if name, version, ok := strings.Cut(r, "@npm:"); ok && !strings.Contains(r, "://") { // yarn berry resolution
		if i := strings.LastIndex(name, "@npm:"); i >= 0 {
			name = name[i+5:]
		}
		if name != e.name || (e.version != "" && version != e.version) {
			return r
		}
		return ""
	}
	u, err := url.Parse(r)
	if err != nil || u.Host == "" {
		return ""
	}
	p, _ := url.PathUnescape(u.Path)
	if before, file, ok := strings.Cut(p, "/-/"); ok { // npm registry: /<name>/-/<base>-<version>.tgz
		owner := strings.TrimPrefix(before, "/")
		if strings.HasPrefix(path.Base(path.Dir(owner)), "@") {
			owner = path.Base(path.Dir(owner)) + "/" + path.Base(owner)
		} else {
			owner = path.Base(owner)
		}
		base := e.name[strings.LastIndex(e.name, "/")+1:]
		if owner != e.name || !strings.HasPrefix(file, base+"-") || e.version != "" && strings.TrimSuffix(strings.TrimPrefix(file, base+"-"), ".tgz") != e.version {
			return r
		}
		return ""
	}
	if strings.HasSuffix(u.Host, "pythonhosted.org") {
		file := normalPyName(path.Base(p))
		if !strings.HasPrefix(file, normalPyName(e.name)+"-") {
			return r
		}
	}
	return ""
}

// normalPyName is a Python project name as PEP 503 compares it, with the
// separators of a distribution file name folded the same way.
func normalPyName(s string) string {
	s = strings.ToLower(s)
	return strings.NewReplacer("-", "_", ".", "_").Replace(s)
}

func npmLock(b []byte) (map[string]lockEntry, error) {
	type entry struct {
		Name, Version, Resolved, Integrity string
		Link                               bool
		Dependencies                       map[string]json.RawMessage
	}
	var f struct {
		Packages     map[string]entry           `json:"packages"`
		Dependencies map[string]json.RawMessage `json:"dependencies"`
	}
	if err := json.Unmarshal(bytes.TrimPrefix(b, utf8BOM), &f); err != nil {
		return nil, err
	}
	out := map[string]lockEntry{}
	for key, e := range f.Packages {
		if key == "" || e.Link {
			continue
		}
		name := e.Name
		if name == "" {
			_, name, _ = strings.Cut(key[max(0, strings.LastIndex(key, "node_modules/")):], "node_modules/")
		}
		out[key] = lockEntry{name: name, version: e.Version, resolved: nonEmpty(e.Resolved), integrity: nonEmpty(e.Integrity)}
	}
	var walk func(prefix string, deps map[string]json.RawMessage)
	walk = func(prefix string, deps map[string]json.RawMessage) {
		for name, raw := range deps {
			var e entry
			if json.Unmarshal(raw, &e) != nil {
				continue
			}
			key := "v1:" + prefix + name
			if _, ok := out[key]; !ok {
				out[key] = lockEntry{name: name, version: e.Version, resolved: nonEmpty(e.Resolved), integrity: nonEmpty(e.Integrity)}
			}
			walk(prefix+name+"/", e.Dependencies)
		}
	}
	walk("", f.Dependencies)
	return out, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// yarnLock reads yarn.lock: Yarn 2+ writes YAML with a __metadata entry,
// Yarn 1 its own format of quoted specs and indented fields.
func yarnLock(b []byte) (map[string]lockEntry, error) {
	if bytes.Contains(b, []byte("\n__metadata:")) || bytes.HasPrefix(b, []byte("__metadata:")) {
		var f map[string]struct {
			Version    string `yaml:"version"`
			Resolution string `yaml:"resolution"`
			Checksum   string `yaml:"checksum"`
		}
		if err := yaml.Unmarshal(b, &f); err != nil {
			return nil, err
		}
		out := map[string]lockEntry{}
		for specs, e := range f {
			if specs == "__metadata" {
				continue
			}
			spec := strings.TrimSpace(strings.Split(specs, ",")[0])
			out[spec] = lockEntry{name: specName(spec), version: e.Version, resolved: nonEmpty(e.Resolution), integrity: nonEmpty(e.Checksum)}
		}
		return out, nil
	}
	return yarnV1(b), nil
}

// specName is the package name of a spec such as "@s/a@^1.0.0" or
// "a@npm:^1.0.0".
func specName(spec string) string {
	spec = strings.Trim(spec, `"`)
	if i := strings.LastIndex(spec[min(1, len(spec)):], "@"); i >= 0 {
		return spec[:i+1]
	}
	return spec
}

func yarnV1(b []byte) map[string]lockEntry {
	out := map[string]lockEntry{}
	var key string
	var cur lockEntry
	flush := func() {
		if key != "" {
			out[key] = cur
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, maxContent)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case !strings.HasPrefix(line, " "):
			flush()
			key = strings.Trim(strings.TrimSpace(strings.Split(strings.TrimSuffix(line, ":"), ",")[0]), `"`)
			cur = lockEntry{name: specName(key)}
		case strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   "):
			field, value, _ := strings.Cut(strings.TrimSpace(line), " ")
			value = strings.Trim(value, `"`)
			switch field {
			case "version":
				cur.version = value
			case "resolved":
				u, hash, _ := strings.Cut(value, "#")
				cur.resolved = nonEmpty(u)
				cur.integrity = append(cur.integrity, nonEmpty(hash)...)
			case "integrity":
				cur.integrity = append(cur.integrity, value)
			}
		}
	}
	flush()
	return out
}

// pnpmLock reads pnpm-lock.yaml: package keys "/a/1.0.0" (v5), "/a@1.0.0"
// (v6) or "a@1.0.0" (v9), peer suffixes in parentheses.
func pnpmLock(b []byte) (map[string]lockEntry, error) {
	var f struct {
		Packages map[string]struct {
			Name       string `yaml:"name"`
			Version    string `yaml:"version"`
			Resolution struct {
				Integrity string `yaml:"integrity"`
				Tarball   string `yaml:"tarball"`
				Commit    string `yaml:"commit"`
				Repo      string `yaml:"repo"`
			} `yaml:"resolution"`
		} `yaml:"packages"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	out := map[string]lockEntry{}
	for key, e := range f.Packages {
		k := strings.TrimPrefix(key, "/")
		if i := strings.IndexByte(k, '('); i > 0 {
			k = k[:i]
		}
		name, version := e.Name, e.Version
		if name == "" {
			if i := strings.LastIndex(k[min(1, len(k)):], "@"); i >= 0 {
				name, version = k[:i+1], k[i+2:]
			} else if i := strings.LastIndexByte(k, '/'); i > 0 {
				name, version = k[:i], k[i+1:]
			}
		}
		r := e.Resolution
		out[key] = lockEntry{name: name, version: version, resolved: nonEmpty(r.Tarball, r.Repo), integrity: nonEmpty(r.Integrity, r.Commit)}
	}
	return out, nil
}

// bunLock reads bun.lock (JSON with trailing commas): "packages" maps a
// name to ["name@version", registry URL, {…}, "sha512-…"].
func bunLock(b []byte) (map[string]lockEntry, error) {
	v, err := parseJSONC(b)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	pkgs, _ := m["packages"].(map[string]any)
	out := map[string]lockEntry{}
	for key, raw := range pkgs {
		arr, _ := raw.([]any)
		var e lockEntry
		for i, x := range arr {
			s, ok := x.(string)
			switch {
			case !ok || s == "":
			case i == 0:
				if j := strings.LastIndex(s[min(1, len(s)):], "@"); j >= 0 {
					e.name, e.version = s[:j+1], s[j+2:]
				}
			case strings.Contains(s, "://"):
				e.resolved = append(e.resolved, s)
			case strings.HasPrefix(s, "sha"):
				e.integrity = append(e.integrity, s)
			}
		}
		out[key] = e
	}
	return out, nil
}

// tomlPackages reads the [[package]] tables of Cargo.lock, poetry.lock,
// uv.lock and pdm.lock: every URL and hash inside a table belongs to it.
func tomlPackages(b []byte) (map[string]lockEntry, error) {
	var f struct {
		Package []map[string]any `toml:"package"`
	}
	if _, err := toml.Decode(string(b), &f); err != nil {
		return nil, err
	}
	out := map[string]lockEntry{}
	for _, p := range f.Package {
		name, _ := p["name"].(string)
		version, _ := p["version"].(string)
		e := lockEntry{name: name, version: version}
		collectStrings(p, func(key, s string) {
			switch {
			case strings.Contains(s, "://"):
				e.resolved = append(e.resolved, s)
			case key == "checksum" || key == "hash" || strings.HasPrefix(s, "sha256:") || strings.HasPrefix(s, "sha512:"):
				e.integrity = append(e.integrity, s)
			}
		})
		out[name+"@"+version] = e
	}
	return out, nil
}

func collectStrings(v any, f func(key, s string)) {
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch t := v.(type) {
		case string:
			f(key, t)
		case map[string]any:
			for k, x := range t {
				walk(k, x)
			}
		case []map[string]any:
			for _, x := range t {
				walk(key, x)
			}
		case []any:
			for _, x := range t {
				walk(key, x)
			}
		}
	}
	walk("", v)
}

func composerLock(b []byte) (map[string]lockEntry, error) {
	type ref struct{ URL, Reference, Shasum string }
	var f struct {
		Packages []struct {
			Name, Version string
			Dist, Source  ref
		} `json:"packages"`
		PackagesDev []struct {
			Name, Version string
			Dist, Source  ref
		} `json:"packages-dev"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	out := map[string]lockEntry{}
	for _, p := range append(f.Packages, f.PackagesDev...) {
		out[p.Name] = lockEntry{name: p.Name, version: p.Version, resolved: nonEmpty(p.Dist.URL, p.Source.URL),
			integrity: nonEmpty(p.Dist.Reference, p.Dist.Shasum, p.Source.Reference)}
	}
	return out, nil
}

func pipfileLock(b []byte) (map[string]lockEntry, error) {
	type entry struct {
		Version string   `json:"version"`
		Hashes  []string `json:"hashes"`
		Ref     string   `json:"ref"`
		Git     string   `json:"git"`
		File    string   `json:"file"`
	}
	var f struct {
		Default map[string]entry `json:"default"`
		Develop map[string]entry `json:"develop"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	out := map[string]lockEntry{}
	for section, m := range map[string]map[string]entry{"default": f.Default, "develop": f.Develop} {
		for name, e := range m {
			out[section+":"+name] = lockEntry{name: name, version: strings.TrimPrefix(e.Version, "=="), resolved: nonEmpty(e.Git, e.File),
				integrity: append(nonEmpty(e.Ref), e.Hashes...)}
		}
	}
	return out, nil
}

func goSum(b []byte) (map[string]lockEntry, error) {
	out := map[string]lockEntry{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		out[f[0]+" "+f[1]] = lockEntry{name: f[0], version: f[1], integrity: []string{f[2]}}
	}
	return out, nil
}

// gemfileLock reads the specs ("    name (version)") and, from Bundler
// 2.5 on, the CHECKSUMS section of Gemfile.lock.
func gemfileLock(b []byte) (map[string]lockEntry, error) {
	out := map[string]lockEntry{}
	section := ""
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" && line[0] != ' ' {
			section = strings.TrimSpace(line)
			continue
		}
		t := strings.TrimSpace(line)
		name, rest, ok := strings.Cut(t, " (")
		if !ok {
			continue
		}
		version, sum, _ := strings.Cut(rest, ")")
		key := name + "@" + version
		switch {
		case section == "CHECKSUMS":
			e := out[key]
			e.name, e.version = name, version
			e.integrity = nonEmpty(strings.TrimSpace(sum))
			out[key] = e
		case strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "     "):
			e := out[key]
			e.name, e.version = name, version
			out[key] = e
		}
	}
	return out, nil
}

// requirements reads pip requirement lines: "name==version" with
// --hash options (continued over "\" lines) or "name @ URL".
func requirements(b []byte) (map[string]lockEntry, error) {
	out := map[string]lockEntry{}
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		line, _, _ = strings.Cut(line, " #")
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "-") || strings.HasPrefix(f[0], "#") {
			continue
		}
		var e lockEntry
		spec := f[0]
		if len(f) >= 3 && f[1] == "@" {
			e.resolved = []string{f[2]}
		}
		name, version, _ := strings.Cut(spec, "==")
		if i := strings.IndexAny(name, "[<>=!~;@"); i >= 0 {
			name = name[:i]
		}
		e.name, e.version = name, version
		for _, x := range f[1:] {
			if h, ok := strings.CutPrefix(x, "--hash="); ok {
				e.integrity = append(e.integrity, h)
			}
		}
		out[normalPyName(name)] = e
	}
	return out, nil
}
