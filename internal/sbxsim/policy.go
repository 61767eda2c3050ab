//go:build unix

package sbxsim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// Rule is one network rule.
type Rule struct {
	ID        string `json:"id"`
	Decision  string `json:"decision"` // allow, deny
	Resources string `json:"resources"`
	Sandbox   string `json:"sandbox,omitempty"`
}

// Policy is the simulator's network policy store ($SBXSIM_HOME/policy.json).
type Policy struct {
	Default string `json:"default"`
	Rules   []Rule `json:"rules"`
}

// LogEntry is one line of `sbx policy log`, seeded by tests in
// $SBXSIM_HOME/policy-log.json.
type LogEntry struct {
	Sandbox  string `json:"sandbox"`
	Host     string `json:"host"`
	Blocked  bool   `json:"blocked"`
	Rule     string `json:"rule"`
	Reason   string `json:"reason"`
	Count    int    `json:"count"`
	LastSeen string `json:"last_seen"`
}

// newDialect: sbx from 0.32 has `policy init` and `secret set --sandbox`;
// 0.31 spoke `policy set-default` and `secret set -g` (see Releases).
func newDialect() bool { return release().SecretSandboxFlag }

func (s *sim) policy(args []string) error {
	if len(args) == 0 {
		return fail("policy needs a subcommand")
	}
	var p Policy
	s.readJSON("policy.json", &p)
	save := func() error { return s.writeJSON("policy.json", p) }
	sub, rest := args[0], args[1:]
	switch {
	case sub == "init" && newDialect(), sub == "set-default" && !newDialect():
		if len(rest) != 1 || !validPreset(rest[0]) {
			return fail("requires one of allow-all, balanced, deny-all")
		}
		if sub == "init" && p.Default != "" {
			return fail("network policy already initialized (%s); run 'sbx policy reset' to start over", p.Default)
		}
		p.Default = rest[0]
		fmt.Fprintf(os.Stderr, "✓ Default network policy set to %s\n", rest[0])
		return save()
	case sub == "allow" || sub == "deny":
		f, err := parse(rest, "", "--sandbox --protocol --method --path -g", 0)
		if err != nil {
			return err
		}
		if len(f.pos) != 2 || f.pos[0] != "network" {
			return fail("usage: sbx policy %s network [--sandbox NAME] RESOURCES", sub)
		}
		if p.Default == "" {
			return fail("network policy has not been initialized; run 'sbx policy init <preset>' first")
		}
		for _, r := range strings.Split(f.pos[1], ",") {
			if r == "*" || r == "" {
				return fail("invalid resource %q: a bare '*' is not allowed; use \"**\" to match everything", r)
			}
		}
		id := fmt.Sprintf("%08x", len(p.Rules)+1)
		p.Rules = append(p.Rules, Rule{ID: id, Decision: sub, Resources: f.pos[1], Sandbox: f.value("--sandbox")})
		fmt.Fprintf(os.Stderr, "✓ Added %s rule for %s\n", sub, f.pos[1])
		return save()
	case sub == "rm":
		f, err := parse(rest, "", "--sandbox --resource --id --method --path", 0)
		if err != nil {
			return err
		}
		kept := p.Rules[:0]
		for _, r := range p.Rules {
			if (f.value("--id") != "" && r.ID == f.value("--id")) ||
				(f.value("--resource") != "" && r.Resources == f.value("--resource") && r.Sandbox == f.value("--sandbox")) {
				continue
			}
			kept = append(kept, r)
		}
		p.Rules = kept
		return save()
	case sub == "ls":
		if p.Default == "" {
			return fail("network policy has not been initialized; run 'sbx policy init <preset>'")
		}
		fmt.Printf("%-8s %-8s %-20s %s\n", "POLICY", "SOURCE", "APPLIES TO", "SUMMARY")
		fmt.Printf("%-8s %-8s %-20s %s\n", "default", "local", "all", p.Default)
		for _, r := range p.Rules {
			applies := "all"
			if r.Sandbox != "" {
				applies = "sandbox:" + r.Sandbox
			}
			fmt.Printf("%-8s %-8s %-20s %s\n", r.Decision, "local", applies, r.Resources)
		}
		return nil
	case sub == "log":
		f, err := parse(rest, "--json", "--format --limit --type", 0)
		if err != nil {
			return err
		}
		var entries []LogEntry
		s.readJSON("policy-log.json", &entries)
		var shown []LogEntry
		for _, e := range entries {
			if len(f.pos) == 0 || f.pos[0] == e.Sandbox {
				shown = append(shown, e)
			}
		}
		if f.has("--json") {
			if shown == nil {
				shown = []LogEntry{}
			}
			return printJSON(shown)
		}
		for _, blocked := range []bool{true, false} {
			if blocked {
				fmt.Println("Blocked requests:")
			} else {
				fmt.Println("\nAllowed requests:")
			}
			fmt.Printf("%-20s %-8s %-28s %-8s %-12s %-20s %-20s %s\n", "SANDBOX", "TYPE", "HOST", "PROXY", "RULE", "REASON", "LAST SEEN", "COUNT")
			for _, e := range shown {
				if e.Blocked == blocked {
					fmt.Printf("%-20s %-8s %-28s %-8s %-12s %-20s %-20s %d\n", e.Sandbox, "network", e.Host, "forward", e.Rule, e.Reason, e.LastSeen, e.Count)
				}
			}
		}
		return nil
	case sub == "check":
		f, err := parse(rest, "", "--sandbox --protocol", 0)
		if err != nil {
			return err
		}
		if len(f.pos) != 2 || f.pos[0] != "network" {
			return fail("usage: sbx policy check network [--sandbox NAME] TARGET")
		}
		if p.allows(f.value("--sandbox"), f.pos[1]) || s.kitAllows(f.value("--sandbox"), f.pos[1]) {
			fmt.Println("Allowed:", f.pos[1])
		} else {
			fmt.Println("Denied:", f.pos[1])
		}
		return nil
	case sub == "reset":
		f, err := parse(rest, "-f --force", "", 0)
		if err != nil {
			return err
		}
		if !f.has("-f", "--force") {
			if err := s.asks(f, "resetting the policy store", "Delete every local rule and stop running sandboxes?", "sbx policy reset --force"); err != nil {
				return err
			}
		}
		StopAll(s.home)
		p = Policy{}
		fmt.Fprintln(os.Stderr, "✓ Policy store reset; running sandboxes were stopped")
		return save()
	}
	return fail("unknown policy subcommand %q", sub)
}

// kitHosts are the model APIs the built-in agent kits allow, whatever the
// policy (H47 `policy init` help: kit rules still apply under deny-all).
var kitHosts = map[string][]string{
	"claude": {"api.anthropic.com"}, "codex": {"api.openai.com", "chatgpt.com"},
	"gemini": {"generativelanguage.googleapis.com"}, "copilot": {"api.githubcopilot.com"},
	"cursor": {"api2.cursor.sh"}, "opencode": {"api.anthropic.com", "api.openai.com"},
}

// kitAllows: from 0.45, a sandbox's agent kit allows its model API.
func (s *sim) kitAllows(sandbox, host string) bool {
	if !release().KitAllows || sandbox == "" {
		return false
	}
	agent := ""
	_ = s.locked(func(st *state) error {
		if sb, ok := st.Sandboxes[sandbox]; ok {
			agent = sb.Agent
		}
		return nil
	})
	host = strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://")
	host, _, _ = strings.Cut(host, "/")
	for _, h := range kitHosts[agent] {
		if h == host {
			return true
		}
	}
	return false
}

func validPreset(p string) bool { return p == "allow-all" || p == "balanced" || p == "deny-all" }

// balancedHosts is a small stand-in for sbx's balanced baseline.
var balancedHosts = []string{"api.anthropic.com", "api.openai.com", "github.com", "*.github.com", "registry.npmjs.org"}

func (p Policy) allows(sandbox, host string) bool {
	host = strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://")
	host, _, _ = strings.Cut(host, "/")
	match := func(resources string) bool {
		for _, r := range strings.Split(resources, ",") {
			if r == "**" {
				return true
			}
			if ok, _ := path.Match(strings.ReplaceAll(r, "**.", "*."), host); ok {
				return true
			}
		}
		return false
	}
	for _, r := range p.Rules {
		if r.Decision == "deny" && (r.Sandbox == "" || r.Sandbox == sandbox) && match(r.Resources) {
			return false
		}
	}
	for _, r := range p.Rules {
		if r.Decision == "allow" && (r.Sandbox == "" || r.Sandbox == sandbox) && match(r.Resources) {
			return true
		}
	}
	switch p.Default {
	case "allow-all":
		return true
	case "balanced":
		return match(strings.Join(balancedHosts, ","))
	}
	return false
}

// Secret is a stored credential. The simulator keeps only a hash of the
// value, so that tests can prove what was stored without it lying around.
type Secret struct {
	Service string `json:"service"`
	Scope   string `json:"scope"` // "global" or "sandbox:<name>"
	SHA256  string `json:"sha256"`
	Set     string `json:"set"`
}

func (s *sim) secret(args []string) error {
	if len(args) == 0 {
		return fail("secret needs a subcommand")
	}
	var secrets []Secret
	s.readJSON("secrets.json", &secrets)
	sub, rest := args[0], args[1:]
	switch sub {
	case "set":
		bools, values := "-f --force --oauth --no-verify --show-error", "--sandbox -t --token --ref --command --refresh"
		if !newDialect() {
			bools, values = "-g --global -f --force --oauth", "-t --token"
		}
		f, err := parse(rest, bools, values, 0)
		if err != nil {
			return err
		}
		scope, service := "global", ""
		if newDialect() {
			if sb := f.value("--sandbox"); sb != "" {
				scope = "sandbox:" + sb
			}
			if len(f.pos) > 0 {
				service = f.pos[0]
			}
		} else {
			switch {
			case f.has("-g", "--global") && len(f.pos) == 1:
				service = f.pos[0]
			case len(f.pos) == 2:
				scope, service = "sandbox:"+f.pos[0], f.pos[1]
			default:
				return fail("usage: sbx secret set [-g | SANDBOX] SERVICE")
			}
		}
		if service == "" {
			return fail("service required when not on a terminal")
		}
		value := f.value("-t", "--token")
		if value == "" {
			b, _ := io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
			value = strings.TrimRight(string(b), "\r\n")
		}
		if value == "" {
			return fail("no secret value given on stdin")
		}
		sum := sha256.Sum256([]byte(value))
		kept := secrets[:0]
		for _, sc := range secrets {
			if sc.Service != service || sc.Scope != scope {
				kept = append(kept, sc)
			}
		}
		secrets = append(kept, Secret{Service: service, Scope: scope, SHA256: hex.EncodeToString(sum[:]), Set: time.Now().UTC().Format(time.RFC3339)})
		fmt.Fprintf(os.Stderr, "✓ Secret for %s stored (%s)\n", service, scope)
		return s.writeJSON("secrets.json", secrets)
	case "ls":
		bools := "-q -g --global"
		if release().SecretJSON != "" {
			bools += " --json"
		}
		f, err := parse(rest, bools, "--sandbox --service --format", 0)
		if err != nil {
			return err
		}
		sort.Slice(secrets, func(i, j int) bool { return secrets[i].Service < secrets[j].Service })
		var shown []map[string]string
		for _, sc := range secrets {
			if (f.value("--service") == "" || sc.Service == f.value("--service")) &&
				(f.value("--sandbox") == "" || sc.Scope == "sandbox:"+f.value("--sandbox")) {
				shown = append(shown, map[string]string{"service": sc.Service, "scope": sc.Scope})
			}
		}
		if f.has("--json") {
			return printSecrets(shown)
		}
		fmt.Printf("%-16s %s\n", "SERVICE", "SCOPE")
		for _, sc := range shown {
			fmt.Printf("%-16s %s\n", sc["service"], sc["scope"])
		}
		return nil
	}
	return fail("unknown secret subcommand %q", sub)
}

// help prints enough of each verb's help for capability probing.
func help(args []string) error {
	verb := args[0]
	switch verb {
	case "create":
		fmt.Println("Usage: sbx create AGENT|SANDBOX_KIT [PATH...] [flags]\n\nFlags:")
		if release().Clone {
			fmt.Println("      --clone          Run the agent on a private in-container clone of the host Git repository")
		} else {
			fmt.Println("      --branch string  Create a Git worktree on the given branch")
		}
		fmt.Println("      --name string    Name for the sandbox")
	case "run":
		fmt.Println("Usage: sbx run [flags] [AGENT|SANDBOX_KIT] [PATH...] [-- AGENT_ARGS...]\n\nFlags:")
		fmt.Printf("  -d, %-16s Start the sandbox and print its ID without opening an agent session\n", release().DetachFlag)
		if release().RunRm {
			fmt.Println("      --rm               Remove the sandbox when the agent exits")
		}
	case "policy":
		fmt.Println("Manage network policies\n\nAvailable Commands:")
		if newDialect() {
			fmt.Println("  init        Initialize the default network policy")
		} else {
			fmt.Println("  set-default Set the default network policy")
		}
		fmt.Println("  allow       Allow access\n  deny        Deny access\n  ls          List policies\n  log         Show the network log")
	case "secret":
		fmt.Println("Usage: sbx secret set [SERVICE] [flags]\n\nFlags:")
		if newDialect() {
			fmt.Println("      --sandbox string   Scope the secret to one sandbox")
		} else {
			fmt.Println("  -g, --global           Store a global secret")
		}
	default:
		fmt.Printf("Usage: sbx %s [flags]\n", verb)
	}
	return nil
}

// printSecrets prints `secret ls --json` in the release's shape: from 0.42
// {"secrets":[{"scope","type","name"}],"custom_secrets":[]}, the scope
// `global` or the bare sandbox name.
func printSecrets(shown []map[string]string) error {
	type row struct {
		Scope string `json:"scope"`
		Type  string `json:"type"`
		Name  string `json:"name"`
	}
	rows := []row{}
	for _, sc := range shown {
		rows = append(rows, row{Scope: strings.TrimPrefix(sc["scope"], "sandbox:"), Type: "api-key", Name: sc["service"]})
	}
	return printJSON(map[string]any{"secrets": rows, "custom_secrets": []any{}})
}
