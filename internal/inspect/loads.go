package inspect

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/quote"
)

// A file can run without a rule of its own because another file that runs
// loads it: an unchanged .envrc that says `use flake` runs a changed
// flake.nix on the next cd (direnv asks again only when the .envrc itself
// changes), and an unchanged .gitlab-ci.yml runs what it includes. These
// are found by reading the loaders in the merge result.

// envrcDirective is what one .envrc line makes direnv load: files (or
// every file under dirs) relative to the .envrc's directory.
type envrcDirective struct {
	line  string
	files []string // relative paths; "*.nix" style base-name globs allowed
	dirs  []string // everything below
}

// parseEnvrc reads the direnv stdlib calls that load other files
// (direnv-stdlib(1)); shell it cannot follow (variables, eval) is judged
// with the .envrc itself, which is high whenever it changes.
func parseEnvrc(b []byte) []envrcDirective {
	var out []envrcDirective
	for _, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimSpace(raw)
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		args := make([]string, 0, len(f)-1)
		for _, a := range f[1:] {
			if strings.HasPrefix(a, "#") {
				break
			}
			args = append(args, strings.Trim(a, `"'`))
		}
		d := envrcDirective{line: line}
		nix := []string{"*.nix", "flake.nix", "flake.lock", "devenv.yaml", "devenv.lock", "devbox.json", "devbox.lock"}
		switch f[0] {
		case "use", "use_flake", "use_nix", "use_devenv", "use_devbox", "use_mise", "use_asdf":
			tool := strings.TrimPrefix(f[0], "use_")
			if f[0] == "use" && len(args) > 0 {
				tool, args = args[0], args[1:]
			}
			switch tool {
			case "flake", "nix", "devenv", "devbox", "guix":
				d.files = append(append(d.files, nix...), pathArgs(args)...)
			case "mise", "asdf", "rtx":
				d.files = append(d.files, "mise.toml", ".mise.toml", "mise.local.toml", ".tool-versions")
			default:
				continue
			}
		case "source_env", "source_env_if_exists", "source", ".":
			for _, a := range pathArgs(args) {
				d.files = append(d.files, a, path.Join(a, ".envrc"))
			}
		case "dotenv", "dotenv_if_exists":
			d.files = append(d.files, pathArgs(args)...)
			if len(args) == 0 {
				d.files = append(d.files, ".env")
			}
		case "PATH_add", "load_prefix":
			d.dirs = append(d.dirs, pathArgs(args)...)
		case "path_add":
			if len(args) > 1 {
				d.dirs = append(d.dirs, pathArgs(args[1:])...)
			}
		default:
			if strings.Contains(line, "devbox") || strings.Contains(line, "devenv") {
				d.files = append(d.files, nix...)
			} else {
				continue
			}
		}
		out = append(out, d)
	}
	return out
}

// pathArgs keeps the arguments that are relative paths (no options, no
// variables, no flake references to elsewhere).
func pathArgs(args []string) []string {
	var out []string
	for _, a := range args {
		if a == "" || strings.HasPrefix(a, "-") || strings.ContainsAny(a, "$`") || strings.Contains(a, ":") {
			continue
		}
		a, _, _ = strings.Cut(a, "#") // a flake reference's attribute
		if !path.IsAbs(a) && a != "" {
			out = append(out, path.Clean(a))
		}
	}
	return out
}

// loaders lists the files of the result named base (folded): from the
// tree when given, else from the changes.
func loaders(tree []gitx.TreeEntry, changes []gitx.TreeChange, match func(key string) bool) []gitx.TreeEntry {
	var out []gitx.TreeEntry
	if tree != nil {
		for _, e := range tree {
			if e.Mode != gitx.ModeGitlink && e.Mode != gitx.ModeSymlink && match(Key(e.Path)) {
				out = append(out, e)
			}
		}
		return out
	}
	for _, c := range changes {
		if c.Status != 'D' && c.NewMode != gitx.ModeGitlink && c.NewMode != gitx.ModeSymlink && match(Key(c.Path)) {
			out = append(out, gitx.TreeEntry{Mode: c.NewMode, Hash: c.NewHash, Path: c.Path})
		}
	}
	return out
}

// envrcLoads maps the Key of each changed file some .envrc of the result
// loads to why.
func envrcLoads(tree []gitx.TreeEntry, changes []gitx.TreeChange, blobs Blobs) (map[string][]string, error) {
	out := map[string][]string{}
	envrcs := loaders(tree, changes, func(k string) bool { return path.Base(k) == ".envrc" })
	for _, e := range envrcs {
		content, err := blobs.BlobHead(e.Hash, 1<<20)
		if err != nil {
			return nil, err
		}
		dir := path.Dir(e.Path)
		for _, d := range parseEnvrc(content) {
			for _, c := range changes {
				if c.Status == 'D' || Key(c.Path) == Key(e.Path) || !d.loads(dir, c.Path) {
					continue
				}
				k := Key(c.Path)
				out[k] = append(out[k], fmt.Sprintf("%s says %s", quote.Quoted(e.Path), quote.Quoted(d.line)))
			}
		}
	}
	return out, nil
}

// loads reports whether the directive, in an .envrc in dir, loads p.
func (d envrcDirective) loads(dir, p string) bool {
	rel := p
	if dir != "." {
		r, ok := strings.CutPrefix(Key(p), Key(dir)+"/")
		if !ok {
			return false
		}
		rel = r
	} else {
		rel = Key(p)
	}
	for _, f := range d.files {
		f = Key(f)
		if strings.Contains(f, "*") {
			// Below the .envrc, not a flake of its own: a flake.nix in a
			// subdirectory is another flake, loaded only when named.
			if ok, _ := path.Match(f, path.Base(rel)); ok && path.Base(rel) != "flake.nix" {
				return true
			}
		} else if rel == f {
			return true
		}
	}
	for _, dd := range d.dirs {
		if dd = Key(dd); dd == "." || strings.HasPrefix(rel, dd+"/") {
			return true
		}
	}
	return false
}

// ciLoader is a CI configuration that pulls in other files of the
// repository: GitLab's include (paths from the top level) and Azure
// Pipelines' template (relative to the including file, "/" the top).
type ciLoader struct {
	root     func(key string) bool
	refs     func(content []byte) []string
	relative bool
}

var ciLoaders = []ciLoader{
	{root: func(k string) bool { return k == ".gitlab-ci.yml" || k == ".gitlab-ci.yaml" }, refs: gitlabLocalIncludes},
	{root: func(k string) bool { return k == "azure-pipelines.yml" || k == "azure-pipelines.yaml" }, refs: azureTemplates, relative: true},
}

// ciIncludes reports changed files that the result's CI configuration
// pulls in, following what those pull in a few levels down (through
// files this inspection has: the changed ones and the loaders).
func ciIncludes(tree []gitx.TreeEntry, changes []gitx.TreeChange, blobs Blobs) ([]Finding, error) {
	known := map[string]gitx.TreeEntry{}
	for _, e := range loaders(tree, changes, func(string) bool { return true }) {
		known[Key(e.Path)] = e
	}
	changed := map[string]gitx.TreeChange{}
	for _, c := range changes {
		if c.Status != 'D' {
			changed[Key(c.Path)] = c
			known[Key(c.Path)] = gitx.TreeEntry{Mode: c.NewMode, Hash: c.NewHash, Path: c.Path}
		}
	}
	var out []Finding
	seen := map[string]bool{}
	for _, l := range ciLoaders {
		var queue []gitx.TreeEntry
		for k, e := range known {
			if l.root(k) {
				queue = append(queue, e)
			}
		}
		for depth := 0; len(queue) > 0 && depth < 8; depth++ {
			var next []gitx.TreeEntry
			for _, e := range queue {
				content, err := blobs.BlobHead(e.Hash, 1<<20)
				if err != nil {
					return nil, err
				}
				for _, ref := range l.refs(content) {
					pat := ref
					if l.relative && !strings.HasPrefix(ref, "/") {
						pat = path.Join(path.Dir(e.Path), ref)
					}
					for k, c := range changed {
						if !seen[k] && includeMatches(pat, k) {
							seen[k] = true
							out = append(out, Finding{Severity: High, Rule: "ci-include", Family: "ci", Path: c.Path,
								Why: fmt.Sprintf("%s includes it (%s): CI runs it with the repository's secrets on the next push", quote.Quoted(e.Path), quote.Quoted(ref))})
						}
					}
					for k, inc := range known {
						if includeMatches(pat, k) && !seen["loader:"+k] {
							seen["loader:"+k] = true
							next = append(next, inc)
						}
					}
				}
			}
			queue = next
		}
	}
	return out, nil
}

// azureTemplates returns the template references of an Azure Pipelines
// file that name this repository (no "@other-repo").
func azureTemplates(b []byte) []string {
	var doc any
	if yaml.Unmarshal(b, &doc) != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				if s, ok := x.(string); ok && k == "template" && !strings.Contains(s, "@") {
					out = append(out, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(doc)
	return out
}

// includeMatches matches a GitLab include path, whose globs are "*"
// (within a directory) and "**" (across directories), against a Key.
func includeMatches(pat, key string) bool {
	pat = Key(strings.TrimPrefix(pat, "/"))
	if !strings.Contains(pat, "*") {
		return pat == key
	}
	var re strings.Builder
	re.WriteString("^")
	for i := 0; i < len(pat); i++ {
		switch {
		case strings.HasPrefix(pat[i:], "**"):
			re.WriteString(".*")
			i++
		case pat[i] == '*':
			re.WriteString("[^/]*")
		default:
			re.WriteString(regexp.QuoteMeta(pat[i : i+1]))
		}
	}
	re.WriteString("$")
	ok, _ := regexp.MatchString(re.String(), key)
	return ok
}

// gitlabLocalIncludes returns the local paths of a GitLab CI file's
// include: a string, a list of strings and maps, or a map with local.
func gitlabLocalIncludes(b []byte) []string {
	var doc struct {
		Include any `yaml:"include"`
	}
	if yaml.Unmarshal(b, &doc) != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			if !strings.Contains(t, "://") {
				out = append(out, t)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		case map[string]any:
			if l, ok := t["local"].(string); ok {
				out = append(out, l)
			}
		}
	}
	walk(doc.Include)
	return out
}
