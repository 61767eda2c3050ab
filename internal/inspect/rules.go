// Package inspect finds what a merge of an agent's branch would change that
// can run code or widen access on the host: CI and automation, git's own
// mechanics, hook managers, direnv and .env files, editor and container
// configs, package manifest scripts and lockfile sources, package-manager
// and agent configs, symlinks, executable bits, binaries and large files,
// and what the merge itself does (changes a criss-cross history hides,
// conflicts).
//
// It judges the changes from the host's branch to the merge result (the
// caller computes both with git). Path rules are data (Rules), matched
// case-folded; the rules decided by content, links or the merge are listed
// in Checks. Content is read the way the tool that runs the file reads it
// (manifests.go), symlinks are resolved inside the merge result the way
// the operating system follows them (links.go). Blobs are read through the
// Blobs interface; the package runs nothing itself.
package inspect

import (
	"path"
	"strings"
	"sync"
)

// Severity orders findings.
type Severity int

const (
	Low Severity = iota + 1
	Medium
	High
)

func (s Severity) String() string {
	switch s {
	case High:
		return "high"
	case Medium:
		return "medium"
	case Low:
		return "low"
	}
	return "none"
}

// ParseSeverity reads "high", "medium" or "low".
func ParseSeverity(s string) (Severity, bool) {
	for _, v := range []Severity{High, Medium, Low} {
		if v.String() == strings.ToLower(s) {
			return v, true
		}
	}
	return 0, false
}

// Rule is one path rule. Patterns match the whole path: "dir/**" is
// everything under dir, "**/rest" is rest at any depth, a pattern without '/' matches the base name at any
// depth, anything else is a path.Match pattern from the repository root.
type Rule struct {
	ID       string
	Family   string
	Severity Severity // the highest it reports
	Patterns []string
	Why      string
	Source   string // the tool's documentation of why the file runs code
}

// Rules is the path-rule table. Content checks (manifests.go) refine some
// of these families: package.json, lockfiles, .gitattributes, .gitmodules,
// pyproject.toml, Cargo.toml, editor settings.
var Rules = []Rule{
	{ID: "ci", Family: "ci", Severity: High, Why: "CI runs this with the repository's secrets on the next push",
		Patterns: []string{".github/workflows/**", ".github/actions/**", ".gitlab-ci.yml", ".gitlab-ci/**", ".circleci/**",
			"Jenkinsfile", "azure-pipelines.yml", "azure-pipelines.yaml", ".azure-pipelines/**", ".buildkite/**", ".travis.yml",
			"bitbucket-pipelines.yml", ".drone.yml", "appveyor.yml", ".woodpecker.yml", ".woodpecker/**", "cloudbuild.yaml",
			".github/dependabot.yml", ".github/CODEOWNERS", "CODEOWNERS"}, Source: "https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions"},
	{ID: "git-lfsconfig", Family: "git", Severity: High, Patterns: []string{".lfsconfig"},
		Why: "changes where git-lfs fetches and pushes large files", Source: "https://github.com/git-lfs/git-lfs/blob/main/docs/man/git-lfs-config.adoc"},
	{ID: "hook-manager", Family: "hooks", Severity: High, Why: "installs commands that git runs on your machine (commit, push, checkout)",
		Patterns: []string{".husky/**", ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", "lefthook.yml", "lefthook.yaml",
			".lefthook.yml", ".lefthook.yaml", ".lefthook/**", "lefthook-local.yml", ".githooks/**", ".git-hooks/**", ".hooks/**",
			".overcommit.yml", ".simple-git-hooks.json", ".simple-git-hooks.js", ".huskyrc", ".huskyrc.json",
			".lintstagedrc", ".lintstagedrc.*", "lint-staged.config.*"}, Source: "https://pre-commit.com/"},
	{ID: "direnv", Family: "env", Severity: High, Patterns: []string{".envrc"},
		Why: "direnv runs it in your shell when you enter the directory", Source: "https://direnv.net/"},
	{ID: "dotenv", Family: "env", Severity: Medium, Patterns: []string{".env", ".env.*", "*.env"},
		Why: "environment files are loaded by tools and can redirect endpoints or inject settings", Source: "https://github.com/motdotla/dotenv"},
	{ID: "editor-tasks", Family: "editor", Severity: High, Why: "the editor runs these commands (some on folder open)",
		Patterns: []string{".vscode/tasks.json", ".vscode/launch.json", ".idea/runConfigurations/**", ".run/**", ".idea/workspace.xml",
			".zed/tasks.json", ".nvim.lua", ".exrc", ".vimrc", "*.code-workspace"}, Source: "https://code.visualstudio.com/docs/editor/tasks"},
	{ID: "editor-settings", Family: "editor", Severity: Medium, Patterns: []string{".vscode/settings.json", ".vscode/extensions.json", ".idea/**", ".zed/settings.json"},
		Why: "editor settings can point at interpreters, formatters and terminals that run code", Source: "https://code.visualstudio.com/docs/getstarted/settings"},
	{ID: "devcontainer", Family: "container", Severity: High, Patterns: []string{".devcontainer/**", ".devcontainer.json", ".gitpod.yml"},
		Why: "the editor builds and runs this container, with its commands, when you open the folder", Source: "https://containers.dev/implementors/json_reference/"},
	{ID: "container-build", Family: "container", Severity: Medium, Patterns: []string{"Dockerfile", "*.Dockerfile", "Containerfile", "docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"},
		Why: "container builds run its commands with access to the build context", Source: "https://docs.docker.com/reference/dockerfile/"},
	{ID: "build-script", Family: "build", Severity: High, Patterns: []string{"setup.py", "build.rs", "Rakefile", "*.gemspec", "gradlew", "mvnw"},
		Why: "runs during install, build or test on the host", Source: "https://doc.rust-lang.org/cargo/reference/build-scripts.html"},
	{ID: "package-manager-config", Family: "build", Severity: High,
		Patterns: []string{".npmrc", ".yarnrc", ".yarnrc.yml", ".pnpmfile.cjs", ".pnpmfile.mjs", "pnpmfile.js", "bunfig.toml", ".bunfig.toml",
			"**/.cargo/config", "**/.cargo/config.toml", "binding.gyp"},
		Why: "the package manager or build tool reads it and runs what it names (yarnPath, pnpmfile hooks, cargo runners and wrappers, node-gyp builds, npm's script-shell)", Source: "https://yarnpkg.com/configuration/yarnrc#yarnPath"},
	{ID: "build-file", Family: "build", Severity: Medium, Patterns: []string{"Makefile", "makefile", "GNUmakefile", "*.mk", "CMakeLists.txt",
		"build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "pom.xml", "meson.build", "justfile", "Justfile", "Taskfile.yml", "noxfile.py", "tox.ini", "setup.cfg"},
		Why: "build definitions run commands when you build or test", Source: "https://www.gnu.org/software/make/manual/make.html"},
	{ID: "airlock-config", Family: "agent", Severity: High, Patterns: []string{".airlock.toml"},
		Why: "changes git-airlock's own team settings (it becomes untrusted until 'git airlock trust')", Source: "docs/DECISIONS.md"},
	{ID: "agent-config", Family: "agent", Severity: High, Why: "the next agent session on your machine runs the hooks, MCP servers and commands it configures",
		Patterns: []string{".claude/settings.json", ".claude/settings.local.json", ".claude/hooks/**", ".mcp.json", ".vscode/mcp.json",
			".gemini/**", ".cursor/mcp.json", ".cursor/hooks.json", ".cursor/environment.json", ".codex/config.toml",
			"opencode.json", "opencode.jsonc", ".opencode/plugin/**", ".opencode/plugins/**", ".aider.conf.yml", ".continue/**", ".roo/mcp.json"}, Source: "https://docs.anthropic.com/en/docs/claude-code/hooks"},
	{ID: "agent-instructions", Family: "agent", Severity: Medium, Why: "instructs the next agent run; a prompt-injection channel",
		Patterns: []string{"AGENTS.md", "CLAUDE.md", "GEMINI.md", ".claude/**", ".cursorrules", ".cursor/**", ".github/copilot-instructions.md",
			".codex/**", ".windsurfrules", ".opencode/**"}, Source: "https://agents.md/"},
}

// Match reports whether p matches the pattern (see Rule), both compared
// as the platforms that matter see them (Key): Package.json is
// package.json on macOS and Windows, ".git\u200chub" is ".github" on HFS+.
func Match(pattern, p string) bool {
	return matchFolded(Key(pattern), Key(p))
}

func matchFolded(pattern, p string) bool {
	if rest, ok := strings.CutPrefix(pattern, "**/"); ok { // at any depth
		for q := p; ; {
			if matchFolded(rest, q) {
				return true
			}
			_, after, found := strings.Cut(q, "/")
			if !found {
				return false
			}
			q = after
		}
	}
	if dir, ok := strings.CutSuffix(pattern, "/**"); ok {
		return strings.HasPrefix(p, dir+"/")
	}
	if !strings.Contains(pattern, "/") {
		ok, _ := path.Match(pattern, path.Base(p))
		return ok
	}
	ok, _ := path.Match(pattern, p)
	return ok
}

// ruleFor returns the first matching rule.
func ruleFor(p string) (Rule, bool) {
	if i := compiledRules().first(Key(p)); i >= 0 {
		return Rules[i], true
	}
	return Rule{}, false
}

// ruleIndex finds the first rule a folded path matches without trying
// every pattern: literal names and paths and "dir/**" prefixes are map
// lookups; only patterns with wildcards are matched one by one.
type ruleIndex struct {
	base, path, dir map[string]int // folded literal → first rule index
	globs           []indexedGlob  // in rule order
}

type indexedGlob struct {
	pattern string // folded
	rule    int
	// A base-name pattern "*.ext" or "name.*" is a suffix or prefix test
	// (path.Match is the cost of inspecting thousands of files).
	prefix, suffix string
	affix          bool
}

func newGlob(pat string, rule int) indexedGlob {
	g := indexedGlob{pattern: pat, rule: rule}
	if strings.ContainsAny(pat, "/?[\\") || strings.Count(pat, "*") != 1 {
		return g
	}
	g.prefix, g.suffix, _ = strings.Cut(pat, "*")
	g.affix = true
	return g
}

func (g indexedGlob) match(p string) bool {
	if !g.affix {
		return matchFolded(g.pattern, p)
	}
	b := path.Base(p)
	return len(b) >= len(g.prefix)+len(g.suffix) && strings.HasPrefix(b, g.prefix) && strings.HasSuffix(b, g.suffix)
}

var compiledRules = sync.OnceValue(func() *ruleIndex {
	x := &ruleIndex{base: map[string]int{}, path: map[string]int{}, dir: map[string]int{}}
	first := func(m map[string]int, k string, i int) {
		if _, ok := m[k]; !ok {
			m[k] = i
		}
	}
	for i, r := range Rules {
		for _, pat := range r.Patterns {
			pat = Key(pat)
			dir, isDir := strings.CutSuffix(pat, "/**")
			switch {
			case strings.HasPrefix(pat, "**/") || strings.ContainsAny(strings.TrimSuffix(pat, "/**"), "*?[\\"):
				x.globs = append(x.globs, newGlob(pat, i))
			case isDir:
				first(x.dir, dir, i)
			case !strings.Contains(pat, "/"):
				first(x.base, pat, i)
			default:
				first(x.path, pat, i)
			}
		}
	}
	return x
})

func (x *ruleIndex) first(p string) int {
	best := -1
	take := func(i int, ok bool) {
		if ok && (best < 0 || i < best) {
			best = i
		}
	}
	i, ok := x.base[path.Base(p)]
	take(i, ok)
	i, ok = x.path[p]
	take(i, ok)
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		i, ok = x.dir[d]
		take(i, ok)
	}
	for _, g := range x.globs {
		if best >= 0 && g.rule >= best {
			break
		}
		if g.match(p) {
			take(g.rule, true)
			break
		}
	}
	return best
}

// pathRule is the rule a path falls under: airlock.protect first, then
// the host's tracked core.hooksPath, then the Rules table.
func (o Options) pathRule(p string) (Rule, bool) {
	for _, pat := range o.Protect {
		if Match(strings.TrimPrefix(pat, "/"), p) {
			return Rule{ID: "protected", Family: "protect", Severity: High, Why: "listed in airlock.protect (" + pat + ")"}, true
		}
	}
	if h := o.HooksPath; h != "" && (h == "." && !strings.Contains(p, "/") || h != "." && Match(h+"/**", p)) {
		return Rule{ID: "hooks-path", Family: "hooks", Severity: High,
			Why: "in your core.hooksPath (" + h + "): git runs it on your next commit, merge or checkout"}, true
	}
	return ruleFor(p)
}
