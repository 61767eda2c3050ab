package inspect

import (
	"path"
	"strings"
)

// Tool configuration no rule knows: a list of file names is always one
// name short, so a changed file that looks like some tool's configuration
// and that no rule covers is a finding of its own (medium), never silent.
// What looks like configuration: a dotfile or anything under a
// dot-directory, an rc file, *.config.* and config.* or settings.* names,
// *.conf/*.cfg/*.ini/*.properties, and JSON, YAML or TOML at the top
// level, where tools look for theirs. Prose, images and ignore lists are
// left out: no tool runs them.
func looksLikeToolConfig(p string) bool {
	k := Key(p)
	base := path.Base(k)
	ext := path.Ext(base)
	if inertExt[ext] || inertNames[base] || strings.HasPrefix(k, ".github/issue_template/") {
		return false
	}
	for _, c := range strings.Split(k, "/") {
		if strings.HasPrefix(c, ".") && c != "." && c != ".." {
			return true
		}
	}
	switch {
	case configExt[ext]:
		return true
	case sourceExt[ext]:
		return false // code (config.go, settings.py) is reviewed as code
	case strings.HasSuffix(base, "rc"), strings.Contains(base, "rc."), strings.Contains(base, ".config."),
		strings.HasPrefix(base, "config."), strings.HasPrefix(base, "settings."):
		return true
	case !strings.Contains(k, "/") && (ext == ".json" || ext == ".jsonc" || ext == ".json5" || ext == ".yml" || ext == ".yaml" || ext == ".toml"):
		return true
	}
	return false
}

// sourceExt are programs' own source files: a name such as config.go is
// the program's code, not a tool's configuration.
var sourceExt = map[string]bool{".go": true, ".py": true, ".rs": true, ".java": true, ".kt": true, ".c": true, ".h": true, ".cc": true,
	".cpp": true, ".hpp": true, ".cs": true, ".rb": true, ".php": true, ".swift": true, ".scala": true, ".ex": true, ".exs": true,
	".hs": true, ".ml": true, ".dart": true, ".lua": true, ".sql": true}

var configExt = map[string]bool{".conf": true, ".cfg": true, ".ini": true, ".properties": true, ".plist": true}

// inertExt are contents no tool runs: text for people, media, data.
var inertExt = map[string]bool{".md": true, ".markdown": true, ".txt": true, ".rst": true, ".adoc": true, ".png": true, ".jpg": true,
	".jpeg": true, ".gif": true, ".svg": true, ".ico": true, ".webp": true, ".pdf": true, ".csv": true}

// inertNames are files whose only effect is which files a tool looks at,
// or how text is laid out.
var inertNames = map[string]bool{".gitignore": true, ".gitkeep": true, ".keep": true, ".dockerignore": true, ".npmignore": true,
	".prettierignore": true, ".eslintignore": true, ".stylelintignore": true, ".editorconfig": true, ".mailmap": true,
	".git-blame-ignore-revs": true, "license": true, ".nojekyll": true, "funding.yml": true}
