//go:build unix

package sbxsim

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// settingDef is one of sbx's settings (SET; the upstream proxy page), with
// the DOCKER_SANDBOXES_* variable (without the prefix) that sets it, if
// any: read before an override unless the release lists it in EnvRetired.
type settingDef struct {
	Type, Env string
	Default   any
}

// settingDefs are the settings the simulator knows: the ones git-airlock
// reads and a few whose variables sbx stopped reading.
func settingDefs() map[string]settingDef {
	forwarding := os.Getenv("SBXSIM_SSH_FORWARDING_DEFAULT") != "false"
	return map[string]settingDef{
		"ssh.agentForwardingEnabled": {Type: "bool", Default: forwarding},
		"proxy":                      {Type: "string", Default: ""},
		"proxy.sandbox":              {Type: "string", Env: "PROXY", Default: ""},
		"proxy.daemon":               {Type: "string", Default: ""},
		"clipboard.imagePaste":       {Type: "bool", Env: "CLIPBOARD_IMAGE_PASTE", Default: false},
		"platform.images.useDHI":     {Type: "bool", Env: "USE_DHI", Default: false},
		"ssh.defaultAgent":           {Type: "string", Env: "SSH_DEFAULT_AGENT", Default: ""},
	}
}

// settingRecord is what `settings get KEY --json` prints: "the complete
// setting record, including the source and default" (SET; the field
// names are the simulator's).
type settingRecord struct {
	Key     string `json:"key"`
	Value   any    `json:"value"`
	Type    string `json:"type"`
	Source  string `json:"source"`
	Default any    `json:"default"`
	Env     string `json:"env,omitempty"`
}

// effective is a setting's value and source: a variable the release
// still reads, then an override, then the default.
func (s *sim) effective(key string, def settingDef, overrides map[string]any) settingRecord {
	r := settingRecord{Key: key, Value: def.Default, Type: def.Type, Source: "default", Default: def.Default}
	if def.Env != "" {
		r.Env = "DOCKER_SANDBOXES_" + def.Env
	}
	if v, ok := overrides[key]; ok {
		r.Value, r.Source = v, "override"
	}
	if v, ok := os.LookupEnv(r.Env); ok && r.Env != "" && !slices.Contains(release().EnvRetired, def.Env) {
		r.Value, r.Source = typed(def.Type, v), "envvar"
	}
	return r
}

func typed(typ, v string) any {
	switch typ {
	case "bool":
		b, _ := strconv.ParseBool(v)
		return b
	}
	return v
}

// settings plays `sbx settings get KEY [--json] | list [--json] | set KEY
// VALUE | unset KEY`; overrides live in settings.json.
func (s *sim) settings(args []string) error {
	f, err := parse(args, "--json --no-trunc", "", 0)
	if err != nil {
		return err
	}
	if len(f.pos) == 0 {
		return fail("settings needs a subcommand: get, list, set, unset")
	}
	defs := settingDefs()
	overrides := map[string]any{}
	s.readJSON("settings.json", &overrides)
	sub, rest := f.pos[0], f.pos[1:]
	if sub == "list" {
		keys := make([]string, 0, len(defs))
		for k := range defs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var recs []settingRecord
		for _, k := range keys {
			recs = append(recs, s.effective(k, defs[k], overrides))
		}
		if f.has("--json") && os.Getenv("SBXSIM_SETTINGS_JSON") == "object" {
			type row struct {
				Name      string `json:"name"`
				Effective any    `json:"effective"`
				Source    string `json:"source"`
			}
			var rows []row
			for _, r := range recs {
				rows = append(rows, row{r.Key, r.Value, r.Source})
			}
			return printJSON(map[string]any{"settings": rows})
		}
		if f.has("--json") {
			return printJSON(recs)
		}
		fmt.Printf("%-28s %-8s %-8s %s\n", "KEY", "VALUE", "TYPE", "SOURCE")
		for _, r := range recs {
			fmt.Printf("%-28s %-8v %-8s %s\n", r.Key, r.Value, r.Type, r.Source)
		}
		return nil
	}
	if len(rest) == 0 {
		return fail("settings %s needs a key", sub)
	}
	def, ok := defs[rest[0]]
	if !ok {
		return fail("unknown setting %q", rest[0])
	}
	switch {
	case sub == "get":
		r := s.effective(rest[0], def, overrides)
		if f.has("--json") {
			return printJSON(r)
		}
		fmt.Println(r.Value)
		return nil
	case sub == "set" && len(rest) == 2:
		overrides[rest[0]] = typed(def.Type, rest[1])
	case sub == "unset":
		delete(overrides, rest[0])
	default:
		return fail("usage: sbx settings get|set|unset KEY [VALUE]")
	}
	return s.writeJSON("settings.json", overrides)
}

// daemon plays `sbx daemon status` and, from 0.55, `sbx daemon logs [-n
// N]`, which prints the last lines of $SBXSIM_HOME/daemon.log (a test
// writes it).
func (s *sim) daemon(args []string) error {
	f, err := parse(args, "-f --follow", "-n --tail", 0)
	if err != nil {
		return err
	}
	switch {
	case len(f.pos) == 1 && f.pos[0] == "status":
		fmt.Println("running")
		return nil
	case len(f.pos) == 1 && f.pos[0] == "logs" && release().DaemonLogs:
		n := 100
		if v := f.value("-n", "--tail"); v != "" {
			n, _ = strconv.Atoi(v)
		}
		var lines []string
		if file, err := os.Open(s.path("daemon.log")); err == nil {
			sc := bufio.NewScanner(file)
			for sc.Scan() {
				lines = append(lines, sc.Text())
			}
			file.Close()
		}
		for _, l := range lines[max(len(lines)-n, 0):] {
			fmt.Println(l)
		}
		return nil
	case len(f.pos) > 0:
		return fail("unknown command %q for \"sbx daemon\"", f.pos[0])
	}
	return fail("daemon needs a subcommand")
}

// hostFetch plays the 0.55 verb that fetches host commits into a
// clone-mode sandbox (`sbx sync NAME` here; SBXSIM_HOST_FETCH_VERB names
// it otherwise). It starts the sandbox, as exec does, and fetches the
// host's branches from its workspace into refs/remotes/host/*, or under
// SBXSIM_HOST_FETCH_REFS=branches as the clone's own branches (those it
// lacks), as sbx might.
func (s *sim) hostFetch(args []string) error {
	f, err := parse(args, "", "", 0)
	if err != nil {
		return err
	}
	if len(f.pos) != 1 {
		return fail("requires exactly one sandbox")
	}
	sb, err := s.start(f.pos[0])
	if err != nil {
		return err
	}
	spec := []string{"+refs/heads/*:refs/remotes/host/*"}
	if os.Getenv("SBXSIM_HOST_FETCH_REFS") == "branches" {
		spec = nil
		heads, _ := gitOut(sb.Workspace, "for-each-ref", "--format=%(refname:strip=2)", "refs/heads/")
		for _, b := range strings.Fields(heads) {
			if _, err := gitOut(sb.Clone, "rev-parse", "-q", "--verify", "refs/heads/"+b); err != nil {
				spec = append(spec, "refs/heads/"+b+":refs/heads/"+b)
			}
		}
	}
	if len(spec) > 0 {
		cmd := exec.Command("git", append([]string{"fetch", "-q", sb.Workspace}, spec...)...)
		cmd.Dir, cmd.Env = sb.Clone, vmEnv(sb, nil)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fail("fetch from the host: %s", strings.TrimSpace(string(out)))
		}
	}
	fmt.Fprintf(os.Stderr, "✓ Fetched host commits into %s\n", filepath.Base(sb.Clone))
	return nil
}
