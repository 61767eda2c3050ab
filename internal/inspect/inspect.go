package inspect

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/quote"
)

// Blobs reads objects of the repository being inspected.
type Blobs interface {
	BlobSize(hash string) (int64, error)
	BlobHead(hash string, max int64) ([]byte, error)
	// BlobConfig reads a blob with git's config parser (gitx.Repo.BlobConfig);
	// gitx.ErrConfigSyntax when git rejects it.
	BlobConfig(hash string) ([]gitx.ConfigEntry, error)
}

// Options tune an inspection.
type Options struct {
	Protect []string // airlock.protect: extra patterns treated as high risk
	MaxSize int64    // files above this many bytes are findings; 0: 5 MiB

	// What the merge itself reports (gitx.MergePreview).
	Conflicts  []string // paths the merge cannot resolve by itself
	Unseen     []string // paths that land differently from what the single-base diff shows
	CrissCross bool     // several merge bases and no way to compute git's virtual base

	// Tree is every entry of the merge result, for resolving symlinks
	// (directory links, chains); nil judges a link by its own text.
	Tree []gitx.TreeEntry
	// HooksPath is the host's core.hooksPath relative to the top level
	// when it lies inside the repository ("." for the top level itself).
	HooksPath string

	// Attributes are the driver attributes (gitx.DriverAttributes) git
	// assigns to every file of the result, as the base's .gitattributes
	// and as the result's assign them (gitx.Repo.Attributes): a changed
	// driver is how a .gitattributes change runs code. Nil when no
	// .gitattributes changed, or not computed (then a change to one is
	// medium: its effect is unknown).
	Attributes *AttributeChange

	links *links
}

// AttributeChange holds, per path, the attribute values (attribute →
// value, only those set to a value) before and after the merge.
type AttributeChange struct {
	Before, After map[string]map[string]string
	// Probes are paths that need not exist, one per pattern of a changed
	// .gitattributes (AttributeProbes), and the pattern: a driver they
	// get lands on the next file of that name.
	Probes map[string]string
}

// Finding is one thing a reviewer must see. Field names are the documented
// JSON schema of `git airlock inspect --json`.
type Finding struct {
	Severity Severity `json:"-"`
	Level    string   `json:"severity"`
	Rule     string   `json:"rule"`
	Family   string   `json:"family"`
	Path     string   `json:"path"`
	OldPath  string   `json:"old_path,omitempty"`
	Why      string   `json:"why"`
}

// maxContent bounds the manifests and lockfiles read for content checks;
// a larger one in a path that runs code is high (too large to check).
const maxContent = 32 << 20

var zeroHash = strings.Repeat("0", 40)

// Inspect returns the findings for a list of changes, most severe first.
func Inspect(changes []gitx.TreeChange, blobs Blobs, opts Options) ([]Finding, error) {
	if opts.MaxSize == 0 {
		opts.MaxSize = 5 << 20
	}
	var err error
	if opts.links, err = newLinks(opts.Tree, blobs); err != nil {
		return nil, err
	}
	var out []Finding
	for _, c := range changes {
		fs, err := inspectOne(c, blobs, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	out = append(out, mergeFindings(changes, opts)...)
	if drivers := attributeDrivers(changes, opts.Attributes); len(drivers) > 0 {
		// The driver says what the change does; drop the generic line.
		has := map[string]bool{}
		for _, f := range drivers {
			has[f.Path] = true
		}
		out = slices.DeleteFunc(out, func(f Finding) bool { return f.Rule == "git-attributes" && has[f.Path] })
		out = append(out, drivers...)
	}
	out = dedupe(out)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Severity != out[j].Severity {
			return out[i].Severity > out[j].Severity
		}
		return out[i].Path < out[j].Path
	})
	for i := range out {
		out[i].Level = out[i].Severity.String()
	}
	return out, nil
}

// dedupe drops repeated findings (a file reached through a new link and
// changed itself is found from both sides).
func dedupe(fs []Finding) []Finding {
	seen := map[[3]string]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := [3]string{f.Rule, f.Path, f.Why}
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

// mergeFindings report what the history does to the merge rather than
// what a file holds.
func mergeFindings(changes []gitx.TreeChange, opts Options) []Finding {
	var out []Finding
	if opts.CrissCross {
		out = append(out, Finding{Severity: High, Rule: "criss-cross", Family: "merge", Path: ".",
			Why: "the branch and yours share several merge bases; git merges against a virtual base this git (older than 2.38) cannot preview, so what lands may differ from any diff shown"})
	}
	unseen := map[string]bool{}
	for _, p := range opts.Unseen {
		unseen[p] = true
	}
	for _, c := range changes {
		if unseen[c.Path] {
			out = append(out, Finding{Severity: High, Rule: "unseen-change", Family: "merge", Path: c.Path,
				Why: "lands through the virtual merge base of a criss-cross history: the branch's diff against its merge base does not show this change (it can revert your own fixes)"})
		}
	}
	for _, p := range opts.Conflicts {
		out = append(out, Finding{Severity: Medium, Rule: "merge-conflict", Family: "merge", Path: p,
			Why: "the merge conflicts here; whatever you resolve is what lands, judged here by the branch's side"})
	}
	return out
}

func inspectOne(c gitx.TreeChange, blobs Blobs, opts Options) ([]Finding, error) {
	var out []Finding
	add := func(sev Severity, rule, family, why string) {
		out = append(out, Finding{Severity: sev, Rule: rule, Family: family, Path: c.Path, OldPath: c.OldPath, Why: why})
	}
	deleted := c.Status == 'D'
	paths := []string{c.Path}
	if c.OldPath != "" {
		paths = append(paths, c.OldPath)
	}
	for _, p := range paths {
		if suspiciousName(p) {
			add(High, "file-name", "names", fmt.Sprintf("the name %s holds invisible or direction-changing characters that can disguise it", quote.Quoted(p)))
			break
		}
	}
	// Path rules, airlock.protect and core.hooksPath: the first match per
	// path decides.
	matched := false
	for _, p := range paths {
		r, ok := opts.pathRule(p)
		if !ok {
			continue
		}
		matched = true
		switch {
		case deleted:
			add(min(r.Severity, Medium), r.ID, r.Family, "removes it: "+r.Why)
		case p != c.Path:
			add(r.Severity, r.ID, r.Family, "moves it away: "+r.Why)
		default:
			add(r.Severity, r.ID, r.Family, r.Why)
		}
		break
	}
	if deleted {
		return out, nil
	}
	base := path.Base(c.Path)
	oldHash := c.OldHash
	if c.Status == 'A' {
		oldHash = ""
	}
	switch {
	case c.NewMode == gitx.ModeGitlink:
		add(Medium, "submodule", "git", fmt.Sprintf("points the submodule at commit %s, which you have not reviewed", c.NewHash[:min(12, len(c.NewHash))]))
		return out, nil
	case c.NewMode == gitx.ModeSymlink:
		fs, err := opts.links.judgeLink(c, blobs, opts)
		if err != nil {
			return nil, err
		}
		return append(out, fs...), nil
	}
	// A file is also judged at every path a link makes it reachable at,
	// whatever its own path matched (ci/Makefile is CI through .github -> ci).
	aliased, err := opts.links.judgeAliases(c, blobs, opts)
	if err != nil {
		return nil, err
	}
	out = append(out, aliased...)
	if c.NewMode == gitx.ModeExec && (c.Status == 'A' || c.OldMode != gitx.ModeExec) {
		add(Medium, "executable", "mode", "becomes executable")
	}
	contentFindings, err := contentChecks(c, base, oldHash, blobs)
	if err != nil {
		return nil, err
	}
	out = append(out, contentFindings...)
	size, err := blobs.BlobSize(c.NewHash)
	if err != nil {
		return nil, err
	}
	if size > opts.MaxSize {
		add(Medium, "large-file", "size", fmt.Sprintf("%.1f MiB; too large to review, and it bloats every clone", float64(size)/(1<<20)))
	} else if !matched && len(contentFindings) == 0 {
		head, err := blobs.BlobHead(c.NewHash, 8000)
		if err != nil {
			return nil, err
		}
		if bytes.IndexByte(head, 0) >= 0 {
			add(Low, "binary", "binary", "binary content cannot be reviewed as text")
		}
	}
	return out, nil
}

// suspiciousName: control characters and Unicode format characters
// (bidirectional overrides, zero-width joiners) make a path look like
// another one in a review.
func suspiciousName(p string) bool {
	for _, r := range p {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}

// contentChecks look inside the files whose danger depends on what changed.
func contentChecks(c gitx.TreeChange, base, oldHash string, blobs Blobs) ([]Finding, error) {
	base = Key(base) // macOS and Windows open Package.json. as package.json
	var check func(old, new []byte) []Finding
	switch {
	case Key(c.Path) == ".gitmodules":
		fs, err := submoduleURLs(c, oldHash, blobs)
		return withPath(fs, c), err
	case base == "package.json":
		check = packageScripts
	case lockfiles[base]:
		check = lockfileSources
	case base == ".gitattributes":
		// What it assigns is judged as git reads it (attributeDrivers);
		// any other change to it is medium.
		return withPath([]Finding{{Severity: Medium, Rule: "git-attributes", Family: "git",
			Why: "changes how git treats files (line endings, diffs, exports)"}}, c), nil
	case base == "pyproject.toml":
		check = pyprojectBuild
	case base == "cargo.toml":
		check = cargoBuild
	case Match(".vscode/settings.json", c.Path):
		check = editorSettings
	default:
		return nil, nil
	}
	size, err := blobs.BlobSize(c.NewHash)
	if err != nil {
		return nil, err
	}
	if size > maxContent {
		return withPath([]Finding{{Severity: High, Rule: "too-large-to-check", Family: "build",
			Why: fmt.Sprintf("%.1f MiB is more than inspect reads (%d MiB), and the tool that reads this file runs what it names", float64(size)/(1<<20), maxContent>>20)}}, c), nil
	}
	read := func(hash string) ([]byte, error) {
		if hash == "" || hash == zeroHash {
			return nil, nil
		}
		return blobs.BlobHead(hash, maxContent)
	}
	oldContent, err := read(oldHash)
	if err != nil {
		return nil, err
	}
	newContent, err := read(c.NewHash)
	if err != nil {
		return nil, err
	}
	return withPath(check(oldContent, newContent), c), nil
}

func withPath(fs []Finding, c gitx.TreeChange) []Finding {
	for i := range fs {
		fs[i].Path, fs[i].OldPath = c.Path, c.OldPath
	}
	return fs
}

var depSource = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`"(?:git\+[^"]+|github:[^"]+|file:[^"]+|https?://[^"]+\.(?:tgz|tar\.gz)[^"]*)"`)
})

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

func lockfileSources(old, new []byte) []Finding {
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

// attributeDrivers reports every filter, diff or merge driver the
// merge newly assigns to a path, grouped by driver, on the changed
// .gitattributes nearest above the paths (git reads them all; the
// nearest is the likeliest source).
func attributeDrivers(changes []gitx.TreeChange, ac *AttributeChange) []Finding {
	if ac == nil {
		return nil
	}
	var files []string // changed .gitattributes, deepest first
	for _, c := range changes {
		if c.Status != 'D' && Key(path.Base(c.Path)) == ".gitattributes" {
			files = append(files, c.Path)
		}
	}
	if len(files) == 0 {
		return nil
	}
	sort.Slice(files, func(i, j int) bool { return strings.Count(files[i], "/") > strings.Count(files[j], "/") })
	// One finding per file and set of drivers: a macro assigns several.
	type group struct{ file, drivers string }
	hit := map[group][]string{}
	for p, after := range ac.After {
		var drivers []string
		for attr, v := range after {
			if ac.Before[p][attr] != v {
				drivers = append(drivers, "the "+attr+" driver "+quote.Quoted(v))
			}
		}
		if len(drivers) == 0 {
			continue
		}
		sort.Strings(drivers)
		file := files[len(files)-1]
		for _, f := range files {
			if dir := path.Dir(f); dir == "." || strings.HasPrefix(p, dir+"/") {
				file = f
				break
			}
		}
		g := group{file, strings.Join(drivers, ", ")}
		hit[g] = append(hit[g], p)
	}
	var out []Finding
	for g, paths := range hit {
		sort.Strings(paths)
		shown := quote.Paths(paths[:min(3, len(paths))])
		for i, p := range paths[:len(shown)] {
			if pat, ok := ac.Probes[p]; ok {
				shown[i] = "files matching " + quote.Quoted(pat)
			}
		}
		more := ""
		if len(paths) > 3 {
			more = fmt.Sprintf(" and %d more", len(paths)-3)
		}
		out = append(out, Finding{Severity: High, Rule: "git-attributes-driver", Family: "git", Path: g.file,
			Why: fmt.Sprintf("assigns %s to %s%s: git runs the command your config names for it on checkout, diff or merge",
				g.drivers, strings.Join(shown, ", "), more)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Why < out[j].Why })
	return out
}

// newLines returns the lines of new that old does not have.
func newLines(old, new []byte) []string {
	have := map[string]bool{}
	for _, l := range strings.Split(string(old), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	var out []string
	for _, l := range strings.Split(string(new), "\n") {
		if t := strings.TrimSpace(l); t != "" && !have[t] {
			out = append(out, l)
		}
	}
	return out
}

// Count tallies findings per severity.
func Count(fs []Finding) map[string]int {
	m := map[string]int{"high": 0, "medium": 0, "low": 0}
	for _, f := range fs {
		m[f.Severity.String()]++
	}
	return m
}

// AtLeast returns the findings at or above a severity.
func AtLeast(fs []Finding, s Severity) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity >= s {
			out = append(out, f)
		}
	}
	return out
}
