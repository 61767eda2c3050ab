package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/sandboxstore"
	"github.com/git-airlock/git-airlock/internal/tmux"
	"github.com/git-airlock/git-airlock/internal/workflow/lifecycle"
	"github.com/git-airlock/git-airlock/internal/workflow/workflowtest"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// recorder keeps the calls a fake received, as "Method arg arg".
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) record(method string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	parts := []string{method}
	for _, a := range args {
		parts = append(parts, fmt.Sprint(a))
	}
	r.calls = append(r.calls, strings.Join(parts, " "))
}

// called reports whether a call starting with prefix was made.
func (r *recorder) called(prefix string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.ContainsFunc(r.calls, func(c string) bool { return strings.HasPrefix(c, prefix) })
}

func (r *recorder) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.calls, "\n")
}

// fakeRepo is the host repository: facts, config, refs and a commit graph
// given as "a is an ancestor of b" pairs.
type fakeRepo struct {
	notes map[string]string // refs/notes/airlock: object → note
	recorder
	workflowtest.Situations
	facts      gitx.Worktree
	head       gitx.Head
	files      map[string]bool
	config     map[string]string
	entries    []gitx.ConfigEntry
	refs       map[string]string
	commits    map[string]bool
	ancestors  map[[2]string]bool
	ahead      map[string][2]int // "<commit> <base>" → ahead, behind
	reflogs    map[string][]string
	deleted    []string // DeleteRefs
	updates    [][]gitx.RefUpdate
	fetchErr   error
	submodules []string
	dirty      int // uncommitted changes in the work tree
}

func newRepo() *fakeRepo {
	return &fakeRepo{
		facts:  gitx.Worktree{Root: "/nonexistent/home/u/repo", HasCommit: true},
		head:   gitx.Head{Hash: hash("h"), Branch: "main"},
		config: map[string]string{}, refs: map[string]string{}, commits: map[string]bool{},
		ancestors: map[[2]string]bool{}, ahead: map[string][2]int{}, reflogs: map[string][]string{},
	}
}

func (r *fakeRepo) Lock(context.Context, gitx.LockWait) (func(), error) {
	r.record("Lock")
	return func() {}, nil
}
func (r *fakeRepo) Fetch(_ context.Context, _ xec.Streams, remotes ...string) error {
	r.record("Fetch", strings.Join(remotes, " "))
	return r.fetchErr
}
func (r *fakeRepo) InitialisedSubmodules(context.Context) ([]string, error) {
	return r.submodules, nil
}
func (r *fakeRepo) FetchInto(_ context.Context, _ xec.Streams, dir, url, ns string) error {
	r.record("FetchInto", dir, url, ns)
	return nil
}
func (r *fakeRepo) Facts() (gitx.Worktree, error)            { return r.facts, nil }
func (r *fakeRepo) Head() (gitx.Head, error)                 { return r.head, nil }
func (r *fakeRepo) Exists(rel string) bool                   { return r.files[rel] }
func (r *fakeRepo) Uncommitted(context.Context) (int, error) { return r.dirty, nil }
func (r *fakeRepo) AddSandboxRemote(_ context.Context, spec gitx.RemoteSpec) error {
	r.record("AddSandboxRemote", spec.Name, spec.URL)
	// As git would: the remote shows up in the next ConfigEntries.
	r.entries = append(r.entries, gitx.ConfigEntry{Key: "remote." + spec.Name + ".url", Value: spec.URL})
	return nil
}
func (r *fakeRepo) RemoveRemote(_ context.Context, name string) error {
	r.record("RemoveRemote", name)
	r.entries = slices.DeleteFunc(r.entries, func(e gitx.ConfigEntry) bool { return strings.HasPrefix(e.Key, "remote."+name+".") })
	return nil
}
func (r *fakeRepo) ConfigRead(_ context.Context, pattern string) ([]gitx.ConfigEntry, error) {
	return workflowtest.ConfigEntries(r.config, pattern), nil
}

func (r *fakeRepo) ConfigGet(_ context.Context, key string) (string, bool, error) {
	v, ok := r.config[key]
	return v, ok, nil
}
func (r *fakeRepo) ConfigSet(_ context.Context, key, value string) error {
	r.record("ConfigSet", key, value)
	r.config[key] = value
	return nil
}
func (r *fakeRepo) ConfigUnset(_ context.Context, key string) error {
	r.record("ConfigUnset", key)
	delete(r.config, key)
	return nil
}
func (r *fakeRepo) ConfigEntries(context.Context, string) ([]gitx.ConfigEntry, error) {
	r.record("ConfigEntries")
	return slices.Clone(r.entries), nil
}
func (r *fakeRepo) Refs(prefix string) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range r.refs {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out, nil
}
func (r *fakeRepo) HasCommit(h string) bool                 { return r.commits[h] }
func (r *fakeRepo) Notes(string) (map[string]string, error) { return r.notes, nil }
func (r *fakeRepo) IsAncestor(a, b string) (bool, error) {
	return a == b || r.ancestors[[2]string{a, b}], nil
}
func (r *fakeRepo) AheadBehind(_ context.Context, a, b string) (int, int, error) {
	r.record("AheadBehind", a, b)
	ab, ok := r.ahead[a+" "+b]
	if !ok {
		return 0, 0, errors.New("unknown revision")
	}
	return ab[0], ab[1], nil
}
func (r *fakeRepo) CountRefs(_ context.Context, base string, counted, plain []string) (map[string]gitx.CountedRef, error) {
	r.record("CountRefs", base, len(counted), len(plain))
	out := map[string]gitx.CountedRef{}
	for name, hash := range r.refs {
		ref := gitx.CountedRef{Commit: hash, Current: r.head.Branch != "" && name == "refs/heads/"+r.head.Branch}
		if !slices.ContainsFunc(append(slices.Clone(counted), plain...), func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		if ab, ok := r.ahead[hash+" "+base]; ok && slices.ContainsFunc(counted, func(p string) bool { return strings.HasPrefix(name, p) }) {
			ref.Counts = &gitx.Counts{Ahead: ab[0], Behind: ab[1]}
		}
		out[name] = ref
	}
	return out, nil
}
func (r *fakeRepo) DeleteRefs(_ context.Context, names []string) error {
	r.record("DeleteRefs", len(names))
	r.deleted = append(r.deleted, names...)
	return nil
}
func (r *fakeRepo) ReflogsCommits(_ context.Context, refs []string) ([]string, error) {
	var old []string
	for _, ref := range refs {
		old = append(old, r.reflogs[ref]...)
	}
	return old, nil
}

// Commits, Unreached and Independent answer from commits and ancestors,
// as the one-pass gitx calls would.
func (r *fakeRepo) Commits(_ context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, id := range ids {
		if r.commits[id] {
			out[id] = true
		}
	}
	return out, nil
}
func (r *fakeRepo) Unreached(_ context.Context, commits, tips []string) (map[string]bool, error) {
	r.record("Unreached", len(commits), len(tips))
	out := map[string]bool{}
	for _, c := range commits {
		if !slices.ContainsFunc(tips, func(t string) bool { ok, _ := r.IsAncestor(c, t); return ok }) {
			out[c] = true
		}
	}
	return out, nil
}
func (r *fakeRepo) Independent(_ context.Context, commits []string) ([]string, error) {
	var out []string
	for _, c := range commits {
		if !slices.ContainsFunc(commits, func(o string) bool { ok, _ := r.IsAncestor(c, o); return o != c && ok }) {
			out = append(out, c)
		}
	}
	return out, nil
}

// HooksDir is a directory with no hooks: up offers them.
func (r *fakeRepo) HooksDir(context.Context) (string, error) { return "/nonexistent/hooks", nil }
func (r *fakeRepo) UpdateRefs(_ context.Context, updates []gitx.RefUpdate) error {
	r.record("UpdateRefs", len(updates))
	r.updates = append(r.updates, updates)
	return nil
}

// fakeSbx is sbx: a list of sandboxes, and answers to exec by argv.
type fakeSbx struct {
	recorder
	dryRun      bool
	programErr  error // sbx not installed
	list        []sbx.Sandbox
	getErr      error
	initialised bool
	staleRecord bool              // PolicyKnownInitialised believes a record: true
	preset      string            // the preset git-airlock recorded setting ("" unknown)
	outputs     map[string]string // strings.Join(argv, " ") → stdout
	execErr     error             // of Exec
	secrets     []sbx.Secret
	// published: when set, Get reports the sandbox running with these
	// ports, and Ports lists them.
	published []sbx.Port
	put       []sbx.PutRequest // what Put was asked to copy
	attached  []sbx.Attachment // sbx processes attached to the sandbox
}

func newSbx() *fakeSbx {
	outputs := map[string]string{"git rev-parse --show-toplevel": "/home/u/repo\n"}
	// A new sandbox's facts (askNew), for an agent with an input config
	// (Claude's, the image's own: none) and one without.
	for _, file := range []string{"", ".claude/settings.json", ".codex/config.toml"} {
		outputs[strings.Join(lifecycle.NewFactsArgv(file), " ")] = "/home/u/repo\n" + lifecycle.NewFactsMark + "\n/home/agent\n"
	}
	return &fakeSbx{outputs: outputs, initialised: true}
}

func (s *fakeSbx) DryRun() bool { return s.dryRun }
func (s *fakeSbx) Program() (string, error) {
	if s.programErr != nil {
		return "", s.programErr
	}
	return "/usr/local/bin/sbx", nil
}
func (s *fakeSbx) Probe(context.Context) (sbx.Capabilities, error) {
	return sbx.Newest, nil
}
func (s *fakeSbx) RequireClone(context.Context) (sbx.Capabilities, error) {
	s.record("RequireClone")
	return sbx.Newest, nil
}
func (s *fakeSbx) List(context.Context) ([]sbx.Sandbox, error) { s.record("List"); return s.list, nil }
func (s *fakeSbx) Get(_ context.Context, name string) (sbx.Sandbox, error) {
	s.record("Get", name)
	if s.published != nil {
		return sbx.Sandbox{Name: name, Status: "running", Ports: s.published}, s.getErr
	}
	return sbx.Sandbox{Name: name}, s.getErr
}
func (s *fakeSbx) PolicyInitialised(context.Context) (bool, error) {
	s.record("PolicyInitialised")
	return s.initialised, nil
}

// PolicyKnownInitialised answers from a stale record when one is set.
func (s *fakeSbx) PolicyKnownInitialised(ctx context.Context) (bool, error) {
	if s.staleRecord {
		return true, nil
	}
	return s.PolicyInitialised(ctx)
}
func (s *fakeSbx) Ports(_ context.Context, name string) ([]sbx.Port, error) {
	s.record("Ports", name)
	return s.published, nil
}
func (s *fakeSbx) Publish(_ context.Context, name string, port, hostPort int) error {
	s.record("Publish", name, port, hostPort)
	if hostPort == 0 {
		hostPort = 40000 + port
	}
	s.published = append(s.published, sbx.Port{HostIP: "127.0.0.1", HostPort: hostPort, SandboxPort: port, Protocol: "tcp4"})
	return nil
}
func (s *fakeSbx) Unpublish(_ context.Context, name string, p sbx.Port) error {
	s.record("Unpublish", name, p.HostPort, p.SandboxPort)
	return nil
}
func (s *fakeSbx) PolicyInit(_ context.Context, preset string) error {
	s.record("PolicyInit", preset)
	s.initialised = true
	s.preset = preset
	return nil
}
func (s *fakeSbx) PolicyAllow(_ context.Context, name string, hosts []string) error {
	s.record("PolicyAllow", name, strings.Join(hosts, ","))
	return nil
}
func (s *fakeSbx) Create(_ context.Context, req sbx.CreateRequest) error {
	s.record("Create", req.Name, req.Agent, req.Path)
	if !s.initialised {
		return fmt.Errorf("create sandbox %q: %w", req.Name, sbx.ErrPolicyNotInitialised)
	}
	return nil
}
func (s *fakeSbx) Attach(_ context.Context, name string, args []string, _ xec.Streams) error {
	s.record("Attach", name, strings.Join(args, " "))
	return s.execErr
}
func (s *fakeSbx) Exec(_ context.Context, req sbx.ExecRequest) error {
	s.record("Exec", req.Name, strings.Join(req.Argv, " "))
	return s.execErr
}
func (s *fakeSbx) ExecOutput(_ context.Context, req sbx.ExecRequest) (string, error) {
	argv := strings.Join(req.Argv, " ")
	s.record("ExecOutput", req.Name, argv)
	out, ok := s.outputs[argv]
	if !ok {
		return "", fmt.Errorf("unexpected exec %q", argv)
	}
	return out, nil
}
func (s *fakeSbx) Put(_ context.Context, req sbx.PutRequest) error {
	s.record("Put", req.Name, req.Dir)
	s.put = append(s.put, req)
	return nil
}

// Stop answers for the name as sbx does: a sandbox Get does not find is
// missing here too.
func (s *fakeSbx) Stop(_ context.Context, name string) error {
	s.record("Stop", name)
	var nf *sbx.NotFoundError
	if errors.As(s.getErr, &nf) && !s.dryRun {
		return s.getErr
	}
	return nil
}
func (s *fakeSbx) Attached(context.Context, string) ([]sbx.Attachment, error) { return s.attached, nil }
func (s *fakeSbx) Remove(_ context.Context, name string) error {
	s.record("Remove", name)
	return nil
}
func (s *fakeSbx) Secrets(context.Context) ([]sbx.Secret, error) {
	s.record("Secrets")
	return s.secrets, nil
}
func (s *fakeSbx) SecretSetCommand(_ sbx.Capabilities, service string) []string {
	return []string{"sbx", "secret", "set", "-g", service}
}
func (s *fakeSbx) PolicyPreset() string { return s.preset }
func (s *fakeSbx) PolicyInitCommand(_ sbx.Capabilities, preset string) []string {
	return []string{"sbx", "policy", "init", preset}
}

// fakeTmux records the sessions it is asked to kill; nothing else is
// expected of it here.
type fakeTmux struct {
	recorder
	has bool // a session exists, and Attach to it returns at once
	// starts: NewSession is expected (recorded with its argv)
	starts bool
}

func (t *fakeTmux) HasSession(context.Context, string) (bool, error) { return t.has, nil }
func (t *fakeTmux) NewSession(_ context.Context, sess tmux.Session) error {
	name, argv, detached := sess.Name, sess.Argv, sess.Detached
	if !t.starts {
		panic("unexpected NewSession")
	}
	t.record("NewSession", name, detached, strings.Join(argv, " "))
	return nil
}
func (t *fakeTmux) SwitchClient(context.Context, string, io.Reader) error {
	panic("unexpected SwitchClient")
}
func (t *fakeTmux) Attach(_ context.Context, name string, _ io.Reader, _ io.Writer, _ io.Writer) error {
	if !t.has {
		panic("unexpected Attach")
	}
	t.record("Attach", name)
	return nil
}
func (t *fakeTmux) Kill(_ context.Context, name string) error { t.record("Kill", name); return nil }

// fakeUI records what the user is told.
type fakeUI = workflowtest.UI

// world is a Service over fakes.
type world struct {
	repo *fakeRepo
	sbx  *fakeSbx
	tmux *fakeTmux
	ui   *fakeUI
	svc  *service
	// store is the record store the service writes.
	store *fakeStore
}

// newWorld builds a Service; settings are git config entries (airlock.*),
// flags the global flags given.
func newWorld(t *testing.T, flags map[string][]string, settings ...gitx.ConfigEntry) *world {
	t.Helper()
	st, err := config.Load(config.Inputs{Git: settings, Flags: flags})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{repo: newRepo(), sbx: newSbx(), tmux: &fakeTmux{}, ui: &fakeUI{}}
	w.store = newStore(&w.repo.recorder)
	w.svc = &service{Common: &lifecycle.Common{UI: w.ui, Settings: st, Store: w.store}, Repo: w.repo, Sbx: w.sbx, Tmux: w.tmux, Home: "/nonexistent/home/u"}
	return w
}

// registerBox makes sandbox "box" known to this repository and to sbx.
func (w *world) registerBox() {
	w.repo.entries = append(w.repo.entries,
		gitx.ConfigEntry{Key: "remote.airlock-box.url", Value: "airlock://box/home/u/repo"},
		gitx.ConfigEntry{Key: "remote.airlock-box.airlockagent", Value: "claude"})
	w.svc.Entries = slices.Clone(w.repo.entries)
	w.sbx.list = append(w.sbx.list, sbx.Sandbox{Name: "box", Agent: "claude", Status: "running", Workspaces: []string{w.repo.facts.Root}})
}

// hash is a 40-hex commit id derived from a label.
func hash(label string) string {
	h := fmt.Sprintf("%x", label)
	return (h + strings.Repeat("0", 40))[:40]
}

// fakeStore is git-airlock's record store in memory. Its writes are
// recorded on the repository's log, in order with git's, as
// "PutSandbox box {Agent:claude Base:main …}".
type fakeStore struct {
	log       *recorder
	sandboxes map[string]sandboxstore.Sandbox
	removals  map[string]sandboxref.RemovalRecord
}

func newStore(log *recorder) *fakeStore {
	return &fakeStore{log: log, sandboxes: map[string]sandboxstore.Sandbox{}, removals: map[string]sandboxref.RemovalRecord{}}
}

func (s *fakeStore) PutSandbox(name string, r sandboxstore.Sandbox) error {
	s.log.record("PutSandbox", name, fmt.Sprintf("%+v", r))
	s.sandboxes[name] = r
	return nil
}
func (s *fakeStore) DropSandbox(name string) error {
	s.log.record("DropSandbox", name)
	delete(s.sandboxes, name)
	return nil
}
func (s *fakeStore) Sandboxes() (map[string]sandboxstore.Sandbox, error) {
	return maps.Clone(s.sandboxes), nil
}
func (s *fakeStore) PutRemoval(r sandboxref.RemovalRecord) error {
	s.log.record("PutRemoval", r.Removal, r.String())
	s.removals[r.Removal] = r
	return nil
}
func (s *fakeStore) DropRemoval(id string) error {
	s.log.record("DropRemoval", id)
	delete(s.removals, id)
	return nil
}
func (s *fakeStore) Removals() ([]sandboxref.RemovalRecord, error) {
	var out []sandboxref.RemovalRecord
	for _, id := range slices.Sorted(maps.Keys(s.removals)) {
		out = append(out, s.removals[id])
	}
	return out, nil
}
