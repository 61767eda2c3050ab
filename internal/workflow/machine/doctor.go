package machine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/hooks"
	"github.com/git-airlock/git-airlock/internal/agent"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// Check is one line of `doctor`. Field names are documented JSON output.
type Check struct {
	Name   string `json:"name"`
	Level  string `json:"level"` // OK, WARN, FAIL; MISMATCH from --probe
	Detail string `json:"detail"`
	Hint   string `json:"hint,omitempty"`
	// Seen: the sbx commands behind a probe's MISMATCH.
	Seen []SeenCommand `json:"seen,omitempty"`
}

// Platform facts doctor needs; main fills them in.
type Platform struct {
	OS, Arch string
	KVM      bool // /dev/kvm exists (Linux)
	// Host is the server sbx runs on, when not this machine; Err says why
	// its platform could not be read (ssh failed).
	Host string
	Err  error
}

// HostPlatform reads the facts of this machine.
func HostPlatform() Platform {
	_, err := os.Stat("/dev/kvm")
	return Platform{OS: runtime.GOOS, Arch: runtime.GOARCH, KVM: err == nil}
}

// Doctor checks the machine, sbx and the repository. It fails when any
// check fails.
func (s *Diagnoser) Doctor(ctx context.Context, p Platform, sandbox string) []Check {
	var checks []Check
	add := func(name, level, detail, hint string) {
		checks = append(checks, Check{Name: name, Level: level, Detail: detail, Hint: hint})
	}
	where := ""
	if p.Host != "" {
		where = " on " + p.Host
		if !s.serverChecks(p, add) {
			return checks
		}
	}
	switch {
	case p.OS == "darwin" && p.Arch == "arm64":
		add("platform", "OK", "macOS on Apple silicon"+where, "")
	case p.OS == "darwin":
		add("platform", "FAIL", "macOS on Intel: Docker Sandboxes needs Apple silicon", "")
	case p.OS == "windows":
		add("platform", "WARN", "Windows: local sandboxes need Windows 11 with the Hypervisor Platform", "Enable-WindowsOptionalFeature -Online -FeatureName HypervisorPlatform -All")
	case p.OS == "linux" && p.KVM:
		add("platform", "OK", "Linux with KVM (/dev/kvm)"+where, "")
	case p.OS == "linux":
		add("platform", "WARN", "Linux without /dev/kvm"+where+": microVMs need KVM", "load the kvm module and add yourself to the kvm group: sudo usermod -aG kvm $USER")
	default:
		add("platform", "WARN", p.OS+"/"+p.Arch+" is not a platform Docker Sandboxes supports", "")
	}
	switch v, err := s.GitVersion(ctx); {
	case err != nil:
		add("git", "FAIL", "git not found", "install git")
	case gitTooOld(v):
		add("git", "FAIL", v+": git-airlock needs git 2.26 or newer (config scopes)", "upgrade git")
	default:
		add("git", "OK", v, "")
	}
	caps, err := s.Sbx.Probe(ctx)
	var missing *sbx.MissingError
	switch {
	case errors.As(err, &missing) && missing.Host != "":
		add("sbx", "FAIL", missing.Error(), "install sbx there; a non-interactive ssh session must find it on PATH")
	case errors.As(err, &missing):
		add("sbx", "FAIL", "sbx is not installed or not on PATH", "run 'git airlock setup'")
	case err != nil:
		add("sbx", "FAIL", err.Error(), "reinstall sbx")
	case !caps.Clone || caps.Version.Less(sbx.MinVersion):
		add("sbx", "FAIL", "sbx "+caps.Version.String()+" has no clone mode", "upgrade sbx to "+sbx.MinVersion.String()+" or newer")
	default:
		add("sbx", "OK", "sbx "+caps.Version.String()+" with clone mode", "")
	}
	if err == nil {
		switch perr := s.Sbx.Ping(ctx); {
		case perr == nil:
			add("login", "OK", "sbx daemon reachable and logged in", "")
		case errors.Is(perr, sbx.ErrNotLoggedIn):
			add("login", "FAIL", "not logged in to Docker", "sbx login")
		case errors.Is(perr, sbx.ErrDaemonDown):
			add("login", "FAIL", "the sandbox daemon is not running", s.daemonLogsHint(caps, "sbx daemon start"))
		default:
			add("login", "FAIL", perr.Error(), s.daemonLogsHint(caps, ""))
		}
		s.policyCheck(ctx, caps, add)
		s.credentialCheck(ctx, caps, sandbox, add)
		s.settingsChecks(ctx, caps, add)
		s.envChecks(caps, add)
	}
	if _, err := s.LookPath("tmux"); err != nil {
		add("tmux", "WARN", "tmux not found: --tmux and attach are unavailable", "apt install tmux, or brew install tmux")
	} else {
		add("tmux", "OK", "tmux found", "")
	}
	s.repoChecks(ctx, add)
	return checks
}

// policyCheck shows the default network policy in force, as far as it can
// be known (sbx prints no preset: only the one git-airlock set is known),
// and, when the one git-airlock is asked for may differ, both and the
// command that closes the gap.
func (s *Diagnoser) policyCheck(ctx context.Context, caps sbx.Capabilities, add func(string, string, string, string)) {
	ok, err := s.Sbx.PolicyInitialised(ctx)
	switch {
	case err != nil:
		add("policy", "WARN", "cannot read network policy: "+err.Error(), "")
		return
	case !ok:
		add("policy", "WARN", "no default network policy yet ('git airlock up' sets "+s.Settings.NetworkPolicy()+")", xec.Quote(s.Sbx.PolicyInitCommand(caps, s.Settings.NetworkPolicy())...))
		return
	}
	p := workflow.PolicyOf(s.Settings, s.Sbx.PolicyPreset(), s.Host)
	inForce := p.InForce + " is sbx's default network policy (set by git-airlock)"
	if p.InForce == "" {
		inForce = "sbx has a default network policy, set outside git-airlock (sbx does not print which)"
	}
	if !p.Gap() {
		add("policy", "OK", inForce, "")
		return
	}
	add("policy", "WARN", fmt.Sprintf("%s; git-airlock is asked for %s (%s)", inForce, p.Want, p.From),
		"make it "+p.Want+" (resets sbx's network rules, stops running sandboxes): "+p.Closer(s.Sbx.PolicyInitCommand(caps, p.Want)))
}

func (s *Diagnoser) credentialCheck(ctx context.Context, caps sbx.Capabilities, name string, add func(string, string, string, string)) {
	a := s.Settings.Agent()
	ag, ok := agent.Lookup(a)
	if !ok || ag.Secret == "" {
		return
	}
	hint := "store a key on the host (never in the VM): " + xec.Quote(s.Sbx.SecretSetCommand(caps, ag.Secret)...)
	sec, err := lifecycle.StoredSecret(ctx, s.Sbx, name, ag.Secret)
	switch {
	case err != nil:
		add("credential", "WARN", "cannot list sbx secrets: "+err.Error(), hint)
		return
	case sec != nil:
		add("credential", "OK", fmt.Sprintf("sbx holds a %q secret for %s (%s)", ag.Secret, a, cmp.Or(sec.Scope, "-")), "")
		return
	}
	add("credential", "WARN", fmt.Sprintf("no %q secret in sbx for %s; it must sign in inside the sandbox", ag.Secret, a), hint)
}

func (s *Diagnoser) repoChecks(ctx context.Context, add func(string, string, string, string)) {
	if s.Repo == nil {
		add("repository", "WARN", "not inside a git repository", "cd into the repository you want the agent to work on")
		return
	}
	w, err := s.Repo.Facts()
	if err == nil {
		err = lifecycle.PreflightRepo(w)
	}
	switch {
	case err == nil:
		add("repository", "OK", w.Root, "")
	default:
		add("repository", "FAIL", err.Error(), firstOr(hint.Of(err), ""))
	}
	if !lifecycle.HasInstructions(s.Repo) {
		add("instructions", "WARN", "no AGENTS.md or CLAUDE.md", "git airlock init")
	}
	if f := s.Settings.File; f != config.FileAbsent && f != config.FileTrusted {
		add(".airlock.toml", "WARN", ".airlock.toml is "+s.Settings.File.String()+"; its settings are ignored", "git airlock trust")
	}
	s.hooksCheck(ctx, add)
	if err == nil {
		if conf, ok := workflow.UnimportedSandboxConf(s.Repo, w.Root); ok {
			add("sandbox.conf", "WARN", "code-airlock's sandbox.conf is here; git-airlock does not read it", "git airlock config import "+xec.Quote(conf))
		}
	}
}

// hooksCheck says whether the gate hooks are installed: they are optional,
// and without them a plain git merge of sandbox work is not checked.
func (s *Diagnoser) hooksCheck(ctx context.Context, add func(string, string, string, string)) {
	list, err := s.Hooks.Hooks(ctx)
	if err != nil {
		add("hooks", "WARN", "cannot read the hooks: "+err.Error(), "")
		return
	}
	var off []string
	absent := 0
	for _, h := range list {
		if h.State != hooks.Current.String() {
			off = append(off, h.Name+" "+h.State)
		}
		if h.State == hooks.Absent.String() {
			absent++
		}
	}
	switch {
	case len(off) == 0:
		add("hooks", "OK", "the gate hooks are installed: a plain git merge of sandbox work is checked too", "")
	case absent == len(list):
		add("hooks", "WARN", "no gate hooks: 'git airlock merge' checks sandbox work, a plain git merge does not", "optional, removable with 'git airlock hooks uninstall': git airlock hooks install")
	default:
		add("hooks", "WARN", "gate hooks: "+strings.Join(off, ", "), "git airlock hooks install (--force keeps a hook of yours as <hook>.local)")
	}
}

func firstOr(list []string, def string) string {
	if len(list) > 0 {
		return list[0]
	}
	return def
}

// Failed returns an exit error when any check failed.
func Failed(checks []Check) error {
	for _, c := range checks {
		if c.Level == "FAIL" || c.Level == "MISMATCH" {
			return &hint.ExitError{Code: 1}
		}
	}
	return nil
}

// gitTooOld reports whether `git version` output names a git before 2.26.
func gitTooOld(v string) bool {
	var major, minor int
	if _, err := fmt.Sscanf(strings.TrimPrefix(v, "git version "), "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major < 2 || major == 2 && minor < 26
}
