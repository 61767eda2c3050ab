package machine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/sbx"
)

var ctx = context.Background()

func TestAllowRefusesBeforeWritingAnything(t *testing.T) {
	for _, tc := range []struct {
		name     string
		hosts    []string
		wantErr  string
		wantHint string
	}{
		{name: "everything without the flag", hosts: []string{"**"},
			wantErr: `"**" would let the sandbox reach every host`, wantHint: "if you mean it, add --everything"},
		{name: "everything among others", hosts: []string{"api.example.com", "**"},
			wantErr: `"**" would let the sandbox reach every host`, wantHint: "if you mean it, add --everything"},
		{name: "bare star", hosts: []string{"*"}, wantHint: "give host names or patterns such as api.example.com, *.example.com or **.example.com"},
		{name: "a flag for sbx", hosts: []string{"--all"}, wantHint: "give host names or patterns such as api.example.com, *.example.com or **.example.com"},
		{name: "a valid host then a space", hosts: []string{"ok.example.com", "a b"}, wantHint: "give host names or patterns such as api.example.com, *.example.com or **.example.com"},
		{name: "a comma smuggling two", hosts: []string{"a.example.com,b.example.com"}, wantHint: "give host names or patterns such as api.example.com, *.example.com or **.example.com"},
		{name: "a quote", hosts: []string{`a".example.com`}, wantHint: "give host names or patterns such as api.example.com, *.example.com or **.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, config.Inputs{}, sandboxBox)
			err := w.warden.Allow(ctx, AllowRequest{Name: "box", Hosts: tc.hosts})
			if err == nil || tc.wantErr != "" && err.Error() != tc.wantErr {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if h := hint.Of(err); len(h) != 1 || h[0] != tc.wantHint {
				t.Errorf("hints %q, want %q", h, tc.wantHint)
			}
			if len(*w.log) != 0 {
				t.Errorf("a refused allow ran %q", *w.log)
			}
		})
	}
}

func TestAllowWritesGitConfig(t *testing.T) {
	adds := func(hosts ...string) []string {
		var out []string
		for _, h := range hosts {
			out = append(out, "git config add airlock.allow "+h)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		in    config.Inputs
		hosts []string
		want  []string
		info  string
	}{
		{name: "defaults are carried over", hosts: []string{"api.example.com"},
			want: adds(append(slices.Clone(config.DefaultAllow), "api.example.com")...), info: "added to airlock.allow: api.example.com"},
		{name: "a git config list is added to", in: config.Inputs{Git: []gitx.ConfigEntry{{Key: "airlock.allow", Value: "a.example.com", Scope: "global"}}},
			hosts: []string{"b.example.com"}, want: adds("b.example.com"), info: "added to airlock.allow: b.example.com"},
		{name: "a trusted file's list is carried over", in: trustedFile(`allow = ["a.example.com", "*.cdn.example.com"]`),
			hosts: []string{"b.example.com"}, want: adds("a.example.com", "*.cdn.example.com", "b.example.com")},
		{name: "an untrusted file's list is not", in: config.Inputs{File: config.FileInput{Content: []byte(`allow = ["evil.example.net"]`)},
			Git: []gitx.ConfigEntry{{Key: "airlock.allow", Value: "a.example.com"}}},
			hosts: []string{"b.example.com"}, want: adds("b.example.com")},
		{name: "duplicates once", in: config.Inputs{Git: []gitx.ConfigEntry{{Key: "airlock.allow", Value: "a.example.com"}}},
			hosts: []string{"b.example.com", "a.example.com", "b.example.com"}, want: adds("b.example.com"), info: "added to airlock.allow: b.example.com"},
		{name: "already allowed", hosts: []string{"github.com"}, info: "already allowed: github.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.in, nil)
			if err := w.warden.Allow(ctx, AllowRequest{Name: "box", Hosts: tc.hosts}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(*w.log, tc.want) {
				t.Errorf("calls\n%q\nwant\n%q", *w.log, tc.want)
			}
			if tc.info != "" && (len(w.ui.Infos) == 0 || w.ui.Infos[0] != tc.info) {
				t.Errorf("infos %q, want %q", w.ui.Infos, tc.info)
			}
			// Not registered: nothing asked of sbx, a hint for later.
			if w.log.has("sbx") || len(w.ui.Hints) != 1 || !strings.Contains(w.ui.Hints[0], "lockdown") {
				t.Errorf("calls %q, hints %q", *w.log, w.ui.Hints)
			}
		})
	}
}

func trustedFile(content string) config.Inputs {
	return config.Inputs{File: config.FileInput{Content: []byte(content), TrustedHash: config.Hash([]byte(content))}}
}

func TestAllowAppliesToARegisteredSandbox(t *testing.T) {
	w := newWorld(t, config.Inputs{Git: []gitx.ConfigEntry{{Key: "airlock.allow", Value: "a.example.com"}}}, sandboxBox)
	if err := w.warden.Allow(ctx, AllowRequest{Name: "box", Hosts: []string{"b.example.com", "a.example.com"}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"git config add airlock.allow b.example.com", "sbx policy allow box b.example.com,a.example.com"}
	if !slices.Equal(*w.log, want) {
		t.Errorf("calls %q, want %q", *w.log, want)
	}
	if got := w.ui.Infos[len(w.ui.Infos)-1]; got != `sandbox "box" may now reach b.example.com, a.example.com` {
		t.Errorf("info %q", got)
	}

	// Another sandbox's name only records the setting.
	w = newWorld(t, config.Inputs{}, sandboxBox)
	if err := w.warden.Allow(ctx, AllowRequest{Name: "other", Hosts: []string{"github.com"}}); err != nil || w.log.has("sbx") {
		t.Errorf("error %v, calls %q", err, *w.log)
	}
}

func TestAllowEverythingWithTheFlagReachesTheSandbox(t *testing.T) {
	w := newWorld(t, config.Inputs{Git: []gitx.ConfigEntry{{Key: "airlock.allow", Value: "a.example.com"}}}, sandboxBox)
	if err := w.warden.Allow(ctx, AllowRequest{Name: "box", Hosts: []string{"**"}, Everything: true}); err != nil {
		t.Fatal(err)
	}
	if !w.log.has("sbx policy allow box **") {
		t.Errorf("calls %q", *w.log)
	}
	// "**" is never recorded: as a setting it is refused, and every later
	// command would fail to load the settings.
	if w.log.has("git config add airlock.allow **") {
		t.Errorf("** written to git config: %q", *w.log)
	}
	w = newWorld(t, config.Inputs{}, sandboxBox)
	if err := w.warden.Allow(ctx, AllowRequest{Name: "box", Hosts: []string{"**", "x.example.com"}, Everything: true}); err != nil {
		t.Fatal(err)
	}
	for _, c := range *w.log {
		if strings.HasPrefix(c, "git config add airlock.allow **") {
			t.Errorf("** written to git config: %q", *w.log)
		}
	}
	if !w.log.has("git config add airlock.allow x.example.com") {
		t.Errorf("the other host was not recorded: %q", *w.log)
	}
	// Without a registered sandbox there is nothing to apply it to.
	w = newWorld(t, config.Inputs{}, nil)
	err := w.warden.Allow(ctx, AllowRequest{Name: "box", Hosts: []string{"**"}, Everything: true})
	if err == nil || len(hint.Of(err)) == 0 || len(*w.log) != 0 {
		t.Errorf("error %v, calls %q", err, *w.log)
	}
}

func TestAllowSbxFailureCarriesTheNextStep(t *testing.T) {
	w := newWorld(t, config.Inputs{}, sandboxBox)
	w.sbx.allowErr = fmt.Errorf("allow: %w", sbx.ErrDaemonDown)
	err := w.warden.Allow(ctx, AllowRequest{Name: "box", Hosts: []string{"github.com"}})
	if !errors.Is(err, sbx.ErrDaemonDown) || len(hint.Of(err)) != 1 || !strings.Contains(hint.Of(err)[0], "sbx daemon start") {
		t.Errorf("error %v, hints %q", err, hint.Of(err))
	}
	if err := (&Warden{Common: &Common{}}).Allow(ctx, AllowRequest{Name: "box"}); !errors.Is(err, workflow.ErrNotRepository) {
		t.Errorf("outside a repository: %v", err)
	}
}

func TestLockdown(t *testing.T) {
	allowDefaults := "sbx policy allow box " + strings.Join(config.DefaultAllow, ",")
	for _, tc := range []struct {
		name  string
		caps  sbx.Capabilities
		inits []error
		// initialised: sbx has a default policy (read before any change)
		initialised bool
		reset       bool // --reset
		answer      bool // the terminal's answer
		resetErr    error
		want        []string
		wantAsked   bool
		wantErr     string
	}{
		{name: "old CLI overwrites", caps: oldCaps,
			want: []string{"sbx probe", "sbx policy set-default deny-all", "git config set airlock.networkPolicy deny-all", allowDefaults}},
		{name: "old CLI failure is not a reset", caps: oldCaps, inits: []error{sbx.ErrPolicyAlreadyInitialised},
			want: []string{"sbx probe", "sbx policy set-default deny-all"}, wantErr: sbx.ErrPolicyAlreadyInitialised.Error()},
		{name: "new CLI, first time", caps: newCaps,
			want: []string{"sbx probe", "sbx policy init deny-all", "git config set airlock.networkPolicy deny-all", allowDefaults}},
		{name: "new CLI, --reset", caps: newCaps, initialised: true, reset: true,
			want: []string{"sbx probe", "sbx policy reset", "sbx policy init deny-all",
				"git config set airlock.networkPolicy deny-all", allowDefaults}},
		{name: "new CLI, reset confirmed", caps: newCaps, initialised: true, answer: true, wantAsked: true,
			want: []string{"sbx probe", "sbx policy reset", "sbx policy init deny-all",
				"git config set airlock.networkPolicy deny-all", allowDefaults}},
		{name: "new CLI, reset declined", caps: newCaps, initialised: true, wantAsked: true,
			want: []string{"sbx probe"}, wantErr: "sbx's default network policy was not changed"},
		{name: "new CLI, reset fails", caps: newCaps, initialised: true, reset: true, resetErr: errors.New("busy"),
			want: []string{"sbx probe", "sbx policy reset"}, wantErr: "busy"},
		{name: "new CLI, not logged in", caps: newCaps, inits: []error{sbx.ErrNotLoggedIn},
			want: []string{"sbx probe", "sbx policy init deny-all"}, wantErr: sbx.ErrNotLoggedIn.Error()},
		{name: "new CLI, set since the read", caps: newCaps, inits: []error{sbx.ErrPolicyAlreadyInitialised}, reset: true,
			want: []string{"sbx probe", "sbx policy init deny-all", "sbx policy reset", "sbx policy init deny-all",
				"git config set airlock.networkPolicy deny-all", allowDefaults}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, config.Inputs{}, sandboxBox)
			w.sbx.caps, w.sbx.policyInits, w.sbx.resetErr = tc.caps, tc.inits, tc.resetErr
			w.sbx.initialised = tc.initialised
			w.ui.Answer = tc.answer
			err := w.warden.Lockdown(ctx, LockdownRequest{Reset: tc.reset})
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if !slices.Equal(*w.log, tc.want) {
				t.Errorf("calls\n%q\nwant\n%q", *w.log, tc.want)
			}
			if asked := len(w.ui.Asks) > 0; asked != tc.wantAsked {
				t.Errorf("asked %q, want asked: %v", w.ui.Asks, tc.wantAsked)
			}
			if tc.name == "new CLI, reset declined" && !slices.Equal(hint.Of(err), []string{"run again with --reset to allow it"}) {
				t.Errorf("hints %q", hint.Of(err))
			}
			if tc.name == "new CLI, not logged in" && len(hint.Of(err)) != 1 {
				t.Errorf("hints %q", hint.Of(err))
			}
			// Someone is always told before a reset deletes their rules.
			if slices.Contains(*w.log, "sbx policy reset") && (len(w.ui.Warns) != 1 || !strings.Contains(w.ui.Warns[0], "stops running sandboxes")) {
				t.Errorf("reset without a warning: %q", w.ui.Warns)
			}
		})
	}
}

func TestLockdownAppliesTheConfiguredAllowlistToEverySandbox(t *testing.T) {
	entries := append(slices.Clone(sandboxBox), gitx.ConfigEntry{Key: "remote.airlock-cat.url", Value: "airlock://cat/home/u/repo"})
	w := newWorld(t, config.Inputs{Git: []gitx.ConfigEntry{{Key: "airlock.allow", Value: "a.example.com"}}}, entries)
	w.sbx.initialised = false
	if err := w.warden.Lockdown(ctx, LockdownRequest{}); err != nil {
		t.Fatal(err)
	}
	if !w.log.has("sbx policy allow box a.example.com") || !w.log.has("sbx policy allow cat a.example.com") {
		t.Errorf("calls %q", *w.log)
	}
}

func TestLockdownWithoutSbx(t *testing.T) {
	w := newWorld(t, config.Inputs{}, sandboxBox)
	w.sbx.probeErr = &sbx.MissingError{Bin: "sbx"}
	err := w.warden.Lockdown(ctx, LockdownRequest{})
	if err == nil || len(hint.Of(err)) != 1 || !strings.Contains(hint.Of(err)[0], "git airlock setup") {
		t.Errorf("error %v, hints %q", err, hint.Of(err))
	}
	if !slices.Equal(*w.log, []string{"sbx probe"}) {
		t.Errorf("calls %q", *w.log)
	}
}

func TestUnlock(t *testing.T) {
	for _, tc := range []struct {
		name    string
		caps    sbx.Capabilities
		inits   []error
		reset   bool
		want    []string
		wantErr bool
	}{
		{name: "old CLI", caps: oldCaps, want: []string{"sbx probe", "sbx policy set-default balanced", "git config unset airlock.networkPolicy"}},
		{name: "new CLI, --reset", caps: newCaps, reset: true,
			want: []string{"sbx probe", "sbx policy reset", "sbx policy init balanced", "git config unset airlock.networkPolicy"}},
		{name: "new CLI, declined", caps: newCaps,
			want: []string{"sbx probe"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, config.Inputs{}, sandboxBox)
			w.sbx.caps, w.sbx.policyInits = tc.caps, tc.inits
			err := w.warden.Unlock(ctx, tc.reset)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v", err)
			}
			if !slices.Equal(*w.log, tc.want) {
				t.Errorf("calls\n%q\nwant\n%q", *w.log, tc.want)
			}
			// What changes is said before anything changes.
			if len(w.ui.Infos) == 0 || !strings.HasPrefix(w.ui.Infos[0], "unlock: sbx's default network policy becomes balanced") {
				t.Errorf("infos %q", w.ui.Infos)
			}
		})
	}
}

// policyLog renders `sbx policy log` as the CLI prints it.
func policyLog(rows ...[3]string) string {
	var b strings.Builder
	for _, blocked := range []string{"blocked", "allowed"} {
		if blocked == "blocked" {
			b.WriteString("Blocked requests:\n")
		} else {
			b.WriteString("\nAllowed requests:\n")
		}
		fmt.Fprintf(&b, "%-20s %-8s %-28s %-8s %-12s %-20s %-20s %s\n", "SANDBOX", "TYPE", "HOST", "PROXY", "RULE", "REASON", "LAST SEEN", "COUNT")
		for _, r := range rows {
			if r[0] == blocked {
				fmt.Fprintf(&b, "%-20s %-8s %-28s %-8s %-12s %-20s %-20s %s\n", "box", "network", r[1], "forward", "-", "-", "1m ago", r[2])
			}
		}
	}
	return b.String()
}

func TestNetListsBlockedFirstWithTheAllowCommand(t *testing.T) {
	w := newWorld(t, config.Inputs{}, sandboxBox)
	// Allowed rows come first in a hand-made log; order within each group is kept.
	w.sbx.policyLog = "Allowed requests:\n" + strings.SplitN(policyLog([3]string{"allowed", "github.com", "12"}, [3]string{"allowed", "api.anthropic.com", "40"}), "Allowed requests:\n", 2)[1] +
		"\n" + policyLog([3]string{"blocked", "evil.example.net", "3"}, [3]string{"blocked", "cdn.evil.example.net", "1"})
	entries, raw, err := w.warden.Net(ctx, "box")
	if err != nil {
		t.Fatal(err)
	}
	if raw != w.sbx.policyLog {
		t.Errorf("raw log not returned as read")
	}
	want := []NetEntry{
		{Host: "evil.example.net", Blocked: true, Count: "3", Allow: "git airlock allow --name box evil.example.net"},
		{Host: "cdn.evil.example.net", Blocked: true, Count: "1", Allow: "git airlock allow --name box cdn.evil.example.net"},
		{Host: "github.com", Count: "12"},
		{Host: "api.anthropic.com", Count: "40"},
	}
	if !slices.Equal(entries, want) {
		t.Errorf("entries\n%+v\nwant\n%+v", entries, want)
	}
}

func TestNetQuotesHostileHosts(t *testing.T) {
	w := newWorld(t, config.Inputs{}, sandboxBox)
	w.sbx.policyLog = policyLog([3]string{"blocked", "a'$(id).example.net", "1"})
	entries, _, err := w.warden.Net(ctx, "box")
	if err != nil || len(entries) != 1 {
		t.Fatalf("entries %+v, %v", entries, err)
	}
	if want := `git airlock allow --name box 'a'\''$(id).example.net'`; entries[0].Allow != want {
		t.Errorf("allow command %s, want %s", entries[0].Allow, want)
	}
}

func TestNetOfAnUnknownSandboxAsksNothing(t *testing.T) {
	w := newWorld(t, config.Inputs{}, sandboxBox)
	_, _, err := w.warden.Net(ctx, "other")
	if err == nil || err.Error() != `no sandbox "other" in this repository` || w.log.has("sbx") {
		t.Errorf("error %v, calls %q", err, *w.log)
	}
}
