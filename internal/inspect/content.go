package inspect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/BurntSushi/toml"
	"github.com/tailscale/hujson"

	"github.com/git-airlock/git-airlock/internal/quote"
)

// contentCheckFor picks the content check of a file by its folded path,
// its folded base name and the path rule it fell under; nil when its
// content does not change what it does.
func contentCheckFor(key, base string, rule Rule) func(old, new []byte) []Finding {
	switch {
	case base == "package.json":
		return packageScripts
	case base == "composer.json":
		return composerScripts
	case lockfiles[base]:
		return lockfileCheck(base)
	case base == "pyproject.toml":
		return pyprojectBuild
	case base == "cargo.toml":
		return cargoBuild
	case matchFolded("**/.vscode/settings.json", key) || matchFolded("**/.zed/settings.json", key):
		return editorSettings
	}
	switch rule.ID {
	case "mise":
		return miseHooks
	case "dotenv":
		return envLoadsCode
	case "gradle-wrapper":
		return gradleDistribution
	case "tool-versions":
		return toolVersionPaths
	case "agent-instructions", "agent-config":
		return hiddenInstructions
	}
	return nil
}

// parseJSONC reads JSON with comments and trailing commas, as VS Code and
// Zed read their settings (hujson's JWCC is that dialect).
func parseJSONC(b []byte) (any, error) {
	v, err := hujson.Parse(bytes.TrimPrefix(b, utf8BOM))
	if err != nil {
		return nil, err
	}
	v.Standardize()
	var out any
	if err := json.Unmarshal(v.Pack(), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// flatten lists every leaf of a decoded JSON or TOML value by its dotted
// key path, with the leaf as compact JSON.
func flatten(prefix string, v any, out map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, x, out)
		}
	default:
		b, _ := json.Marshal(t)
		out[prefix] = string(b)
	}
}

// execWords are the parts of a setting's name that mark a setting whose
// value is a program, its arguments, its environment or where to find it
// (VS Code's Workspace Trust restricts such settings for that reason).
var execWords = []string{"path", "executable", "exe", "command", "cmd", "interpreter", "shell", "runtime", "args", "env",
	"binary", "program", "server", "tool", "home", "root", "sdk", "jdk", "wrapper", "launcher", "profiles", "script", "packagemanager", "plugin"}

func execSetting(key string) bool {
	k := strings.ToLower(key)
	for _, w := range execWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// editorSettings reports settings that name a program the editor starts,
// read as the editor reads the file (JSON with comments, any nesting,
// escapes decoded), compared key by key with the old file.
func editorSettings(old, new []byte) []Finding {
	n, err := parseJSONC(new)
	if err != nil {
		return []Finding{{Severity: High, Rule: "manifest-unparsable", Family: "editor",
			Why: "the settings do not parse as JSON with comments (" + quote.Text(err.Error()) + "), so the programs they name cannot be checked"}}
	}
	o, _ := parseJSONC(old)
	before, after := map[string]string{}, map[string]string{}
	flatten("", o, before)
	flatten("", n, after)
	var keys []string
	for k, v := range after {
		if execSetting(k) && before[k] != v {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	return []Finding{{Severity: High, Rule: "editor-exec-setting", Family: "editor",
		Why: fmt.Sprintf("sets %s: the editor starts the program it names when you open the folder", strings.Join(quotedAll(keys), ", "))}}
}

// miseHooks: mise runs [hooks] on cd, sources the scripts [env] names
// (_.source, _.file) and puts _.path first on PATH, and its templates can
// run commands (exec()), all when you enter the directory.
func miseHooks(old, new []byte) []Finding {
	var o, n map[string]any
	_, _ = toml.Decode(string(old), &o)
	if _, err := toml.Decode(string(new), &n); err != nil {
		return nil // mise refuses to load it as well; the path rule reports the change
	}
	var why []string
	for _, key := range [][]string{{"hooks"}, {"env", "_"}, {"env", "_.source"}, {"env", "_.file"}, {"env", "_.path"}} {
		if !jsonEqual(lookupAll(o, key), lookupAll(n, key)) {
			why = append(why, "["+strings.Join(key, ".")+"]")
		}
	}
	if bytes.Contains(new, []byte("exec(")) && !bytes.Contains(old, []byte("exec(")) {
		why = append(why, "a template calling exec()")
	}
	if len(why) == 0 {
		return nil
	}
	return []Finding{{Severity: High, Rule: "mise-hook", Family: "env",
		Why: "changes " + strings.Join(why, ", ") + ": mise runs it when you enter the directory"}}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// codeLoadingEnv are environment variables that make a program load or run
// other code: set in an env file a tool loads, they run the agent's code.
var codeLoadingEnv = map[string]bool{"NODE_OPTIONS": true, "NODE_PATH": true, "LD_PRELOAD": true, "LD_LIBRARY_PATH": true,
	"DYLD_INSERT_LIBRARIES": true, "DYLD_LIBRARY_PATH": true, "BASH_ENV": true, "ENV": true, "ZDOTDIR": true, "PROMPT_COMMAND": true,
	"PYTHONSTARTUP": true, "PYTHONPATH": true, "PYTHONHOME": true, "PERL5OPT": true, "PERL5LIB": true, "RUBYOPT": true, "RUBYLIB": true,
	"JAVA_TOOL_OPTIONS": true, "_JAVA_OPTIONS": true, "JDK_JAVA_OPTIONS": true, "GIT_SSH_COMMAND": true, "GIT_SSH": true, "GIT_EXEC_PATH": true,
	"GIT_CONFIG_GLOBAL": true, "GIT_CONFIG_SYSTEM": true, "EDITOR": true, "VISUAL": true, "PAGER": true, "PATH": true, "SHELL": true}

// envLoadsCode reads an env file as dotenv does (KEY=VALUE, optional
// export) and reports variables that load code.
func envLoadsCode(old, new []byte) []Finding {
	o, n := envKeys(old), envKeys(new)
	var keys []string
	for k, v := range n {
		if codeLoadingEnv[strings.ToUpper(k)] && o[k] != v {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	return []Finding{{Severity: High, Rule: "env-loads-code", Family: "env",
		Why: fmt.Sprintf("sets %s, which makes the programs that load this file run other code", strings.Join(quotedAll(keys), ", "))}}
}

func envKeys(b []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, maxContent)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		line = strings.TrimSpace(strings.TrimPrefix(line, "export "))
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(k, "#") {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// hiddenInstructions: text an agent reads but a reviewer does not see —
// Unicode tag characters, zero-width and direction-changing characters,
// and HTML comments, which Markdown viewers hide.
func hiddenInstructions(old, new []byte) []Finding {
	o, n := hiddenText(old), hiddenText(new)
	var why []string
	for _, k := range []string{"invisible characters", "direction-changing characters", "Unicode tag characters", "HTML comments"} {
		if n[k] > o[k] {
			why = append(why, fmt.Sprintf("%d %s", n[k]-o[k], k))
		}
	}
	if len(why) == 0 {
		return nil
	}
	return []Finding{{Severity: High, Rule: "instruction-hidden", Family: "agent",
		Why: "adds " + strings.Join(why, ", ") + ": text the next agent session reads and a rendered review does not show"}}
}

func hiddenText(b []byte) map[string]int {
	m := map[string]int{"HTML comments": bytes.Count(b, []byte("<!--"))}
	for i, r := range string(b) {
		switch {
		case r >= 0xe0000 && r <= 0xe007f:
			m["Unicode tag characters"]++
		case r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c:
			m["direction-changing characters"]++
		case r == 0xfeff && i == 0:
		case unicode.Is(unicode.Cf, r) || r == 0x115f || r == 0x1160 || r == 0x3164 || r == 0xffa0:
			m["invisible characters"]++
		}
	}
	return m
}

// composerEvents are the script names Composer runs on its own during
// install, update and autoload dumps (getcomposer.org/doc/articles/scripts.md).
var composerEvents = map[string]bool{"pre-install-cmd": true, "post-install-cmd": true, "pre-update-cmd": true, "post-update-cmd": true,
	"pre-status-cmd": true, "post-status-cmd": true, "pre-archive-cmd": true, "post-archive-cmd": true, "pre-autoload-dump": true,
	"post-autoload-dump": true, "post-root-package-install": true, "post-create-project-cmd": true, "pre-operations-exec": true,
	"pre-package-install": true, "post-package-install": true, "pre-package-update": true, "post-package-update": true,
	"pre-package-uninstall": true, "post-package-uninstall": true, "pre-pool-create": true, "pre-file-download": true,
	"post-file-download": true, "pre-command-run": true, "init": true}

type composerManifest struct {
	Scripts map[string]json.RawMessage `json:"scripts"`
	Config  struct {
		AllowPlugins json.RawMessage `json:"allow-plugins"`
	} `json:"config"`
	Repositories json.RawMessage `json:"repositories"`
}

func composerScripts(old, new []byte) []Finding {
	var o, n composerManifest
	_ = json.Unmarshal(old, &o)
	if err := json.Unmarshal(new, &n); err != nil {
		return []Finding{{Severity: High, Rule: "manifest-unparsable", Family: "build",
			Why: "composer.json does not parse here (" + quote.Text(err.Error()) + "), so the scripts Composer would run cannot be checked"}}
	}
	var out []Finding
	var events, others []string
	for k, v := range n.Scripts {
		if bytes.Equal(o.Scripts[k], v) {
			continue
		}
		if composerEvents[k] {
			events = append(events, k)
		} else {
			others = append(others, k)
		}
	}
	if len(events) > 0 {
		sort.Strings(events)
		out = append(out, Finding{Severity: High, Rule: "install-script", Family: "build",
			Why: fmt.Sprintf("sets %s, which Composer runs on install, update or autoload", strings.Join(quotedAll(events), ", "))})
	}
	if !bytes.Equal(o.Config.AllowPlugins, n.Config.AllowPlugins) && len(n.Config.AllowPlugins) > 0 {
		out = append(out, Finding{Severity: High, Rule: "install-script", Family: "build",
			Why: "changes config.allow-plugins: Composer runs the plugins it allows on every install"})
	}
	out = append(out, otherScripts(others, "composer run")...)
	if !bytes.Equal(o.Repositories, n.Repositories) && len(n.Repositories) > 0 {
		out = append(out, Finding{Severity: Medium, Rule: "dependency-source", Family: "build",
			Why: "changes the repositories Composer installs packages from"})
	}
	return out
}

// otherScripts reports scripts that run only when asked for by name.
func otherScripts(names []string, how string) []Finding {
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	return []Finding{{Severity: Medium, Rule: "package-script", Family: "build",
		Why: fmt.Sprintf("changes %s, which runs when you (or a tool) call it with %s", strings.Join(quotedAll(names), ", "), how)}}
}

// pdmHook: PDM runs scripts named pre_* and post_* around its own
// commands (pre_install, post_lock, …) without being asked.
var pdmHook = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(pre|post)_[a-z_]+$`) })

// pdmHooks returns the hook scripts of [tool.pdm.scripts].
func pdmHooks(m map[string]any) map[string]any {
	out := map[string]any{}
	for _, v := range lookupAll(m, []string{"tool", "pdm", "scripts"}) {
		if scripts, ok := v.(map[string]any); ok {
			for k, s := range scripts {
				if pdmHook().MatchString(k) {
					out[k] = s
				}
			}
		}
	}
	return out
}

// gradleDistribution: the wrapper runs the Gradle distribution at
// distributionUrl; Gradle's own releases come from services.gradle.org,
// anything else (or dropping the checksum that pins it) runs someone
// else's build tool.
func gradleDistribution(old, new []byte) []Finding {
	o, n := javaProperties(old), javaProperties(new)
	u, err := url.Parse(n["distributionUrl"])
	var why string
	switch {
	case n["distributionUrl"] == "":
		return nil // the wrapper has nothing to run
	case err != nil || u.Host == "":
		why = "names a distribution it cannot read: " + quote.Quoted(n["distributionUrl"])
	case !strings.EqualFold(u.Hostname(), "services.gradle.org"):
		why = "downloads Gradle from " + quote.Quoted(u.Host) + ", not services.gradle.org"
	case o["distributionSha256Sum"] != "" && n["distributionSha256Sum"] == "":
		why = "drops distributionSha256Sum, the checksum that pins the distribution"
	default:
		return nil
	}
	return []Finding{{Severity: High, Rule: "gradle-distribution", Family: "build",
		Why: why + ": the IDE's Gradle import and ./gradlew run it"}}
}

// javaProperties reads key=value lines as java.util.Properties does
// for the wrapper's simple files ("\:" is ':').
func javaProperties(b []byte) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			k, v, _ = strings.Cut(line, ":")
		}
		out[strings.TrimSpace(k)] = strings.ReplaceAll(strings.TrimSpace(v), "\\", "")
	}
	return out
}

// toolVersionPaths: a "path:" version in .tool-versions makes the asdf and
// mise shims run the program at that path (in the repository, when
// relative) whenever you call the tool.
func toolVersionPaths(old, new []byte) []Finding {
	had := map[string]bool{}
	for _, l := range strings.Split(string(old), "\n") {
		had[strings.Join(strings.Fields(l), " ")] = true
	}
	var tools []string
	for _, l := range strings.Split(string(new), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") || had[strings.Join(f, " ")] {
			continue
		}
		for _, v := range f[1:] {
			if strings.HasPrefix(v, "path:") {
				tools = append(tools, f[0]+" "+v)
			}
		}
	}
	if len(tools) == 0 {
		return nil
	}
	return []Finding{{Severity: High, Rule: "tool-version-path", Family: "env",
		Why: fmt.Sprintf("sets %s: the shims run the program at that path whenever you call the tool", strings.Join(quotedAll(tools), ", "))}}
}
