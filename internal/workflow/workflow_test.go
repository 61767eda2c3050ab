package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/sandboxstore"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/workflowtest"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// remote is the config entries of one remote, as git lists them.
func remote(name, url string, extra ...string) []gitx.ConfigEntry {
	out := []gitx.ConfigEntry{{Key: "remote." + name + ".url", Value: url}}
	for i := 0; i+1 < len(extra); i += 2 {
		out = append(out, gitx.ConfigEntry{Key: "remote." + name + "." + extra[i], Value: extra[i+1]})
	}
	return out
}

func TestRegistered(t *testing.T) {
	entries := slices.Concat(
		remote("airlock-zed", "airlock://zed/home/u/repo"),
		remote("origin", "https://github.com/u/repo"),
		// A user's remote that only looks like ours.
		remote("airlock-mine", "https://github.com/u/fork"),
		// Our URL scheme, but the name points at another sandbox.
		remote("airlock-box", "airlock://other/home/u/repo"),
		// Malformed: a name that sbx would read as a flag, a path that
		// climbs, a port.
		remote("airlock--rf", "airlock://-rf/home/u/repo"),
		remote("airlock-up", "airlock://up/home/u/../../etc"),
		remote("airlock-port", "airlock://port:22/x"),
		// A section without a URL.
		[]gitx.ConfigEntry{{Key: "remote.airlock-nourl.fetch", Value: "+refs/heads/*:refs/remotes/airlock-nourl/*"}},
		// Registered by an older git-airlock: its record in the remote's
		// section.
		remote("airlock-alpha", "airlock://alpha/home/u/repo", "airlockagent", "codex", "airlockbase", "main", "fetch", "x"),
		// Both: the store's record wins, the old keys fill what it lacks.
		remote("airlock-both", "airlock://both/home/u/repo", "airlockagent", "codex", "airlocksbx", "/old/sbx"),
		[]gitx.ConfigEntry{{Key: "airlock.agent", Value: "claude"}},
	)
	records := map[string]sandboxstore.Sandbox{
		"zed":  {Agent: "claude", Base: "dev", Exit: "0"},
		"both": {Agent: "gemini"},
		"gone": {Agent: "kiro"}, // a record without its remote is nothing
	}
	got := workflow.Registered(entries, records)
	want := []workflow.Sandbox{
		{Name: "alpha", Remote: "airlock-alpha", URL: "airlock://alpha/home/u/repo", Path: "/home/u/repo", Agent: "codex", Base: "main",
			Record: sandboxstore.Sandbox{Agent: "codex", Base: "main"}, Legacy: []string{"remote.airlock-alpha.airlockAgent", "remote.airlock-alpha.airlockBase"}},
		{Name: "both", Remote: "airlock-both", URL: "airlock://both/home/u/repo", Path: "/home/u/repo", Agent: "gemini",
			Record: sandboxstore.Sandbox{Agent: "gemini", Sbx: "/old/sbx"}, Legacy: []string{"remote.airlock-both.airlockAgent", "remote.airlock-both.airlockSbx"}},
		{Name: "zed", Remote: "airlock-zed", URL: "airlock://zed/home/u/repo", Path: "/home/u/repo", Agent: "claude", Base: "dev",
			Record: sandboxstore.Sandbox{Agent: "claude", Base: "dev", Exit: "0"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Registered:\n got %+v\nwant %+v", got, want)
	}
	if got[0].Target() != (sandboxref.Target{Sandbox: "alpha", Path: "/home/u/repo"}) {
		t.Errorf("Target = %+v", got[0].Target())
	}
	if got := workflow.Registered(nil, records); len(got) != 0 {
		t.Errorf("Registered(nil) = %+v", got)
	}
}

func TestFindAndMustFind(t *testing.T) {
	list := []workflow.Sandbox{{Name: "a"}, {Name: "b"}}
	if sb, ok := workflow.Find(list, "b"); !ok || sb.Name != "b" {
		t.Errorf("Find(b) = %+v %v", sb, ok)
	}
	if _, ok := workflow.Find(list, "c"); ok {
		t.Error("Find(c) found something")
	}
	if _, err := workflow.MustFind(list, "a"); err != nil {
		t.Errorf("MustFind(a): %v", err)
	}
	_, err := workflow.MustFind(list, "c")
	if err == nil || !strings.Contains(err.Error(), `"c"`) || len(hint.Of(err)) == 0 {
		t.Errorf("MustFind(c) = %v, hints %q", err, hint.Of(err))
	}
}

func TestPickTarget(t *testing.T) {
	sbs := func(names ...string) []workflow.Sandbox {
		var out []workflow.Sandbox
		for _, n := range names {
			out = append(out, workflow.Sandbox{Name: n})
		}
		return out
	}
	tests := []struct {
		name  string
		named string
		list  []workflow.Sandbox
		def   string
		want  string
	}{
		{"named wins over the only sandbox", "x", sbs("only"), "def", "x"},
		{"named wins over the default", "x", sbs("a", "def"), "def", "x"},
		{"named need not be registered", "new", nil, "def", "new"},
		{"none: the default", "", nil, "def", "def"},
		{"the only sandbox, even if not the default", "", sbs("only"), "def", "only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := workflow.PickTarget(tc.named, tc.list, tc.def)
			if err != nil || got != tc.want {
				t.Errorf("PickTarget = %q, %v; want %q", got, err, tc.want)
			}
		})
	}

	// Several, the default among them: still the user's choice.
	_, err := workflow.PickTarget("", sbs("a", "b", "def"), "def")
	var amb *workflow.AmbiguousError
	if !errors.As(err, &amb) || err.Error() != "which sandbox? this repository has 3: a, b, def" {
		t.Fatalf("several sandboxes: %v", err)
	}
	if got := strings.Join(amb.Names(), " "); got != "a b def" {
		t.Errorf("Names = %q", got)
	}
}

func TestPickStart(t *testing.T) {
	claude := workflow.Sandbox{Name: "claude-r", Agent: "claude"}
	for _, tc := range []struct {
		name, named string
		list        []workflow.Sandbox
		want, err   string
	}{
		{"none: the default", "", nil, "codex-r", ""},
		{"the default exists", "", []workflow.Sandbox{claude}, "claude-r", ""},
		{"named: made if missing", "x", []workflow.Sandbox{claude}, "x", ""},
		{"AGENT=codex after a claude sandbox", "", []workflow.Sandbox{claude}, "",
			"which sandbox? this repository has claude-r (claude), and this would start a new one, codex-r"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def := "codex-r"
			if tc.name == "the default exists" {
				def = "claude-r"
			}
			got, err := workflow.PickStart(tc.named, tc.list, def)
			if got != tc.want || (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
				t.Errorf("PickStart = %q, %v; want %q, %q", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	remote := func(name string) []gitx.ConfigEntry {
		return []gitx.ConfigEntry{{Key: "remote.airlock-" + name + ".url", Value: "airlock://" + name + "/w"}}
	}
	two := append(remote("aa"), remote("bb")...)
	for _, tc := range []struct {
		entries []gitx.ConfigEntry
		name    string
		want    string
	}{
		{nil, "new", "git airlock diff"},
		{remote("aa"), "aa", "git airlock diff"},
		{remote("aa"), "bb", "git airlock --name bb diff"},
		{two, "aa", "git airlock --name aa diff"},
		{append(two, gitx.ConfigEntry{Key: "airlock.name", Value: "bb"}), "bb", "git airlock diff"},
		{append(remote("aa"), gitx.ConfigEntry{Key: "airlock.name", Value: "b"}), "aa", "git airlock --name aa diff"},
	} {
		if got := workflow.Suggest(tc.entries, tc.name, "diff"); got != tc.want {
			t.Errorf("Suggest(%v, %q) = %q; want %q", tc.entries, tc.name, got, tc.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 files", 1: "1 file", 2: "2 files"} {
		if got := workflow.Plural(n, "file", "files"); got != want {
			t.Errorf("Plural(%d) = %q", n, got)
		}
	}
}

// fetchRepo is a FetchRepo that records what it was asked.
type fetchRepo struct {
	mu         sync.Mutex
	calls      []string
	lockErr    error
	fetchErr   error
	submodules []string
	subErr     error
	failInto   map[string]bool // submodule URL → fails
	config     map[string]string
}

func (r *fetchRepo) ConfigRead(_ context.Context, pattern string) ([]gitx.ConfigEntry, error) {
	return workflowtest.ConfigEntries(r.config, pattern), nil
}

func (r *fetchRepo) ConfigSet(_ context.Context, key, value string) error {
	r.record("ConfigSet %s=%s", key, value)
	r.config[key] = value
	return nil
}

func (r *fetchRepo) ConfigUnset(_ context.Context, key string) error {
	r.record("ConfigUnset %s", key)
	return nil
}

// recordStore is a RecordStore whose writes land in the same call log.
type recordStore struct{ r *fetchRepo }

func (s recordStore) PutSandbox(name string, rec sandboxstore.Sandbox) error {
	s.r.record("PutSandbox %s %+v", name, rec)
	return nil
}

func (s recordStore) DropSandbox(name string) error {
	s.r.record("DropSandbox %s", name)
	return nil
}

func (r *fetchRepo) record(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf(format, args...))
}

func (r *fetchRepo) Lock(context.Context, gitx.LockWait) (func(), error) {
	r.record("Lock")
	if r.lockErr != nil {
		return nil, r.lockErr
	}
	return func() { r.record("Unlock") }, nil
}

func (r *fetchRepo) Fetch(_ context.Context, _ xec.Streams, remotes ...string) error {
	r.record("Fetch %s", strings.Join(remotes, " "))
	return r.fetchErr
}

func (r *fetchRepo) InitialisedSubmodules(context.Context) ([]string, error) {
	r.record("InitialisedSubmodules")
	return r.submodules, r.subErr
}

func (r *fetchRepo) FetchInto(_ context.Context, _ xec.Streams, dir, url, namespace string) error {
	r.record("FetchInto %s %s %s", dir, url, namespace)
	if r.failInto[url] {
		return errors.New("no such commit")
	}
	return nil
}

// fakeUI records what the user is told.
type fakeUI = workflowtest.UI

var (
	box   = workflow.Sandbox{Name: "box", Remote: "airlock-box", Path: "/home/u/repo"}
	other = workflow.Sandbox{Name: "other", Remote: "airlock-other", Path: "/work/repo"}
)

func TestFetchLocksAndFetchesAllRemotesInOneCall(t *testing.T) {
	r := &fetchRepo{}
	if err := workflow.Fetch(context.Background(), r, nil, &fakeUI{}, xec.Streams{}, false, box, other); err != nil {
		t.Fatal(err)
	}
	want := []string{"Lock", "Fetch airlock-box airlock-other", "InitialisedSubmodules", "Unlock"}
	if !slices.Equal(r.calls, want) {
		t.Errorf("calls = %q, want %q", r.calls, want)
	}
}

// A sandbox registered by an older git-airlock has its record moved out
// of git config under the lock, written to the store before its keys are
// unset; one registered since costs nothing; a dry run moves nothing.
func TestFetchMovesAnOlderRecordIntoTheStore(t *testing.T) {
	old := box
	old.Record = sandboxstore.Sandbox{Agent: "claude", Base: "main"}
	old.Legacy = []string{"remote.airlock-box.airlockAgent", "remote.airlock-box.airlockBase"}
	r := &fetchRepo{}
	if err := workflow.Fetch(context.Background(), r, recordStore{r}, &fakeUI{}, xec.Streams{}, false, old, other); err != nil {
		t.Fatal(err)
	}
	want := []string{"Lock", "PutSandbox box {Agent:claude Base:main Sbx: Group: Exit:}",
		"ConfigUnset remote.airlock-box.airlockAgent", "ConfigUnset remote.airlock-box.airlockBase",
		"Fetch airlock-box airlock-other", "InitialisedSubmodules", "Unlock"}
	if !slices.Equal(r.calls, want) {
		t.Errorf("calls = %q, want %q", r.calls, want)
	}
	r = &fetchRepo{}
	if err := workflow.Fetch(context.Background(), r, recordStore{r}, &fakeUI{}, xec.Streams{}, true, old); err != nil {
		t.Fatal(err)
	}
	if want := []string{"Fetch airlock-box", "InitialisedSubmodules"}; !slices.Equal(r.calls, want) {
		t.Errorf("dry run: calls = %q, want %q", r.calls, want)
	}
}

func TestFetchDryRunTakesNoLock(t *testing.T) {
	r := &fetchRepo{}
	if err := workflow.Fetch(context.Background(), r, nil, &fakeUI{}, xec.Streams{}, true, box); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(r.calls, "Lock") {
		t.Errorf("dry-run took the lock: %q", r.calls)
	}
	if !slices.Contains(r.calls, "Fetch airlock-box") {
		t.Errorf("dry-run did not issue the fetch (so --dry-run cannot print it): %q", r.calls)
	}
}

func TestFetchLockFailureFetchesNothing(t *testing.T) {
	lockErr := errors.New("locked by another git-airlock")
	r := &fetchRepo{lockErr: lockErr}
	err := workflow.Fetch(context.Background(), r, nil, &fakeUI{}, xec.Streams{}, false, box)
	if !errors.Is(err, lockErr) {
		t.Fatalf("err = %v", err)
	}
	if !slices.Equal(r.calls, []string{"Lock"}) {
		t.Errorf("calls = %q", r.calls)
	}
}

func TestFetchFailureStopsBeforeSubmodules(t *testing.T) {
	fetchErr := errors.New("sandbox asleep")
	r := &fetchRepo{fetchErr: fetchErr, submodules: []string{"lib"}}
	err := workflow.Fetch(context.Background(), r, nil, &fakeUI{}, xec.Streams{}, false, box)
	if !errors.Is(err, fetchErr) {
		t.Fatalf("err = %v", err)
	}
	for _, c := range r.calls {
		if strings.HasPrefix(c, "FetchInto") || c == "InitialisedSubmodules" {
			t.Errorf("went on after a failed fetch: %q", r.calls)
		}
	}
	if r.calls[len(r.calls)-1] != "Unlock" {
		t.Errorf("lock not released: %q", r.calls)
	}
}

func TestFetchSubmodulesIntoEachSandboxNamespace(t *testing.T) {
	noPath := workflow.Sandbox{Name: "nopath", Remote: "airlock-nopath"}
	r := &fetchRepo{submodules: []string{"lib", "vendor/dep"},
		failInto: map[string]bool{"airlock://box/home/u/repo/vendor/dep": true}}
	ui := &fakeUI{}
	if err := workflow.Fetch(context.Background(), r, nil, ui, xec.Streams{}, false, box, noPath, other); err != nil {
		t.Fatalf("a failed submodule fetch is not an error: %v", err)
	}
	var into []string
	for _, c := range r.calls {
		if strings.HasPrefix(c, "FetchInto") {
			into = append(into, c)
		}
	}
	want := []string{
		"FetchInto lib airlock://box/home/u/repo/lib airlock-box",
		"FetchInto vendor/dep airlock://box/home/u/repo/vendor/dep airlock-box",
		"FetchInto lib airlock://other/work/repo/lib airlock-other",
		"FetchInto vendor/dep airlock://other/work/repo/vendor/dep airlock-other",
	}
	if !slices.Equal(into, want) {
		t.Errorf("FetchInto calls:\n got %q\nwant %q", into, want)
	}
	if len(ui.Warns) != 1 || !strings.Contains(ui.Warns[0], `"box"`) || !strings.Contains(ui.Warns[0], "vendor/dep") {
		t.Errorf("warnings = %q", ui.Warns)
	}
}

func TestFetchSubmoduleListFailureIsReported(t *testing.T) {
	subErr := errors.New("bad .gitmodules")
	r := &fetchRepo{subErr: subErr}
	if err := workflow.Fetch(context.Background(), r, nil, &fakeUI{}, xec.Streams{}, false, box); !errors.Is(err, subErr) {
		t.Errorf("err = %v", err)
	}
}

// execSbx answers ExecOutput with a fixed reply and records the request.
type execSbx struct {
	dryRun bool
	out    string
	err    error
	reqs   []sbx.ExecRequest
}

func (s *execSbx) DryRun() bool { return s.dryRun }
func (s *execSbx) ExecOutput(_ context.Context, req sbx.ExecRequest) (string, error) {
	s.reqs = append(s.reqs, req)
	return s.out, s.err
}

func TestClonePath(t *testing.T) {
	tests := []struct {
		name string
		out  string
		want string
	}{
		{"plain", "/home/u/repo\n", "/home/u/repo"},
		{"wake-up banner first", "Starting sandbox box...\n/home/u/repo\n", "/home/u/repo"},
		{"carriage return", "/home/u/repo\r\n", "/home/u/repo"},
		{"space in path", "/home/u/my repo\n", "/home/u/my repo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &execSbx{out: tc.out}
			got, err := workflow.ClonePath(context.Background(), c, "box")
			if err != nil || got != tc.want {
				t.Fatalf("ClonePath = %q, %v; want %q", got, err, tc.want)
			}
			if len(c.reqs) != 1 || c.reqs[0].Name != "box" || !slices.Equal(c.reqs[0].Argv, gitx.CloneTopLevelArgv()) || c.reqs[0].Mutates {
				t.Errorf("requests = %+v", c.reqs)
			}
		})
	}
}

func TestClonePathRefusesGarbage(t *testing.T) {
	for _, out := range []string{"", "\n", "repo\n", "./repo", "/home/u/repo\nfatal: not a git repository\n", "/a\x00b\n", "/home/u/repo\n \n"} {
		c := &execSbx{out: out}
		p, err := workflow.ClonePath(context.Background(), c, "box")
		if err == nil {
			t.Errorf("ClonePath accepted %q as %q", out, p)
			continue
		}
		if !strings.Contains(err.Error(), `sandbox "box"`) {
			t.Errorf("error does not name the sandbox: %v", err)
		}
	}
}

func TestClonePathDryRunStillIssuesTheExec(t *testing.T) {
	// Under dry-run the client does not run an exec in a sandbox that is
	// not running: it answers nothing, or fails. Neither must stop the dry
	// run.
	for _, c := range []*execSbx{{dryRun: true}, {dryRun: true, err: &sbx.NotFoundError{Name: "box"}}} {
		got, err := workflow.ClonePath(context.Background(), c, "box")
		if err != nil || got != workflow.DryRunClonePath {
			t.Errorf("dry-run ClonePath = %q, %v", got, err)
		}
		if len(c.reqs) != 1 {
			t.Errorf("dry-run issued %d execs, want 1", len(c.reqs))
		}
	}
	// A running sandbox answers a dry run's read for real.
	c := &execSbx{dryRun: true, out: "/home/u/repo\n"}
	if got, err := workflow.ClonePath(context.Background(), c, "box"); err != nil || got != "/home/u/repo" {
		t.Errorf("dry-run ClonePath of a running sandbox = %q, %v", got, err)
	}
}

func TestClonePathNotFoundIsTyped(t *testing.T) {
	c := &execSbx{err: &sbx.NotFoundError{Name: "box"}}
	_, err := workflow.ClonePath(context.Background(), c, "box")
	var nf *sbx.NotFoundError
	if !errors.As(err, &nf) || nf.Name != "box" {
		t.Fatalf("err = %v, not a *sbx.NotFoundError", err)
	}
	if h := hint.Of(err); len(h) != 1 || !strings.Contains(h[0], "git airlock ls") {
		t.Errorf("hints = %q", h)
	}
	if !strings.Contains(err.Error(), `sandbox "box"`) {
		t.Errorf("error does not name the sandbox: %v", err)
	}
}

// Whatever ClonePath accepts becomes the path of the airlock-<name>
// remote's URL, which Registered must then be able to read back: otherwise
// the remote is added but never seen, and the next `up` fails to add it
// again.
func TestClonePathAnswersRoundTripThroughTheRemoteURL(t *testing.T) {
	for _, out := range []string{"/home/u/repo/\n", "/home/u/../u/repo\n", "/home//u/repo\n", "/home/u/re\x01po\n"} {
		p, err := workflow.ClonePath(context.Background(), &execSbx{out: out}, "box")
		if err != nil {
			continue // refused: fine
		}
		url := sandboxref.Target{Sandbox: "box", Path: p}.URL()
		if len(workflow.Registered(remote("airlock-box", url), nil)) != 1 {
			t.Errorf("ClonePath accepted %q as %q, but its remote URL %q is not read back", out, p, url)
		}
	}
}

// sbxRewritten is the config after sbx rewrote box's own remote on start.
func sbxRewritten() map[string]string {
	return map[string]string{"remote.sandbox-box.url": "git://127.0.0.1/x"}
}

func TestFetchGuardsSbxRemoteBeforeUnlocking(t *testing.T) {
	r := &fetchRepo{config: sbxRewritten()}
	if err := workflow.Fetch(context.Background(), r, nil, &fakeUI{}, xec.Streams{}, false, box, other); err != nil {
		t.Fatal(err)
	}
	want := []string{"Lock", "Fetch airlock-box airlock-other", "InitialisedSubmodules",
		"ConfigSet remote.sandbox-box.tagOpt=--no-tags", "ConfigSet remote.sandbox-box.pruneTags=false", "ConfigSet remote.sandbox-box.skipFetchAll=true", "Unlock"}
	if !slices.Equal(r.calls, want) {
		t.Errorf("calls:\n got %q\nwant %q", r.calls, want)
	}
}

func TestFetchFailureStillGuardsSbxRemote(t *testing.T) {
	// The fetch woke the sandbox (sbx rewrote its remote) and then failed.
	r := &fetchRepo{config: sbxRewritten(), fetchErr: errors.New("no such ref")}
	if err := workflow.Fetch(context.Background(), r, nil, &fakeUI{}, xec.Streams{}, false, box); err == nil {
		t.Fatal("no error")
	}
	if r.config["remote.sandbox-box.tagOpt"] != "--no-tags" || r.config["remote.sandbox-box.skipFetchAll"] != "true" {
		t.Errorf("not guarded after a failed fetch: %q", r.calls)
	}
}

func TestFetchDryRunWritesNoGuard(t *testing.T) {
	r := &fetchRepo{config: sbxRewritten()}
	if err := workflow.Fetch(context.Background(), r, nil, &fakeUI{}, xec.Streams{}, true, box); err != nil {
		t.Fatal(err)
	}
	for _, c := range r.calls {
		if strings.HasPrefix(c, "ConfigSet") {
			t.Errorf("dry-run wrote config: %q", r.calls)
		}
	}
}

// A git command that failed after printing its own error is named, not
// repeated; anything else passes through unchanged.
func TestShownError(t *testing.T) {
	gitErr := &xec.ExitError{Argv: []string{"git", "-C", "/r", "merge"}, Code: 1, Stderr: "error: untracked"}
	err := workflow.Shown("git merge", gitErr)
	var se *workflow.ShownError
	if !errors.As(err, &se) || err.Error() != "git merge failed (its message is above)" || !errors.Is(err, gitErr) {
		t.Errorf("Shown(git error) = %v", err)
	}
	other := errors.New("boom")
	if workflow.Shown("git merge", other) != other || workflow.Shown("git merge", nil) != nil {
		t.Error("Shown wrapped an error git did not print")
	}
}

// git fetch streams its own error to the user's stderr: the error Fetch
// returns names the step instead of carrying git's words a second time
// (every command that fetches: fetch, diff, wait, run --agents, compare).
// When nobody saw git's stderr, its words stay in the error.
func TestFetchFailureGitPrintedIsNamedOnce(t *testing.T) {
	gitErr := fmt.Errorf("fetch airlock-box: %w", &xec.ExitError{Argv: []string{"git", "-C", "/r", "fetch"}, Code: 128, Stderr: "fatal: advertised too much"})
	r := &fetchRepo{fetchErr: gitErr}
	err := workflow.Fetch(context.Background(), r, nil, &fakeUI{}, xec.Streams{Err: io.Discard}, false, box)
	var se *workflow.ShownError
	if !errors.As(err, &se) || err.Error() != "git fetch failed (its message is above)" || !errors.Is(err, gitErr) {
		t.Errorf("streamed: err = %v", err)
	}
	err = workflow.Fetch(context.Background(), r, nil, &fakeUI{}, xec.Streams{}, false, box)
	if errors.As(err, &se) || !strings.Contains(err.Error(), "advertised too much") {
		t.Errorf("captured: err = %v", err)
	}
}
