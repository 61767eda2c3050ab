package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

var ctx = context.Background()

// --- up and run: refusals before anything is created ---

func TestUpRefusesBeforeCreatingAnything(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *world)
		sbx   string // the sandbox name asked for
		want  string // in the error
		hint  string // in a hint
	}{
		{"linked worktree", func(w *world) { w.repo.facts.Linked, w.repo.facts.MainRoot = true, "/main" }, "box", "linked worktree", `cd "/main"`},
		{"shallow clone", func(w *world) { w.repo.facts.Shallow = true }, "box", "shallow", "--unshallow"},
		{"no commits", func(w *world) { w.repo.facts.HasCommit = false }, "box", "no commits", "git commit"},
		{"name read as a flag", func(*world) {}, "-rf", "-rf", "--name"},
		{"name with a slash", func(*world) {}, "a/b", "a/b", "--name"},
		{"reserved name", func(*world) {}, "default", "reserved", "--name"},
		{"sandbox of another workspace", func(w *world) {
			w.sbx.list = []sbx.Sandbox{{Name: "box", Agent: "claude", Workspaces: []string{"/nonexistent/elsewhere"}}}
		}, "box", "already exists for /nonexistent/elsewhere", "--name"},
	}
	for _, tc := range tests {
		for _, cmd := range []string{"up", "run"} {
			t.Run(cmd+"/"+tc.name, func(t *testing.T) {
				w := newWorld(t, nil)
				tc.setup(w)
				var err error
				if cmd == "up" {
					err = w.svc.Up(ctx, lifecycle.UpRequest{Name: tc.sbx})
				} else {
					err = w.svc.Run(ctx, lifecycle.RunRequest{Name: tc.sbx, Task: "fix it"})
				}
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want one containing %q", err, tc.want)
				}
				if h := strings.Join(hint.Of(err), "\n"); !strings.Contains(h, tc.hint) {
					t.Errorf("hints %q lack %q", h, tc.hint)
				}
				for _, c := range []string{"Create", "PolicyInit", "Attach", "Exec"} {
					if w.sbx.called(c) {
						t.Errorf("sbx %s called:\n%s", c, w.sbx.log())
					}
				}
				if w.repo.called("AddSandboxRemote") || w.repo.called("ConfigSet") || w.repo.called("Fetch") {
					t.Errorf("repository changed:\n%s", w.repo.log())
				}
			})
		}
	}
}

func TestUpOutsideARepository(t *testing.T) {
	w := newWorld(t, nil)
	w.svc.Repo = nil
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); !errors.Is(err, workflow.ErrNotRepository) {
		t.Errorf("err = %v", err)
	}
	if w.sbx.called("") {
		t.Errorf("sbx called:\n%s", w.sbx.log())
	}
}

func TestUpCreatesAndRegisters(t *testing.T) {
	w := newWorld(t, nil)
	w.repo.files = map[string]bool{"AGENTS.md": true}
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box", AgentArgs: []string{"--resume"}}); err != nil {
		t.Fatal(err)
	}
	if !w.sbx.called("Create box claude /nonexistent/home/u/repo") {
		t.Errorf("no Create:\n%s", w.sbx.log())
	}
	if !w.repo.called("AddSandboxRemote airlock-box airlock://box/home/u/repo") || !w.repo.called("PutSandbox box {Agent:claude Base:main Sbx:/usr/local/bin/sbx Group: Exit:}") {
		t.Errorf("remote not added as expected:\n%s", w.repo.log())
	}
	if !w.sbx.called("Attach box --resume") {
		t.Errorf("agent not attached:\n%s", w.sbx.log())
	}
	// The entries were re-read: the new sandbox is now registered.
	if _, ok := workflow.Find(workflow.Registered(w.svc.Entries, w.svc.Records), "box"); !ok {
		t.Errorf("entries not reloaded after registering: %+v", w.svc.Entries)
	}
	if len(w.ui.Hints) == 0 || !strings.Contains(w.ui.Hints[len(w.ui.Hints)-1], "git fetch airlock-box") {
		t.Errorf("hints = %q", w.ui.Hints)
	}
	for _, h := range w.ui.Hints {
		if strings.Contains(h, "AGENTS.md") {
			t.Errorf("AGENTS.md exists, yet: %q", h)
		}
	}
}

func TestUpWithoutInstructionsHintsInit(t *testing.T) {
	w := newWorld(t, nil)
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(w.ui.Hints, func(h string) bool { return strings.Contains(h, "git airlock init") }) {
		t.Errorf("hints = %q", w.ui.Hints)
	}
}

// The AGENTS.md hint is shown when the repository first lacks one, not
// for every sandbox made from it, and again once AGENTS.md came and went.
func TestUpInstructionsHintOncePerSituation(t *testing.T) {
	w := newWorld(t, nil)
	hinted := func() int {
		n := 0
		for _, h := range w.ui.Hints {
			if strings.Contains(h, "no AGENTS.md here") {
				n++
			}
		}
		return n
	}
	for i, step := range []struct {
		agents bool
		want   int // hints so far
	}{{false, 1}, {false, 1}, {true, 1}, {false, 2}, {false, 2}} {
		w.repo.files = map[string]bool{"AGENTS.md": step.agents}
		if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: fmt.Sprintf("box%d", i)}); err != nil {
			t.Fatal(err)
		}
		if got := hinted(); got != step.want {
			t.Errorf("after sandbox %d (AGENTS.md %v): %d hints, want %d", i, step.agents, got, step.want)
		}
	}
}

func TestUpInitialisesThePolicyOnlyOnce(t *testing.T) {
	for _, initialised := range []bool{false, true} {
		w := newWorld(t, nil, gitx.ConfigEntry{Key: "airlock.networkpolicy", Value: "allow-all"})
		w.sbx.initialised = initialised
		if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
			t.Fatal(err)
		}
		if got := w.sbx.called("PolicyInit allow-all"); got == initialised {
			t.Errorf("initialised=%v: PolicyInit called=%v\n%s", initialised, got, w.sbx.log())
		}
	}
}

// A record says sbx has a default policy, but someone reset it since:
// the create that fails for want of one asks sbx afresh, sets the policy
// and creates again; with a true record, no policy call at all.
func TestUpPolicyRecord(t *testing.T) {
	w := newWorld(t, nil, gitx.ConfigEntry{Key: "airlock.networkpolicy", Value: "allow-all"})
	w.sbx.initialised, w.sbx.staleRecord = false, true
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if got, want := w.sbx.log(), "Create box"; strings.Count(got, want) != 2 || !w.sbx.called("PolicyInitialised") || !w.sbx.called("PolicyInit allow-all") {
		t.Errorf("calls:\n%s", got)
	}
	w = newWorld(t, nil)
	w.sbx.staleRecord = true
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if w.sbx.called("PolicyInit") || strings.Count(w.sbx.log(), "Create box") != 1 {
		t.Errorf("a true record: calls:\n%s", w.sbx.log())
	}
}

func TestUpDenyAllAppliesTheAllowlist(t *testing.T) {
	w := newWorld(t, nil, gitx.ConfigEntry{Key: "airlock.networkpolicy", Value: "deny-all"},
		gitx.ConfigEntry{Key: "airlock.allow", Value: "example.com"})
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if !w.sbx.called("PolicyAllow box example.com") {
		t.Errorf("allowlist not applied:\n%s", w.sbx.log())
	}
}

// TestUpSaysWhenThePolicyAskedIsNotInForce: sbx sets its default once, so
// GLOBAL_NETWORK_POLICY=deny-all on a machine already balanced changes
// nothing; up says both and how to close the gap, and claims no allowlist.
func TestUpSaysWhenThePolicyAskedIsNotInForce(t *testing.T) {
	for _, tc := range []struct {
		name, preset, warn, hint string
		allowed                  bool
	}{
		{"balanced in force", "balanced",
			"git-airlock asked sbx for deny-all (git config --local (.git/config)), but sbx's default network policy is balanced, as git-airlock set it earlier: sbx sets it once, so balanced stays in force",
			"make it deny-all (this resets sbx's network rules and stops running sandboxes): git airlock lockdown --reset", false},
		{"set outside git-airlock", "",
			"git-airlock asked sbx for deny-all (git config --local (.git/config)), but sbx already has a default network policy, set outside git-airlock: sbx sets it once and does not print it, so deny-all may not be in force",
			"make it deny-all (this resets sbx's network rules and stops running sandboxes): git airlock lockdown --reset", true},
		{"deny-all in force", "deny-all", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, nil, gitx.ConfigEntry{Key: "airlock.networkpolicy", Value: "deny-all", Scope: "local", Origin: "file:.git/config"},
				gitx.ConfigEntry{Key: "airlock.allow", Value: "example.com"})
			w.sbx.initialised, w.sbx.preset = true, tc.preset
			if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
				t.Fatal(err)
			}
			var warns []string // the fake sbx warns of the agent hooks too
			for _, w := range w.ui.Warns {
				if strings.HasPrefix(w, "git-airlock asked") {
					warns = append(warns, w)
				}
			}
			if got := strings.Join(warns, "\n"); got != tc.warn {
				t.Errorf("warning:\n%s\nwant\n%s", got, tc.warn)
			}
			if tc.hint != "" && !slices.Contains(w.ui.Hints, tc.hint) {
				t.Errorf("hints %q lack %q", w.ui.Hints, tc.hint)
			}
			if w.sbx.called("PolicyAllow box example.com") != tc.allowed || w.sbx.called("PolicyInit deny-all") {
				t.Errorf("calls:\n%s", w.sbx.log())
			}
			claims := slices.ContainsFunc(w.ui.Infos, func(s string) bool { return strings.HasPrefix(s, "deny-all: sandbox") })
			if claims != (tc.preset == "deny-all") {
				t.Errorf("infos %q: a deny-all claim only when deny-all is known to be in force", w.ui.Infos)
			}
		})
	}
}

func TestUpRegistersAnUnregisteredSbxSandboxWithoutCreating(t *testing.T) {
	w := newWorld(t, nil)
	// sbx knows it (made for this repository, with codex), this repository
	// has no remote for it.
	w.sbx.list = []sbx.Sandbox{{Name: "box", Agent: "codex", Status: "stopped", Workspaces: []string{w.repo.facts.Root + "/"}}}
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if w.sbx.called("Create") || w.sbx.called("PolicyInit") {
		t.Errorf("created again:\n%s", w.sbx.log())
	}
	if !w.repo.called("AddSandboxRemote airlock-box airlock://box/home/u/repo") || w.store.sandboxes["box"].Agent != "codex" {
		t.Errorf("not registered with its own agent:\n%s", w.repo.log())
	}
	if !w.sbx.called("Attach box") {
		t.Errorf("not attached:\n%s", w.sbx.log())
	}
}

func TestUpReusesARegisteredSandbox(t *testing.T) {
	w := newWorld(t, nil)
	w.registerBox()
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if w.sbx.called("Create") || w.repo.called("AddSandboxRemote") || w.sbx.called("ExecOutput") {
		t.Errorf("registered again:\nsbx:\n%s\nrepo:\n%s", w.sbx.log(), w.repo.log())
	}
}

func TestRegisterSkipsFetchAllOnSbxsOwnRemoteOnlyWhenItExists(t *testing.T) {
	for _, exists := range []bool{false, true} {
		w := newWorld(t, nil)
		if exists {
			w.repo.config["remote.sandbox-box.url"] = "/some/where"
		}
		if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
			t.Fatal(err)
		}
		if got := w.repo.called("ConfigSet remote.sandbox-box.skipFetchAll true"); got != exists {
			t.Errorf("sandbox-box exists=%v: skipFetchAll set=%v\n%s", exists, got, w.repo.log())
		}
		for _, c := range w.repo.calls {
			if strings.HasPrefix(c, "ConfigSet") && !strings.Contains(c, "remote.sandbox-box.") {
				t.Errorf("touched another remote's config: %s", c)
			}
		}
	}
}

// TestUpGivesTheAgentsStatus: a session that ends non-zero is said once
// and is up's exit status (as run's and shell's are); sbx failing is an
// error of its own.
func TestUpGivesTheAgentsStatus(t *testing.T) {
	w := newWorld(t, nil)
	w.registerBox()
	w.sbx.execErr = &xec.ExitError{Argv: []string{"sbx", "run"}, Code: 130}
	err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"})
	var ee *hint.ExitError
	if !errors.As(err, &ee) || ee.Code != 130 || ee.Err != nil {
		t.Fatalf("err = %#v, want the agent's status 130 and nothing more to say", err)
	}
	if len(w.ui.Warns) != 1 || !strings.Contains(w.ui.Warns[0], "130") {
		t.Errorf("warnings = %q", w.ui.Warns)
	}
	// sbx itself failing is an error, with its hint.
	w.sbx.execErr = &sbx.NotFoundError{Name: "box"}
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); len(hint.Of(err)) == 0 {
		t.Errorf("err = %v, hints %q", err, hint.Of(err))
	}
}

// A session that ends in failure (a missing key is a common reason) is
// followed by the hint to store the key when sbx holds none; a session that
// works never asks sbx for its secrets.
func TestUpCredentialHint(t *testing.T) {
	tests := []struct {
		name    string
		secrets []sbx.Secret
		want    bool
	}{
		{"none stored", nil, true},
		{"another sandbox's", []sbx.Secret{{Service: "anthropic", Scope: "sandbox:other"}}, true},
		{"another service", []sbx.Secret{{Service: "openai", Scope: "global"}}, true},
		{"global", []sbx.Secret{{Service: "anthropic", Scope: "global"}}, false},
		{"unscoped", []sbx.Secret{{Service: "anthropic"}}, false},
		{"this sandbox's", []sbx.Secret{{Service: "anthropic", Scope: "sandbox:box"}}, false},
	}
	shown := func(w *world) bool {
		return slices.ContainsFunc(w.ui.Hints, func(h string) bool { return strings.Contains(h, "sbx secret set -g anthropic") })
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, nil)
			w.sbx.secrets = tc.secrets
			w.sbx.execErr = &xec.ExitError{Code: 1}
			if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err == nil {
				t.Fatal("a failed session is no success")
			}
			if got := shown(w); got != tc.want {
				t.Errorf("credential hint shown=%v, want %v: %q", got, tc.want, w.ui.Hints)
			}
		})
	}
	w := newWorld(t, nil)
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if shown(w) || slices.ContainsFunc(w.sbx.calls, func(c string) bool { return strings.HasPrefix(c, "Secrets") }) {
		t.Errorf("a session that worked: hints %q, sbx calls %q", w.ui.Hints, w.sbx.calls)
	}
}

func TestRunRefusesAnEmptyTask(t *testing.T) {
	for _, task := range []string{"", "   ", "\n\t"} {
		w := newWorld(t, nil)
		err := w.svc.Run(ctx, lifecycle.RunRequest{Name: "box", Task: task})
		if err == nil || !strings.Contains(err.Error(), "empty task") || len(hint.Of(err)) == 0 {
			t.Errorf("Run(%q) = %v", task, err)
		}
		if w.sbx.called("") || w.repo.called("") {
			t.Errorf("Run(%q) did something:\n%s\n%s", task, w.sbx.log(), w.repo.log())
		}
	}
}

func TestRunPassesTheTaskAsOneArgument(t *testing.T) {
	w := newWorld(t, nil)
	w.registerBox()
	task := "fix it; rm -rf / #"
	if err := w.svc.Run(ctx, lifecycle.RunRequest{Name: "box", Task: task}); err != nil {
		t.Fatal(err)
	}
	if !w.sbx.called("Exec box claude --dangerously-skip-permissions -p " + task) {
		t.Errorf("exec:\n%s", w.sbx.log())
	}
}

func TestRunAgentExitCodeComesBackAndTheWorkIsFetched(t *testing.T) {
	w := newWorld(t, nil)
	w.registerBox()
	w.sbx.execErr = &xec.ExitError{Argv: []string{"sbx", "exec"}, Code: 3}
	err := w.svc.Run(ctx, lifecycle.RunRequest{Name: "box", Task: "fix it"})
	var ee *hint.ExitError
	if !errors.As(err, &ee) || ee.Code != 3 {
		t.Fatalf("err = %#v, want *hint.ExitError{Code: 3}", err)
	}
	if !w.repo.called("Fetch airlock-box") || !w.repo.called("Lock") {
		t.Errorf("work not fetched:\n%s", w.repo.log())
	}
}

func TestRunFetchFailureIsAWarning(t *testing.T) {
	w := newWorld(t, nil)
	w.registerBox()
	w.repo.fetchErr = errors.New("fetch failed")
	if err := w.svc.Run(ctx, lifecycle.RunRequest{Name: "box", Task: "fix it"}); err != nil {
		t.Fatalf("err = %v", err)
	}
	if !slices.ContainsFunc(w.ui.Warns, func(s string) bool { return strings.Contains(s, "fetch failed") }) {
		t.Errorf("warnings = %q", w.ui.Warns)
	}
}

func TestRunNoFetch(t *testing.T) {
	w := newWorld(t, nil)
	w.registerBox()
	if err := w.svc.Run(ctx, lifecycle.RunRequest{Name: "box", Task: "fix it", NoFetch: true}); err != nil {
		t.Fatal(err)
	}
	if w.repo.called("Fetch") || w.repo.called("Lock") {
		t.Errorf("fetched despite NoFetch:\n%s", w.repo.log())
	}
}

func TestRunSbxFailureIsAnErrorAndNothingIsFetched(t *testing.T) {
	w := newWorld(t, nil)
	w.registerBox()
	w.sbx.execErr = sbx.ErrDaemonDown
	err := w.svc.Run(ctx, lifecycle.RunRequest{Name: "box", Task: "fix it"})
	var ee *hint.ExitError
	if !errors.Is(err, sbx.ErrDaemonDown) || errors.As(err, &ee) || len(hint.Of(err)) == 0 {
		t.Errorf("err = %v", err)
	}
	if w.repo.called("Fetch") {
		t.Errorf("fetched:\n%s", w.repo.log())
	}
}

func TestRunAgentChoice(t *testing.T) {
	// The agent recorded at registration wins over the configured default;
	// --agent wins over both.
	tests := []struct {
		name  string
		flags map[string][]string
		want  string
	}{
		{"recorded", nil, "Exec box codex exec"},
		{"flag", map[string][]string{"agent": {"claude"}}, "Exec box claude "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.flags, gitx.ConfigEntry{Key: "airlock.agent", Value: "gemini"})
			w.registerBox()
			w.svc.Entries = append(w.svc.Entries, gitx.ConfigEntry{Key: "remote.airlock-box.airlockagent", Value: "codex"})
			if err := w.svc.Run(ctx, lifecycle.RunRequest{Name: "box", Task: "t"}); err != nil {
				t.Fatal(err)
			}
			if !w.sbx.called(tc.want) {
				t.Errorf("want %q:\n%s", tc.want, w.sbx.log())
			}
		})
	}
}

// --- rm ---

// unsavedWorld has sandbox box with branch main fetched at tip "m".
func unsavedWorld(t *testing.T) *world {
	w := newWorld(t, nil)
	w.registerBox()
	w.repo.refs["refs/remotes/airlock-box/main"] = hash("m")
	w.repo.refs["refs/remotes/airlock-box/HEAD"] = hash("m")
	w.repo.commits[hash("m")] = true
	w.sbx.outputs[surveyKey] = "ref " + hash("m") + "  refs/heads/main\nwt /home/u/repo\nhead " + hash("m") + "\nend\n"
	return w
}

// surveyKey is the one exec rm's check makes.
var surveyKey = strings.Join(gitx.SurveyArgv("/home/u/repo"), " ")

// survey adds lines to the sandbox's answer, in the clone's worktree.
func (w *world) survey(lines ...string) {
	w.sbx.outputs[surveyKey] = strings.TrimSuffix(w.sbx.outputs[surveyKey], "end\n") + strings.Join(lines, "\n") + "\nend\n"
}

func TestRemoveRefusesWhileWorkWouldBeLost(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *world)
		want  []string
	}{
		{"uncommitted changes", func(w *world) {
			w.survey("change  M a.go", "change ?? b.go")
		}, []string{"2 changed files not committed: a.go, b.go"}},
		{"work in a second worktree, and its detached commit", func(w *world) {
			w.survey("wt /home/u/wt2", "head "+hash("d"), "change ?? notes.md")
		}, []string{"1 changed file not committed in worktree /home/u/wt2: notes.md", "/home/u/wt2: HEAD (" + hash("d")[:12] + ") was not fetched"}},
		{"commits under refs outside refs/heads", func(w *world) {
			w.survey("ref "+hash("w")+"  refs/wip/x", "ref "+hash("n")+"  refs/notes/commits")
		}, []string{"refs/wip/x (" + hash("w")[:12] + ") was not fetched", "refs/notes/commits ("}},
		{"edits behind skip-worktree", func(w *world) {
			w.survey("hidden config.yml")
		}, []string{"1 file changed behind skip-worktree or assume-unchanged: config.yml"}},
		{"untracked work hidden by .git/info/exclude", func(w *world) {
			w.survey("ignored 1 12 notes.md")
		}, []string{"1 file, 12 bytes ignored by .git/info/exclude or core.excludesFile: notes.md"}},
		{"an older stash entry", func(w *world) {
			w.survey("ref " + hash("s1") + "  stash@{1}")
		}, []string{"stash@{1} ("}},
		{"another clone", func(w *world) {
			w.survey("clone /home/u/other")
		}, []string{"another repository at /home/u/other is not checked"}},
		{"unfetched branch", func(w *world) {
			w.survey("ref " + hash("w") + "  refs/heads/wip")
		}, []string{"refs/heads/wip (" + hash("w")[:12] + ") was not fetched"}},
		{"commit known here but on no fetched branch", func(w *world) {
			w.repo.commits[hash("t")] = true
			w.survey("ref " + hash("tag") + " " + hash("t") + " refs/tags/v1")
		}, []string{"refs/tags/v1 (" + hash("t")[:12] + ") was not fetched"}},
		{"detached HEAD", func(w *world) {
			w.sbx.outputs[surveyKey] = strings.Replace(w.sbx.outputs[surveyKey], "head "+hash("m"), "head "+hash("d"), 1)
		}, []string{"HEAD (" + hash("d")[:12] + ") was not fetched"}},
		{"stash and changes", func(w *world) {
			w.survey("change  M a.go", "ref "+hash("s")+"  refs/stash")
		}, []string{"1 changed file not committed", "refs/stash ("}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := unsavedWorld(t)
			tc.setup(w)
			err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"})
			if err == nil {
				t.Fatal("removed")
			}
			for _, p := range tc.want {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error lacks %q:\n%v", p, err)
				}
			}
			if h := strings.Join(hint.Of(err), "\n"); !strings.Contains(h, "--force") {
				t.Errorf("hints = %q", h)
			}
			if w.sbx.called("Remove") || w.repo.called("RemoveRemote") || w.repo.called("UpdateRefs") || w.tmux.called("Kill") {
				t.Errorf("something was removed:\n%s\n%s", w.sbx.log(), w.repo.log())
			}

			// --force removes anyway.
			if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box", Force: true}); err != nil {
				t.Fatalf("--force: %v", err)
			}
			if !w.sbx.called("Remove box") || !w.repo.called("RemoveRemote airlock-box") {
				t.Errorf("--force did not remove:\n%s\n%s", w.sbx.log(), w.repo.log())
			}
		})
	}
}

func TestRemoveAcceptsWorkContainedInAFetchedBranch(t *testing.T) {
	w := unsavedWorld(t)
	// An older commit on another branch, contained in the fetched main.
	w.repo.commits[hash("old")] = true
	w.repo.ancestors[[2]string{hash("old"), hash("m")}] = true
	w.survey("ref "+hash("old")+"  refs/heads/old", "warning: not a ref line")
	if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if !w.sbx.called("Remove box") {
		t.Errorf("not removed:\n%s", w.sbx.log())
	}
}

// The fetch keeps the sandbox's HEAD commit under
// refs/airlock/head/<remote> (and rm archives it) even where
// refs/remotes/<remote>/HEAD still names a branch: a detached commit held
// there is not lost.
func TestRemoveAcceptsDetachedHeadTheFetchKept(t *testing.T) {
	w := unsavedWorld(t)
	w.sbx.outputs[surveyKey] = strings.Replace(w.sbx.outputs[surveyKey], "head "+hash("m"), "head "+hash("d"), 1)
	w.repo.refs["refs/airlock/head/airlock-box"] = hash("d")
	w.repo.refs["refs/airlock/head/airlock-box2"] = hash("other")
	w.repo.commits[hash("d")] = true
	if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if !w.sbx.called("Remove box") {
		t.Errorf("not removed:\n%s", w.sbx.log())
	}
}

// A fetch that fails (the helper's limit on the ref advertisement, say)
// never skips the survey: rm names what the host lacks and refuses, or,
// with nothing missing, removes; --force says what it drops.
func TestRemoveFetchFailureStillSurveys(t *testing.T) {
	w := unsavedWorld(t)
	w.repo.fetchErr = errors.New("sandbox \"box\" advertised more than 10 refs (airlock.maxRefs)\nmore")
	w.survey("ref " + hash("x") + "  refs/heads/HEAD")
	err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"})
	if err == nil || !strings.Contains(err.Error(), "refs/heads/HEAD ("+hash("x")[:12]+") was not fetched") {
		t.Fatalf("err = %v", err)
	}
	if w.sbx.called("Remove") || w.repo.called("RemoveRemote") {
		t.Errorf("removed with work the host lacks")
	}
	if len(w.ui.Warns) != 1 || !strings.Contains(w.ui.Warns[0], `could not fetch sandbox "box" (git's message is above)`) {
		t.Errorf("warnings = %q", w.ui.Warns)
	}
	if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box", Force: true}); err != nil {
		t.Fatal(err)
	}
	if !w.sbx.called("Remove box") || !strings.Contains(strings.Join(w.ui.Warns, "\n"), "--force: discarding what sandbox \"box\" held that was not fetched:\n  refs/heads/HEAD") {
		t.Errorf("--force did not remove, or not say what it dropped: %q", w.ui.Warns)
	}

	w = unsavedWorld(t)
	w.repo.fetchErr = errors.New("fetch failed")
	if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"}); err != nil {
		t.Fatalf("nothing was missing, yet: %v", err)
	}
	if !w.sbx.called("Remove box") || !w.repo.called("RemoveRemote airlock-box") {
		t.Errorf("not removed:\n%s", w.sbx.log())
	}
}

func TestRemoveUnsavedCheckFailureBlocksUnlessForced(t *testing.T) {
	w := unsavedWorld(t)
	w.sbx.outputs[surveyKey] = strings.TrimSuffix(w.sbx.outputs[surveyKey], "end\n") // cut short
	err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"})
	if err == nil || !strings.Contains(err.Error(), "could not survey sandbox") || w.sbx.called("Remove") {
		t.Fatalf("err = %v\n%s", err, w.sbx.log())
	}
}

func TestRemoveASandboxGoneFromSbx(t *testing.T) {
	w := unsavedWorld(t)
	w.sbx.getErr = &sbx.NotFoundError{Name: "box"}
	if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if w.sbx.called("Remove") || w.repo.called("Fetch") {
		t.Errorf("asked sbx or fetched from a sandbox that is gone:\n%s\n%s", w.sbx.log(), w.repo.log())
	}
	if !w.repo.called("UpdateRefs") || !w.repo.called("RemoveRemote airlock-box") {
		t.Errorf("not archived and unregistered:\n%s", w.repo.log())
	}
	if len(w.ui.Warns) != 1 || !strings.Contains(w.ui.Warns[0], "no longer exists") {
		t.Errorf("warnings = %q", w.ui.Warns)
	}
}

func TestRemoveOtherSbxFailureRemovesNothing(t *testing.T) {
	w := unsavedWorld(t)
	w.sbx.getErr = sbx.ErrNotLoggedIn
	err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box", Force: true})
	if !errors.Is(err, sbx.ErrNotLoggedIn) || len(hint.Of(err)) == 0 {
		t.Fatalf("err = %v", err)
	}
	if w.repo.called("RemoveRemote") || w.repo.called("UpdateRefs") {
		t.Errorf("removed:\n%s", w.repo.log())
	}
}

func TestRemoveOnAnUnreachableServer(t *testing.T) {
	unreachable := &sbx.UnreachableError{Host: "server", Err: errors.New("connection refused")}
	w := unsavedWorld(t)
	w.sbx.getErr = unreachable
	err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"})
	var ue *sbx.UnreachableError
	if !errors.As(err, &ue) || !strings.Contains(strings.Join(hint.Of(err), "\n"), "rm --force") {
		t.Fatalf("err = %v, hints %q", err, hint.Of(err))
	}
	if w.repo.called("RemoveRemote") || w.repo.called("UpdateRefs") {
		t.Errorf("removed without --force:\n%s", w.repo.log())
	}

	w = unsavedWorld(t)
	w.sbx.getErr = unreachable
	if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box", Force: true}); err != nil {
		t.Fatal(err)
	}
	if w.sbx.called("Remove") || w.repo.called("Fetch") {
		t.Errorf("asked the unreachable server:\n%s\n%s", w.sbx.log(), w.repo.log())
	}
	if !w.repo.called("UpdateRefs") || !w.repo.called("RemoveRemote airlock-box") {
		t.Errorf("not archived and unregistered:\n%s", w.repo.log())
	}
	if len(w.ui.Warns) != 1 || !strings.Contains(w.ui.Warns[0], "stays on server") {
		t.Errorf("warnings = %q", w.ui.Warns)
	}
}

func TestRemoveOnlyOurRemotes(t *testing.T) {
	// A user's remote named airlock-fork, not a sandbox of ours.
	w := newWorld(t, nil)
	w.svc.Entries = []gitx.ConfigEntry{{Key: "remote.airlock-fork.url", Value: "https://github.com/u/fork"}}
	err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "fork", Force: true})
	if err == nil || len(hint.Of(err)) == 0 {
		t.Fatalf("err = %v", err)
	}
	if w.sbx.called("") || w.repo.called("") {
		t.Errorf("acted:\n%s\n%s", w.sbx.log(), w.repo.log())
	}
}

func TestRemoveArchivesBranchesAndSupersededTips(t *testing.T) {
	w := unsavedWorld(t)
	w.repo.refs["refs/remotes/airlock-box/agent/work"] = hash("w")
	w.repo.refs["refs/remotes/airlock-origin/main"] = hash("x") // another remote
	// An earlier removal of the same name keeps its own namespace.
	w.repo.refs["refs/airlock/removed/box@1/main"] = hash("prev")
	w.repo.commits[hash("w")] = true
	w.survey("ref " + hash("w") + "  refs/heads/agent/work")
	// main's reflog: its tip, an old commit main still contains, and two
	// rewritten-away tips (one also in work's reflog).
	for _, h := range []string{"old", "gone1", "gone2"} {
		w.repo.commits[hash(h)] = true
	}
	w.repo.ancestors[[2]string{hash("old"), hash("m")}] = true
	w.repo.reflogs["refs/remotes/airlock-box/main"] = []string{hash("m"), hash("old"), hash("gone1"), hash("gone2")}
	w.repo.reflogs["refs/remotes/airlock-box/agent/work"] = []string{hash("w"), hash("gone1")}
	// A commit the agent once had checked out detached, then dropped: only
	// the sandbox's HEAD ref remembers it.
	w.repo.commits[hash("detached")] = true
	w.repo.refs["refs/airlock/head/airlock-box"] = hash("m")
	w.repo.reflogs["refs/airlock/head/airlock-box"] = []string{hash("m"), hash("detached")}

	if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if len(w.repo.updates) != 1 {
		t.Fatalf("UpdateRefs called %d times, want once", len(w.repo.updates))
	}
	want := []gitx.RefUpdate{
		{Name: "refs/airlock/removed/box@2/HEAD", Hash: hash("m")},
		{Name: "refs/airlock/removed/box@2/agent/work", Hash: hash("w")},
		{Name: "refs/airlock/removed/box@2/main", Hash: hash("m")},
		{Name: "refs/airlock/removed/box@2/superseded/" + hash("detached")[:12], Hash: hash("detached")},
		{Name: "refs/airlock/removed/box@2/superseded/" + hash("gone1")[:12], Hash: hash("gone1")},
		{Name: "refs/airlock/removed/box@2/superseded/" + hash("gone2")[:12], Hash: hash("gone2")},
	}
	if got := w.repo.updates[0]; !slices.Equal(got, want) {
		t.Errorf("updates:\n got %+v\nwant %+v", got, want)
	}
	// Then the tracking refs go, HEAD included.
	if want := []string{"refs/remotes/airlock-box/HEAD", "refs/remotes/airlock-box/agent/work", "refs/remotes/airlock-box/main"}; !slices.Equal(w.repo.deleted, want) {
		t.Errorf("deleted %q, want %q", w.repo.deleted, want)
	}
	// Archived before the remote (and its refs) went.
	log := w.repo.log()
	if strings.Index(log, "UpdateRefs") > strings.Index(log, "RemoveRemote") {
		t.Errorf("remote removed before archiving:\n%s", log)
	}
	if !w.tmux.called("Kill airlock-box") {
		t.Errorf("tmux session not killed:\n%s", w.tmux.log())
	}
}

func TestRemoveDryRunShowsTheWholeRemoval(t *testing.T) {
	w := unsavedWorld(t)
	w.sbx.dryRun = true
	w.sbx.programErr = &sbx.MissingError{Bin: "sbx"}
	w.sbx.getErr = &sbx.NotFoundError{Name: "box"} // without sbx, dry-run reads see nothing
	if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if !w.sbx.called("Remove box") || !w.repo.called("RemoveRemote airlock-box") || w.repo.called("Lock") {
		t.Errorf("dry-run:\n%s\n%s", w.sbx.log(), w.repo.log())
	}
}

func TestRemoveDryRunReadsThatTheSandboxIsGone(t *testing.T) {
	// With sbx the dry run's read ran: a sandbox already gone is not
	// removed again, as in the real run.
	w := unsavedWorld(t)
	w.sbx.dryRun = true
	w.sbx.getErr = &sbx.NotFoundError{Name: "box"}
	if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if w.sbx.called("Remove box") || !w.repo.called("RemoveRemote airlock-box") {
		t.Errorf("dry-run:\n%s\n%s", w.sbx.log(), w.repo.log())
	}
}

// A branch the remote helper leaves out (named like git's own refs) is
// never fetched: the dry run, which asks the clone what its fetch would
// bring, refuses over it as the real run does, without asking about it.
func TestRemoveDryRunRefusesOverABranchNoFetchBrings(t *testing.T) {
	w := unsavedWorld(t)
	w.sbx.dryRun = true
	w.sbx.published = []sbx.Port{} // Get answers "running"
	w.survey("ref " + hash("h") + "  refs/heads/ORIG_HEAD")
	err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"})
	if err == nil || !strings.Contains(err.Error(), "refs/heads/ORIG_HEAD ("+hash("h")[:12]+") was not fetched") {
		t.Fatalf("err = %v\n%s", err, w.sbx.log())
	}
	if w.sbx.called("Remove box") || w.sbx.called("ExecOutput box sh -c cd \"$1\" || exit 3\nshift") {
		t.Errorf("dry-run:\n%s", w.sbx.log())
	}
}

// --- status ---

func TestStatus(t *testing.T) {
	w := newWorld(t, nil)
	w.registerBox()
	w.repo.entries = append(w.repo.entries,
		gitx.ConfigEntry{Key: "remote.airlock-idle.url", Value: "airlock://idle/home/u/repo"},
		gitx.ConfigEntry{Key: "remote.airlock-gone.url", Value: "airlock://gone/home/u/repo"},
		gitx.ConfigEntry{Key: "airlock.acceptedrisk", Value: "box " + hash("m") + " 2026-01-02T03:04:05+02:00 2 secret-in-diff,ci-config"},
		gitx.ConfigEntry{Key: "airlock.acceptedrisk", Value: "idle " + hash("i") + " 2026-01-02T03:04:05Z 1 x"},
		gitx.ConfigEntry{Key: "airlock.acceptedrisk", Value: "box malformed"},
	)
	w.svc.Entries = w.repo.entries
	w.sbx.list = append(w.sbx.list, sbx.Sandbox{Name: "idle", Status: "stopped"}, sbx.Sandbox{Name: "unrelated", Status: "running"})
	w.repo.refs["refs/remotes/airlock-box/HEAD"] = hash("m")
	w.repo.refs["refs/remotes/airlock-box/main"] = hash("m")
	w.repo.refs["refs/remotes/airlock-box/agent/work"] = hash("w")
	w.repo.refs["refs/remotes/airlock-box/host/main"] = hash("h")
	w.repo.refs["refs/remotes/airlock-box/host/feature"] = hash("f2")
	w.repo.refs["refs/remotes/airlock-box/old"] = hash("h")
	w.repo.refs["refs/heads/main"] = hash("h")
	w.repo.refs["refs/heads/feature"] = hash("f")
	w.repo.refs["refs/heads/old"] = hash("o1")
	w.repo.ahead[hash("m")+" HEAD"] = [2]int{3, 1}
	w.repo.ahead[hash("w")+" HEAD"] = [2]int{1, 0}
	w.repo.ahead[hash("h")+" HEAD"] = [2]int{0, 0}
	w.repo.ahead[hash("f2")+" HEAD"] = [2]int{2, 0}
	w.repo.refs["refs/airlock/removed/old/main"] = hash("o")
	w.repo.refs["refs/airlock/removed/old/superseded/"+hash("s")[:12]] = hash("s")
	w.repo.refs["refs/airlock/removed/bad"] = hash("b") // no branch: ignored

	all, err := w.svc.Status(ctx, lifecycle.StatusRequest{All: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range all {
		got = append(got, st.Name+":"+st.State)
	}
	if want := []string{"box:running", "gone:missing", "idle:stopped", "old:removed"}; !slices.Equal(got, want) {
		t.Fatalf("sandboxes = %q, want %q", got, want)
	}
	b := all[0]
	if b.Workspace != w.repo.facts.Root || b.Agent != "claude" || b.Base != "main" || b.Remote != "airlock-box" || b.Path != "/home/u/repo" {
		t.Errorf("box = %+v", b)
	}
	// Every branch is counted against the base. A copy is a branch the
	// host has under that name (less host/) that brings nothing new: the
	// same commit (host/main), or nothing the base lacks (old, behind its
	// host branch); host/feature, which the agent built on, is work.
	type row struct {
		name          string
		ahead, behind int
		copy          bool
	}
	want := []row{{"HEAD", 3, 1, false}, {"agent/work", 1, 0, false}, {"host/feature", 2, 0, false},
		{"host/main", 0, 0, true}, {"main", 3, 1, false}, {"old", 0, 0, true}}
	var rows []row
	for _, br := range b.Branches {
		if br.Ahead == nil || br.Behind == nil {
			t.Fatalf("no ahead/behind for %s", br.Name)
		}
		rows = append(rows, row{br.Name, *br.Ahead, *br.Behind, br.Copy})
	}
	if !slices.Equal(rows, want) {
		t.Errorf("branches = %+v\nwant %+v", rows, want)
	}
	if n := strings.Count(w.repo.log(), "CountRefs"); n != 1 {
		t.Errorf("CountRefs called %d times, want once (every sandbox's branches in one call)", n)
	}
	if a := b.Accepted; len(a) != 1 || a[0].Commit != hash("m") || a[0].Time.Format(time.RFC3339) != "2026-01-02T01:04:05Z" ||
		a[0].Count != 2 || !slices.Equal(a[0].Rules, []string{"secret-in-diff", "ci-config"}) {
		t.Errorf("accepted = %+v", a)
	}
	if all[1].Branches == nil || len(all[1].Branches) != 0 {
		t.Errorf("a sandbox without fetched refs: branches %#v, want []", all[1].Branches)
	}
	old := all[3]
	if len(old.Branches) != 2 || old.Branches[0].Name != "main" || old.Branches[1].Name != "superseded/"+hash("s")[:12] {
		t.Errorf("removed = %+v", old)
	}
}

func TestStatusOfOneSandbox(t *testing.T) {
	w := newWorld(t, nil)
	w.registerBox()
	w.repo.refs["refs/airlock/removed/old/main"] = hash("o")
	got, err := w.svc.Status(ctx, lifecycle.StatusRequest{Name: "box"})
	if err != nil || len(got) != 1 || got[0].Name != "box" || got[0].Checked {
		t.Fatalf("Status = %+v, %v", got, err)
	}
	if _, err := w.svc.Status(ctx, lifecycle.StatusRequest{Name: "nope"}); err == nil || len(hint.Of(err)) == 0 {
		t.Errorf("unknown sandbox: %v", err)
	}
}

func TestStatusUnfetchedWakesOnlyLiveSandboxes(t *testing.T) {
	w := unsavedWorld(t)
	w.survey("ref " + hash("w") + "  refs/heads/wip")
	w.svc.Entries = append(w.svc.Entries, gitx.ConfigEntry{Key: "remote.airlock-gone.url", Value: "airlock://gone/x"})
	got, err := w.svc.Status(ctx, lifecycle.StatusRequest{All: true, Unfetched: true})
	if err != nil {
		t.Fatal(err)
	}
	if !got[0].Checked || len(got[0].Unfetched) != 1 || !strings.HasPrefix(got[0].Unfetched[0], "wip (") {
		t.Errorf("box = %+v", got[0])
	}
	if got[1].Name != "gone" || got[1].Checked || w.sbx.called("ExecOutput gone") {
		t.Errorf("woke a missing sandbox: %+v\n%s", got[1], w.sbx.log())
	}
}

// status --unfetched says per ref what a fetch brings and what rm would
// lose: the clone answers which commits no branch reaches.
func TestStatusUnfetchedSaysWhatAFetchBrings(t *testing.T) {
	w := unsavedWorld(t)
	w.survey("ref "+hash("w")+"  refs/heads/wip", "ref "+hash("x")+"  refs/wip/x", "ref "+hash("t")+"  refs/tags/v1")
	w.sbx.outputs[strings.Join(gitx.UnfetchedArgv("/home/u/repo", []string{hash("t"), hash("x")}), " ")] = "unfetched " + hash("x") + "\nend\n"
	got, err := w.svc.Status(ctx, lifecycle.StatusRequest{Name: "box", Unfetched: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"wip (" + hash("w")[:12] + "): new commits, not fetched yet",
		"refs/wip/x (" + hash("x")[:12] + "): on no branch; rm would lose it",
	}
	if !slices.Equal(got[0].Unfetched, want) {
		t.Errorf("unfetched = %q, want %q\n%s", got[0].Unfetched, want, w.sbx.log())
	}
}

// A detached HEAD's new commit comes with a fetch (into
// refs/airlock/head/<remote>): it is not fetched yet, and rm would not lose
// it. A HEAD on a branch needs no line beside its branch's.
func TestStatusUnfetchedDetachedHeadComesWithAFetch(t *testing.T) {
	w := unsavedWorld(t)
	w.sbx.outputs[surveyKey] = strings.Replace(w.sbx.outputs[surveyKey], "head "+hash("m"), "head "+hash("d"), 1)
	w.sbx.outputs[strings.Join(gitx.UnfetchedArgv("/home/u/repo", []string{hash("d")}), " ")] = "end\n"
	got, err := w.svc.Status(ctx, lifecycle.StatusRequest{Name: "box", Unfetched: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"HEAD (" + hash("d")[:12] + "): detached, new commits, not fetched yet"}; !slices.Equal(got[0].Unfetched, want) {
		t.Errorf("detached: unfetched = %q, want %q\n%s", got[0].Unfetched, want, w.sbx.log())
	}

	w = unsavedWorld(t)
	w.sbx.outputs[surveyKey] = strings.Replace(w.sbx.outputs[surveyKey], "head "+hash("m"), "head "+hash("w"), 1)
	w.survey("ref " + hash("w") + "  refs/heads/wip")
	w.sbx.outputs[strings.Join(gitx.UnfetchedArgv("/home/u/repo", []string{hash("w")}), " ")] = "end\n"
	got, err = w.svc.Status(ctx, lifecycle.StatusRequest{Name: "box", Unfetched: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"wip (" + hash("w")[:12] + "): new commits, not fetched yet"}; !slices.Equal(got[0].Unfetched, want) {
		t.Errorf("on a branch: unfetched = %q, want %q\n%s", got[0].Unfetched, want, w.sbx.log())
	}
}

func TestStatusSbxFailure(t *testing.T) {
	w := newWorld(t, nil)
	w.registerBox()
	w.svc.Sbx = listFails{w.sbx}
	if _, err := w.svc.Status(ctx, lifecycle.StatusRequest{Name: "box"}); !errors.Is(err, sbx.ErrDaemonDown) || len(hint.Of(err)) == 0 {
		t.Errorf("err = %v", err)
	}
}

type listFails struct{ *fakeSbx }

func (listFails) List(context.Context) ([]sbx.Sandbox, error) { return nil, sbx.ErrDaemonDown }

func TestStatusOutsideARepository(t *testing.T) {
	w := newWorld(t, nil)
	w.svc.Repo = nil
	if _, err := w.svc.Status(ctx, lifecycle.StatusRequest{All: true}); !errors.Is(err, workflow.ErrNotRepository) {
		t.Errorf("err = %v", err)
	}
}

func TestDefaultBase(t *testing.T) {
	tests := []struct{ setting, branch, want string }{
		{"release", "main", "release"},
		{"release", "", "release"},
		{"", "main", "main"},
		{"", "", "HEAD"},
	}
	for _, tc := range tests {
		if got := lifecycle.DefaultBase(tc.setting, tc.branch); got != tc.want {
			t.Errorf("DefaultBase(%q, %q) = %q, want %q", tc.setting, tc.branch, got, tc.want)
		}
	}
}

func TestStatusBaseFromSettings(t *testing.T) {
	w := newWorld(t, nil, gitx.ConfigEntry{Key: "airlock.base", Value: "release"})
	w.registerBox()
	w.repo.head.Branch = "" // detached; the setting wins anyway
	got, err := w.svc.Status(ctx, lifecycle.StatusRequest{Name: "box"})
	if err != nil || got[0].Base != "release" {
		t.Errorf("Status = %+v, %v", got, err)
	}
}

// --- stop, shell ---

func TestStopAndShellNeedARegisteredSandbox(t *testing.T) {
	w := newWorld(t, nil)
	if err := w.svc.Stop(ctx, "box"); err == nil || w.sbx.called("Stop") {
		t.Errorf("Stop of an unregistered sandbox: %v", err)
	}
	if err := w.svc.Shell(ctx, "box", xec.Streams{}); err == nil || w.sbx.called("Exec") {
		t.Errorf("Shell of an unregistered sandbox: %v", err)
	}
	w.registerBox()
	if err := w.svc.Stop(ctx, "box"); err != nil || !w.sbx.called("Stop box") {
		t.Errorf("Stop: %v", err)
	}
	w.sbx.execErr = &xec.ExitError{Argv: []string{"sbx"}, Code: 7}
	var ee *hint.ExitError
	if err := w.svc.Shell(ctx, "box", xec.Streams{}); !errors.As(err, &ee) || ee.Code != 7 {
		t.Errorf("Shell exit = %v", err)
	}
}

func TestSessionName(t *testing.T) {
	w := newWorld(t, nil)
	if got := w.svc.SessionName("box"); got != "airlock-box" {
		t.Errorf("SessionName = %q", got)
	}
	w = newWorld(t, nil, gitx.ConfigEntry{Key: "airlock.tmuxsession", Value: "work"})
	if got := w.svc.SessionName("box"); got != "work" {
		t.Errorf("SessionName with airlock.tmuxSession = %q", got)
	}
}

// The agent gets committed history only: uncommitted host work is named
// before the sandbox is created, and not asked about again for an
// existing one.
func TestUpWarnsAboutUncommittedHostWork(t *testing.T) {
	w := newWorld(t, nil)
	w.repo.dirty = 2
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(w.ui.Warns, "2 uncommitted changes here will not be in the sandbox: it clones committed history only") {
		t.Errorf("warnings %q", w.ui.Warns)
	}
	w.ui.Warns = nil
	w.sbx.list = []sbx.Sandbox{{Name: "box", Status: "running", Workspaces: []string{w.repo.facts.Root}}}
	if err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range w.ui.Warns {
		if strings.Contains(m, "uncommitted") {
			t.Errorf("warned again for an existing sandbox: %q", m)
		}
	}
}

// A sandbox sbx lists without a workspace may belong to anyone: it is not
// adopted into this repository.
func TestUpDoesNotAdoptASandboxOfUnknownOrigin(t *testing.T) {
	w := newWorld(t, nil)
	w.sbx.list = []sbx.Sandbox{{Name: "box", Status: "stopped"}}
	err := w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"})
	if err == nil || !strings.Contains(err.Error(), "does not say which repository") || len(hint.Of(err)) == 0 {
		t.Fatalf("err = %v", err)
	}
	if w.repo.called("AddSandboxRemote") || w.sbx.called("Create") || w.sbx.called("Attach") {
		t.Errorf("calls:\n%s\n%s", w.repo.log(), w.sbx.log())
	}
}

// Files a committed .gitignore ignores (build output) do not block rm but
// are told; --force names exactly what it discards.
func TestRemoveTellsIgnoredAndForceNamesWhatItDiscards(t *testing.T) {
	w := unsavedWorld(t)
	w.survey("shared build/", "ignored 2 2048 build/")
	if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(w.ui.Infos, "\n"); !strings.Contains(got, "2 files, 2.0 KiB ignored by .gitignore: build/") {
		t.Errorf("infos = %q", w.ui.Infos)
	}

	w = unsavedWorld(t)
	w.survey("change ?? wip.txt", "ref "+hash("w")+"  refs/wip/x")
	if err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box", Force: true}); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(w.ui.Warns, "\n")
	for _, want := range []string{"discarding", "1 changed file not committed: wip.txt", "refs/wip/x (" + hash("w")[:12] + ") was not fetched"} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings lack %q: %q", want, got)
		}
	}
}

// --- sbx's own remote, rewritten on start ---

// Every use case that may start the sandbox puts the guard back on sbx's
// sandbox-<name> remote after sbx rewrote it.
func TestUseCasesThatStartTheSandboxGuardSbxRemote(t *testing.T) {
	for _, tc := range []struct {
		name string
		act  func(w *world) error
	}{
		{"shell", func(w *world) error { return w.svc.Shell(ctx, "box", xec.Streams{}) }},
		{"shell exiting non-zero", func(w *world) error {
			w.sbx.execErr = &xec.ExitError{Argv: []string{"sbx"}, Code: 7}
			w.svc.Shell(ctx, "box", xec.Streams{})
			return nil
		}},
		{"stop", func(w *world) error { return w.svc.Stop(ctx, "box") }},
		{"attach", func(w *world) error {
			w.tmux.has = true
			return w.svc.Attach(ctx, "box", false, xec.Streams{})
		}},
		{"up on a registered sandbox", func(w *world) error { return w.svc.Up(ctx, lifecycle.UpRequest{Name: "box"}) }},
		{"run", func(w *world) error { return w.svc.Run(ctx, lifecycle.RunRequest{Name: "box", Task: "fix it"}) }},
		{"run --no-fetch", func(w *world) error {
			return w.svc.Run(ctx, lifecycle.RunRequest{Name: "box", Task: "fix it", NoFetch: true})
		}},
		{"run whose exec fails", func(w *world) error {
			w.sbx.execErr = sbx.ErrDaemonDown
			w.svc.Run(ctx, lifecycle.RunRequest{Name: "box", Task: "fix it"})
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, nil)
			w.registerBox()
			w.repo.config["remote.sandbox-box.url"] = "git://127.0.0.1:1234/repo" // as sbx rewrote it
			if err := tc.act(w); err != nil {
				t.Fatal(err)
			}
			if w.repo.config["remote.sandbox-box.tagOpt"] != "--no-tags" || w.repo.config["remote.sandbox-box.skipFetchAll"] != "true" {
				t.Errorf("sbx's remote not guarded: %q\n%s", w.repo.config, w.repo.log())
			}
		})
	}
}

// An agent that makes thousands of refs gets a report of the first ones
// and a count, not thousands of lines.
func TestRemoveNamesTheFirstUnfetchedRefsAndCountsTheRest(t *testing.T) {
	w := unsavedWorld(t)
	var lines []string
	for i := range 60 {
		lines = append(lines, fmt.Sprintf("ref %s  refs/heads/b%02d", hash("x"), i))
	}
	w.survey(lines...)
	err := w.svc.Remove(ctx, lifecycle.RemoveRequest{Name: "box"})
	if err == nil || strings.Count(err.Error(), "was not fetched") != 50 || !strings.Contains(err.Error(), "refs/heads/b49 (") ||
		!strings.HasSuffix(err.Error(), "\n  and 10 more refs not fetched") {
		t.Fatalf("err = %v", err)
	}
}
