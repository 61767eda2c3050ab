package inspect

import (
	"bytes"
	"errors"
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

	// Tree holds the entries of the merge result that Interesting selects
	// (or all of them), for resolving symlinks (directory links, chains)
	// and finding the loaders of a changed file; nil judges a link by its
	// own text. ListTree lists the whole result, when a changed link
	// needs what lies under its target; nil: Tree is the whole result.
	Tree     []gitx.TreeEntry
	ListTree func() ([]gitx.TreeEntry, error)

	Host Host // what the host's own configuration makes of tracked files

	// Attributes are the driver attributes (gitx.DriverAttributes) git
	// assigns to every file of the result, as the base's .gitattributes
	// and as the result's assign them (gitx.Repo.Attributes): a changed
	// driver is how a .gitattributes change runs code. Nil when no
	// .gitattributes changed, or not computed (then a change to one is
	// medium: its effect is unknown).
	Attributes *AttributeChange

	// Submodules inspects a submodule's own history between two gitlink
	// commits; nil: a bump cannot be reviewed.
	Submodules Submodules

	// Commits are the commits the merge brings, for their identities.
	Commits []Commit

	links *links
	loads map[string][]string // Key of a file an .envrc loads → why
}

// Host is what the host's own configuration makes of tracked files: git
// reads them as its config, hooks or attributes, or they sit where the
// host keeps files outside git.
type Host struct {
	// HooksPath is the host's core.hooksPath relative to the top level
	// when it lies inside the repository ("." for the top level itself).
	HooksPath string
	// Config maps the Key of a tracked file the host's git config reads
	// to how it reaches it (gitx.TrackedConfig).
	Config map[string]gitx.ConfigReach
	// Ignored holds the paths among the added files that the host's
	// ignore rules ignore.
	Ignored map[string]bool
	// Name and Email are the host user's own identity (user.name,
	// user.email as git resolves them); empty when unknown.
	Name, Email string
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
	Trigger  Trigger  `json:"trigger"`
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
	opts.Host.Config = keyedReach(opts.Host.Config)
	if err := followIncludes(changes, blobs, opts.Host.Config); err != nil {
		return nil, err
	}
	var err error
	if opts.links, err = newLinks(opts.Tree, opts.ListTree, blobs); err != nil {
		return nil, err
	}
	if opts.loads, err = envrcLoads(opts.Tree, changes, blobs); err != nil {
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
	ci, err := ciIncludes(opts.Tree, changes, blobs)
	if err != nil {
		return nil, err
	}
	out = append(out, ci...)
	out = append(out, mergeFindings(changes, opts)...)
	out = append(out, identityFindings(opts.Commits, opts.Host)...)
	if drivers := attributeDrivers(changes, opts.Attributes); len(drivers) > 0 {
		// The driver says what the change does; drop the generic line.
		has := map[string]bool{}
		for _, f := range drivers {
			has[f.Path] = true
		}
		out = slices.DeleteFunc(out, func(f Finding) bool { return f.Rule == "git-attributes" && has[f.Path] })
		out = append(out, drivers...)
	}
	return finish(out), nil
}

// Interesting selects the entries of a merge result an inspection needs
// beyond the changes: every symlink, and the files that load others
// (.envrc, the GitLab CI file, .gitmodules).
func Interesting(e gitx.TreeEntry) bool {
	if e.Mode == gitx.ModeSymlink {
		return true
	}
	switch k := Key(e.Path); path.Base(k) {
	case ".envrc":
		return true
	case ".gitlab-ci.yml", ".gitlab-ci.yaml", "azure-pipelines.yml", "azure-pipelines.yaml", ".gitmodules":
		return k == path.Base(k)
	}
	return false
}

// keyedReach keys the host's config files as rules compare paths (Key).
func keyedReach(m map[string]gitx.ConfigReach) map[string]gitx.ConfigReach {
	out := make(map[string]gitx.ConfigReach, len(m))
	for p, r := range m {
		out[Key(p)] = r
	}
	return out
}

// finish drops repeated findings, orders them (most severe first, then by
// path) and fills in what the catalogue knows of each rule.
func finish(out []Finding) []Finding {
	out = dedupe(out)
	out = dropOutranked(out)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Severity != out[j].Severity {
			return out[i].Severity > out[j].Severity
		}
		return out[i].Path < out[j].Path
	})
	byID := catalogueByID()
	for i := range out {
		out[i].Level = out[i].Severity.String()
		if r, ok := byID[out[i].Rule]; ok {
			if out[i].Trigger == 0 {
				out[i].Trigger = r.Trigger
			}
			if out[i].Family == "" {
				out[i].Family = r.Family
			}
		}
	}
	return out
}

// dropOutranked drops a path rule's finding on a path where a more severe
// finding of the same trigger says more (editor-settings under
// editor-exec-setting, nix-shell under envrc-loads): one trigger, one line
// per path.
func dropOutranked(fs []Finding) []Finding {
	type slot struct {
		path string
		t    Trigger
	}
	top := map[slot]Severity{}
	byID := catalogueByID()
	trigger := func(f Finding) Trigger {
		if f.Trigger != 0 {
			return f.Trigger
		}
		return byID[f.Rule].Trigger
	}
	for _, f := range fs {
		k := slot{f.Path, trigger(f)}
		top[k] = max(top[k], f.Severity)
	}
	pathRule := map[string]bool{}
	for _, r := range Rules {
		pathRule[r.ID] = true
	}
	return slices.DeleteFunc(fs, func(f Finding) bool {
		return pathRule[f.Rule] && f.Severity < top[slot{f.Path, trigger(f)}]
	})
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

// change is one change being judged, with the findings so far.
type change struct {
	gitx.TreeChange
	out []Finding
}

func (c *change) add(sev Severity, rule, family, why string) {
	c.out = append(c.out, Finding{Severity: sev, Rule: rule, Family: family, Path: c.Path, OldPath: c.OldPath, Why: why})
}

func (c *change) deleted() bool { return c.Status == 'D' }

// moved: a rename or copy, whose content is new at its path.
func (c *change) moved() bool { return c.OldPath != "" }

func (c *change) paths() []string {
	if c.moved() {
		return []string{c.Path, c.OldPath}
	}
	return []string{c.Path}
}

func inspectOne(tc gitx.TreeChange, blobs Blobs, opts Options) ([]Finding, error) {
	c := &change{TreeChange: tc}
	for _, p := range c.paths() {
		if suspiciousName(p) {
			c.add(High, "file-name", "names", fmt.Sprintf("the name %s holds invisible or direction-changing characters that can disguise it", quote.Quoted(p)))
			break
		}
	}
	rule, matched := c.pathRule(opts)
	c.hostFindings(opts)
	if c.deleted() {
		return c.out, nil
	}
	var err error
	switch c.NewMode {
	case gitx.ModeGitlink:
		err = c.submodule(opts)
	case gitx.ModeSymlink:
		var fs []Finding
		fs, err = opts.links.judgeLink(c.TreeChange, blobs, opts)
		c.out = append(c.out, fs...)
	default:
		err = c.file(blobs, opts, rule, matched)
	}
	if err != nil {
		return nil, err
	}
	return c.out, nil
}

// pathRule applies the path rules, airlock.protect and core.hooksPath to
// the change's paths: the first path that matches decides. It returns the
// rule that matched the new path.
func (c *change) pathRule(opts Options) (Rule, bool) {
	for _, p := range c.paths() {
		r, ok := opts.pathRule(p)
		if !ok {
			continue
		}
		switch {
		case c.deleted() && r.ID == "airlock-config":
			c.add(High, r.ID, r.Family, "removes it: the team's settings, the gate's protect list among them, are gone once this lands")
		case c.deleted():
			c.add(min(r.Severity, Medium), r.ID, r.Family, "removes it: "+r.Why)
		case p != c.Path:
			c.add(r.Severity, r.ID, r.Family, "moves it away: "+r.Why)
		default:
			c.add(r.Severity, r.ID, r.Family, r.Why)
		}
		return r, p == c.Path
	}
	return Rule{}, false
}

// hostFindings: what the host's own configuration makes of the path —
// a file its git config reads, or a file planted where it keeps files
// outside git.
func (c *change) hostFindings(opts Options) {
	if reach, ok := opts.Host.Config[Key(c.Path)]; ok {
		if c.deleted() {
			c.add(Medium, "git-config-include", "git", fmt.Sprintf("removes a file your git config reads (%s)", reach))
		} else if reach.Runs != "" {
			c.add(High, "git-config-include", "git", fmt.Sprintf("git reads this file as config (%s) on every git command%s", reach, reach.Runs))
		} else {
			c.add(Medium, "git-config-include", "git", fmt.Sprintf("changes config git reads on every git command (%s); no setting that names a program changed", reach))
		}
	}
	if !c.deleted() && opts.Host.Ignored[c.Path] {
		c.add(High, "ignored-path", "ignored",
			"adds a file under a path your ignore rules ignore: git's checkout silently replaces your own untracked copy, and the tool that reads it runs the agent's")
	}
}

// file judges a regular or executable file.
func (c *change) file(blobs Blobs, opts Options, rule Rule, matched bool) error {
	// A file is also judged at every path a link makes it reachable at,
	// whatever its own path matched (ci/Makefile is CI through .github -> ci).
	aliased, err := opts.links.judgeAliases(c.TreeChange, blobs, opts)
	if err != nil {
		return err
	}
	c.out = append(c.out, aliased...)
	if why, ok := opts.loads[Key(c.Path)]; ok {
		c.add(High, "envrc-loads", "env", "direnv loads it when you enter the directory, without asking again: "+strings.Join(why, "; "))
	}
	if c.NewMode == gitx.ModeExec && (c.Status == 'A' || c.OldMode != gitx.ModeExec) {
		c.add(Medium, "executable", "mode", "becomes executable")
	}
	oldHash := c.OldHash
	if c.Status == 'A' || c.moved() {
		oldHash = "" // a rename or copy is new content at its path
	}
	contentFindings, err := contentChecks(c.TreeChange, path.Base(c.Path), oldHash, blobs, rule)
	if err != nil {
		return err
	}
	c.out = append(c.out, contentFindings...)
	size, err := blobs.BlobSize(c.NewHash)
	if err != nil {
		return err
	}
	if size > opts.MaxSize {
		c.add(Medium, "large-file", "size", fmt.Sprintf("%.1f MiB; too large to review, and it bloats every clone", float64(size)/(1<<20)))
		return nil
	}
	if matched || len(c.out) > 0 || contentCheckFor(Key(c.Path), Key(path.Base(c.Path)), rule) != nil {
		return nil
	}
	head, err := blobs.BlobHead(c.NewHash, 8000)
	if err != nil {
		return err
	}
	switch {
	case bytes.IndexByte(head, 0) >= 0:
		c.add(Low, "binary", "binary", "binary content cannot be reviewed as text")
	case looksLikeToolConfig(c.Path):
		c.add(Medium, "unknown-config", "unknown",
			"looks like a tool's configuration, and no rule knows which tool reads it or what it runs: read it before it lands")
	}
	return nil
}

// submodule judges a gitlink: the submodule's own history between the old
// and the new commit, inspected as a merge of its own.
func (c *change) submodule(opts Options) error {
	old := c.OldHash
	if c.Status == 'A' || c.OldMode != gitx.ModeGitlink {
		old = ""
	}
	if opts.Submodules == nil {
		c.add(High, "submodule-unreviewable", "git", fmt.Sprintf("points the submodule at commit %s, whose changes cannot be read here", short(c.NewHash)))
		return nil
	}
	fs, err := opts.Submodules.InspectSubmodule(c.Path, old, c.NewHash)
	var missing *SubmoduleMissing
	switch {
	case errors.As(err, &missing):
		c.add(High, "submodule-unreviewable", "git", fmt.Sprintf("points the submodule at commit %s, which is not here (%s): what it brings cannot be reviewed; 'git airlock fetch' fetches initialised submodules", short(c.NewHash), missing.Why))
		return nil
	case err != nil:
		return err
	}
	c.add(Low, "submodule", "git", fmt.Sprintf("moves the submodule to commit %s; what that brings is judged at the submodule's own paths", short(c.NewHash)))
	c.out = append(c.out, fs...)
	return nil
}

func short(h string) string { return h[:min(12, len(h))] }

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

// contentChecks look inside the files whose danger depends on what
// changed. rule is the path rule the file fell under, if any.
func contentChecks(c gitx.TreeChange, base, oldHash string, blobs Blobs, rule Rule) ([]Finding, error) {
	base = Key(base) // macOS and Windows open Package.json. as package.json
	switch {
	case Key(c.Path) == ".gitmodules":
		fs, err := submoduleURLs(c, oldHash, blobs)
		return withPath(fs, c), err
	case base == ".gitattributes":
		// What it assigns is judged as git reads it (attributeDrivers);
		// any other change to it is medium.
		return withPath([]Finding{{Severity: Medium, Rule: "git-attributes", Family: "git",
			Why: "changes how git treats files (line endings, diffs, exports)"}}, c), nil
	}
	check := contentCheckFor(Key(c.Path), base, rule)
	if check == nil {
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

// Count tallies findings per severity.
func Count(fs []Finding) Counts {
	var c Counts
	for _, f := range fs {
		c.Add(f.Severity, 1)
	}
	return c
}

// Counts are findings by severity; the JSON keys are those of `inspect
// --json` and `compare --json`.
type Counts struct {
	High   int `json:"high"`
	Medium int `json:"medium"`
	Low    int `json:"low"`
}

// Total is the number of findings counted.
func (c Counts) Total() int { return c.High + c.Medium + c.Low }

// Add counts n findings of severity s; another severity counts nowhere.
func (c *Counts) Add(s Severity, n int) {
	switch s {
	case High:
		c.High += n
	case Medium:
		c.Medium += n
	case Low:
		c.Low += n
	}
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
