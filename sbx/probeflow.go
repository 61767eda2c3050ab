package sbx

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx/sbxspec"
)

// BehaviourRequest asks ProbeBehaviour to check, on the installed sbx, every
// behaviour git-airlock relies on, with a throwaway sandbox made from a
// temporary repository.
type BehaviourRequest struct {
	Name string // the throwaway sandbox; must not exist
	Repo string // absolute path of a temporary repository with a commit
	// HostRemote reads the host repository's sandbox-<Name> remote URL
	// ("" when there is none): git is not this package's to run.
	HostRemote func(ctx context.Context) (string, error)
	// HostCommit adds a commit on a new branch of the temporary
	// repository, for sbx's own host-to-clone fetch to bring; nil when it
	// cannot (a server's copy).
	HostCommit func(ctx context.Context) error
}

// Fact is one checked behaviour: OK, or a mismatch with what was seen.
// Seen is every sbx command run to check it, for a mismatch to show.
type Fact struct {
	Name   string
	OK     bool
	Detail string
	Seen   []xec.Record
}

// prober checks one behaviour after another, keeping the commands each
// ran (Fact.Seen).
type prober struct {
	c     *Client
	req   BehaviourRequest
	caps  Capabilities
	facts []Fact
	seen  []xec.Record
}

func (p *prober) add(name string, ok bool, format string, args ...any) {
	p.facts = append(p.facts, Fact{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...), Seen: p.seen})
	p.seen = nil
}

// ProbeBehaviour creates the sandbox, checks each behaviour, and removes
// the sandbox again, also when ctx is cancelled (an interrupt): the
// removal runs on a context of its own. Every call into the throwaway
// sandbox counts as a write (-v echoes it, a dry run prints it): under
// dry-run the flow lists the calls of a probe whose checks all pass, and
// its facts mean nothing.
func (c *Client) ProbeBehaviour(ctx context.Context, req BehaviourRequest) []Fact {
	p := &prober{c: c, req: req}
	prev := c.Run.Record
	c.Run.Record = func(r xec.Record) {
		if prev != nil {
			prev(r)
		}
		p.seen = append(p.seen, r)
	}
	defer func() { c.Run.Record = prev }()

	caps, err := c.RequireClone(ctx)
	if err != nil {
		p.add("version", false, "%v", err)
		return p.facts
	}
	p.caps = caps
	p.add("version", true, "sbx %s, clone mode, run detaches with %s, policy %s", caps.Version, caps.DetachFlag, caps.PolicyInit)

	if err := c.Create(ctx, CreateRequest{Name: req.Name, Agent: "shell", Path: req.Repo}); err != nil {
		p.add("create", false, "%v", err)
		c.removeProbe(ctx, req.Name)
		return p.facts
	}
	defer c.removeProbe(ctx, req.Name)
	p.add("create", true, "sbx create --clone made sandbox %q", req.Name)

	for _, check := range []func(context.Context){p.list, p.findClone, p.exitCodes, p.noShell, p.streams, p.hostRemote,
		p.wake, p.missing, p.secrets, p.policy, p.errorStream, p.arguments, p.gemini, p.hostFetch, p.noInput} {
		check(ctx)
	}
	return p.facts
}

func (p *prober) list(ctx context.Context) {
	sb, err := p.c.Get(ctx, p.req.Name)
	if err != nil {
		p.add("ls --json", false, "%v", err)
		return
	}
	p.add("ls --json", true, "the sandbox is listed, status %q", sb.Status)
}

func (p *prober) findClone(ctx context.Context) {
	clone, err := p.c.ExecOutput(ctx, ExecRequest{Name: p.req.Name, Argv: []string{"git", "rev-parse", "--show-toplevel"}, Mutates: true})
	clone = strings.TrimSpace(clone)
	switch {
	case err != nil:
		p.add("clone", false, "cannot find the clone: %v", err)
	case !strings.HasPrefix(clone, "/"):
		p.add("clone", false, "git rev-parse --show-toplevel in the sandbox answered %q", clone)
	case filepath.Clean(clone) == filepath.Clean(p.req.Repo):
		p.add("clone", true, "a git clone at the host's path, %s", clone)
	default:
		p.add("clone", true, "a git clone at %s (not the host's path; discovered, as git-airlock does)", clone)
	}
}

func (p *prober) exitCodes(ctx context.Context) {
	err := p.c.Exec(ctx, ExecRequest{Name: p.req.Name, Argv: []string{"sh", "-c", "exit 7"}, Mutates: true})
	var ee *ExitError
	if errors.As(err, &ee) && ee.Code == 7 {
		p.add("exit code", true, "exec passes the command's exit status through (7)")
	} else {
		p.add("exit code", false, "exec of 'exit 7' gave %v", err)
	}
	err = p.c.Exec(ctx, ExecRequest{Name: p.req.Name, Argv: []string{"git-airlock-probe-no-such-program"}, Mutates: true})
	if errors.As(err, &ee) && ee.Code == 127 {
		p.add("exec argv", true, "a missing program is the command's exit 127, not a missing sandbox")
	} else {
		p.add("exec argv", false, "exec of a missing program gave %v", err)
	}
}

func (p *prober) noShell(ctx context.Context) {
	word := `a b;$HOME 'c'`
	rec := p.c.raw(ctx, append(p.c.execArgv(ExecRequest{Name: p.req.Name}), "printf", "%s", word)...)
	if rec.Code == 0 && string(rec.Stdout) == word {
		p.add("no shell", true, "exec passes each argument as given, without a shell")
	} else {
		p.add("no shell", false, "exec of printf %%s %q printed %q (exit %d)", word, rec.Stdout, rec.Code)
	}
}

func (p *prober) streams(ctx context.Context) {
	rec := p.c.raw(ctx, append(p.c.execArgv(ExecRequest{Name: p.req.Name}), "sh", "-c", "echo to-stdout; echo to-stderr >&2")...)
	if string(rec.Stdout) == "to-stdout\n" && strings.Contains(string(rec.Stderr), "to-stderr") {
		p.add("streams", true, "exec keeps the command's stdout and stderr apart")
	} else {
		p.add("streams", false, "exec does not keep stdout and stderr apart (stdout %q, stderr %q); what git-airlock reads from the clone may carry the command's warnings", rec.Stdout, rec.Stderr)
	}
}

func (p *prober) hostRemote(ctx context.Context) {
	if url, err := p.req.HostRemote(ctx); err != nil || !strings.HasPrefix(url, "git://") {
		p.add("host remote", false, "sandbox-%s on the host is %q (%v); git-airlock does not depend on it", p.req.Name, url, err)
	} else {
		p.add("host remote", true, "sandbox-%s on the host is %s", p.req.Name, url)
	}
}

func (p *prober) wake(ctx context.Context) {
	name := p.req.Name
	if err := p.c.Stop(ctx, name); err != nil {
		p.add("wake", false, "stop: %v", err)
		return
	}
	rec := p.c.raw(ctx, append(p.c.execArgv(ExecRequest{Name: name}), "true")...)
	switch {
	case rec.Code != 0:
		p.add("wake", false, "exec into the stopped sandbox exited %d: %s", rec.Code, oneLine(rec.Stderr))
	case len(strings.TrimSpace(string(rec.Stdout))) > 0:
		p.add("wake", true, "exec wakes a stopped sandbox and prints on stdout: %q (framed away)", oneLine(rec.Stdout))
	case len(strings.TrimSpace(string(rec.Stderr))) > 0:
		p.add("wake", true, "exec wakes a stopped sandbox and prints on stderr: %q", oneLine(rec.Stderr))
	default:
		p.add("wake", true, "exec wakes a stopped sandbox and prints nothing")
	}
	if url, err := p.req.HostRemote(ctx); err == nil && strings.HasPrefix(url, "git://") {
		p.add("restart", true, "sandbox-%s is back after a restart: %s", name, url)
	} else {
		p.add("restart", true, "sandbox-%s is gone after a restart (sbx before 0.45); git-airlock does not depend on it", name)
	}
}

func (p *prober) missing(ctx context.Context) {
	missing := p.req.Name + "-missing"
	rec := p.c.raw(ctx, append(p.c.execArgv(ExecRequest{Name: missing}), "true")...)
	if rec.Code != 0 && saysNoSandbox(string(rec.Stderr)+"\n"+string(rec.Stdout)) {
		p.add("missing", true, "a missing sandbox reads %q (exit %d)", oneLine(append(rec.Stderr, rec.Stdout...)), rec.Code)
	} else {
		p.add("missing", false, "exec into a missing sandbox exited %d with %q, which git-airlock does not recognise", rec.Code, oneLine(rec.Stderr))
	}
}

func (p *prober) secrets(ctx context.Context) {
	secrets, err := p.c.Secrets(ctx)
	if err != nil {
		var ue *UnsupportedError
		p.add("secret ls", errors.As(err, &ue), "%v", err)
		return
	}
	p.add("secret ls", true, "secret ls --json lists %d secrets", len(secrets))
}

func (p *prober) policy(ctx context.Context) {
	switch ok, err := p.c.PolicyInitialised(ctx); {
	case err != nil:
		p.add("policy", false, "%v", err)
	case ok:
		p.add("policy", true, "a default network policy is set")
	default:
		p.add("policy", true, "no default network policy yet ('git airlock up' sets one)")
	}
}

// errorStream: which stream sbx's own errors use since the 0.48 CLI
// migration is not documented; git-airlock reads both, and says which.
func (p *prober) errorStream(ctx context.Context) {
	missing := p.req.Name + "-missing"
	rec := p.c.raw(ctx, p.c.argv("stop", missing)...)
	switch {
	case rec.Code == 0:
		p.add("errors", false, "sbx stop of a missing sandbox succeeded")
	case saysNoSandbox(string(rec.Stderr)):
		p.add("errors", true, "sbx's own errors go to stderr: %q (exit %d)", oneLine(rec.Stderr), rec.Code)
	case saysNoSandbox(string(rec.Stdout)):
		p.add("errors", true, "sbx's own errors go to stdout: %q (exit %d); git-airlock reads both", oneLine(rec.Stdout), rec.Code)
	default:
		p.add("errors", false, "sbx stop of a missing sandbox exited %d with %q, which git-airlock does not recognise", rec.Code, oneLine(append(rec.Stderr, rec.Stdout...)))
	}
}

// Markers the arguments check prints: whether the shell agent still ran
// as a login shell (its image's own argument, -l) after `run -- SCRIPT`.
const (
	argsKept     = "airlock-probe-args-kept"
	argsReplaced = "airlock-probe-args-replaced"
)

// arguments checks how `sbx run NAME -- ARGS` combines ARGS with the
// agent's own arguments (sbxspec.ArgRule): the shell agent's image runs
// `bash -l`, and a script given as a bare word says whether -l survived.
// The script lies in the clone's .git, named from the clone's root, where
// both exec and the agent start.
func (p *prober) arguments(ctx context.Context) {
	script := ".git/airlock-probe-args.sh"
	body := "shopt -q login_shell && echo " + argsKept + " || echo " + argsReplaced
	err := p.c.Exec(ctx, ExecRequest{Name: p.req.Name, Argv: []string{"sh", "-c", `printf '%s\n' "$1" > "$0"`, script, body}, Mutates: true})
	if err != nil {
		p.add("arguments", false, "not checked: writing the script: %v", err)
		return
	}
	rec := p.c.raw(ctx, p.c.bin(), "run", "--name", p.req.Name, "--", script)
	out := string(rec.Stdout)
	got := sbxspec.ArgsWordReplaces
	switch {
	case strings.Contains(out, argsKept):
		got = sbxspec.ArgsEntrypointKept
	case strings.Contains(out, argsReplaced):
	case rec.Code != 0 && saysNoTerminal(string(rec.Stderr)+out):
		p.add("arguments", true, "not checked: sbx run needs a terminal (%q)", oneLine(rec.Stderr))
		return
	default:
		p.add("arguments", false, "sbx run -- SCRIPT exited %d and printed %q; git-airlock cannot tell how it combines arguments", rec.Code, oneLine(rec.Stdout))
		return
	}
	if want := p.caps.ArgRule(); got != want {
		p.add("arguments", false, "sbx run -- ARGS: %s; git-airlock expects of sbx %s: %s", got, p.caps.Version, want)
		return
	}
	p.add("arguments", true, "sbx run -- ARGS: %s, as git-airlock expects of sbx %s", got, p.caps.Version)
}

// saysNoTerminal: sbx refused a session for want of a terminal.
func saysNoTerminal(text string) bool {
	low := strings.ToLower(text)
	return strings.Contains(low, "terminal") || strings.Contains(low, "tty")
}

// gemini checks sbx's refusal of the agent it retired in 0.53, without
// creating one on an older sbx.
func (p *prober) gemini(ctx context.Context) {
	since, retired := p.caps.Retired("gemini")
	if !retired {
		p.add("gemini", true, "sbx %s still runs gemini (sbx retired it in %s); not created", p.caps.Version, retiredAgents["gemini"])
		return
	}
	name := p.req.Name + "-gemini"
	rec := p.c.raw(ctx, p.c.argv("create", "--clone", "--name", name, "gemini", p.req.Repo)...)
	text := string(rec.Stderr) + "\n" + string(rec.Stdout)
	switch {
	case rec.Code == 0 && !p.c.DryRun(): // (a dry run only listed it: the check passes)
		p.c.removeProbe(ctx, name)
		p.add("gemini", false, "sbx %s created a gemini sandbox; git-airlock refuses gemini from sbx %s", p.caps.Version, since)
	case refusesAgent(text, "gemini"):
		p.add("gemini", true, "sbx refuses gemini: %q (exit %d)", oneLine([]byte(strings.TrimSpace(text))), rec.Code)
	default:
		p.add("gemini", false, "sbx create of a gemini sandbox exited %d with %q, which git-airlock does not recognise as a refusal", rec.Code, oneLine([]byte(strings.TrimSpace(text))))
	}
}

// hostFetch checks sbx's own host-to-clone fetch (0.55): what refs it
// writes in the clone. git-airlock fetches the clone's refs/heads/* as the
// agent's work, so a branch it writes there would come back as the
// agent's.
func (p *prober) hostFetch(ctx context.Context) {
	verb := p.caps.HostFetch
	switch {
	case verb == "" && p.caps.Version.Less(HostFetchVersion):
		p.add("host fetch", true, "sbx %s does not fetch host commits into a clone itself (that came with %s)", p.caps.Version, HostFetchVersion)
		return
	case verb == "":
		p.add("host fetch", false, "sbx %s --help lists no command that fetches host commits into a clone", p.caps.Version)
		return
	}
	before, err := p.cloneRefs(ctx)
	if err == nil && p.req.HostCommit != nil {
		err = p.req.HostCommit(ctx)
	}
	if err != nil {
		p.add("host fetch", false, "not checked: %v", err)
		return
	}
	rec := p.c.raw(ctx, p.c.argv(verb, p.req.Name)...)
	after, err := p.cloneRefs(ctx)
	if rec.Code != 0 || err != nil {
		p.add("host fetch", false, "sbx %s %s exited %d (%s); refs: %v", verb, p.req.Name, rec.Code, oneLine(rec.Stderr), err)
		return
	}
	var heads, other []string
	for ref, oid := range after {
		if before[ref] == oid {
			continue
		}
		if strings.HasPrefix(ref, "refs/heads/") {
			heads = append(heads, ref)
		} else {
			other = append(other, ref)
		}
	}
	sort.Strings(heads)
	sort.Strings(other)
	switch {
	case len(heads) > 0:
		p.add("host fetch", false, "sbx %s wrote %s in the clone: a fetch of the sandbox brings it back as the agent's branch", verb, strings.Join(heads, ", "))
	case len(other) == 0:
		p.add("host fetch", false, "sbx %s %s changed no ref in the clone", verb, p.req.Name)
	default:
		p.add("host fetch", true, "sbx %s fetches the host's commits into %s, outside the branches git-airlock fetches", verb, strings.Join(other, ", "))
	}
}

// cloneRefs lists the clone's refs and their objects.
func (p *prober) cloneRefs(ctx context.Context) (map[string]string, error) {
	out, err := p.c.ExecOutput(ctx, ExecRequest{Name: p.req.Name, Argv: []string{"git", "for-each-ref", "--format=%(refname) %(objectname)"}, Mutates: true})
	if err != nil {
		return nil, err
	}
	refs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if name, oid, ok := strings.Cut(line, " "); ok {
			refs[name] = oid
		}
	}
	return refs, nil
}

// noInput checks NoInputFlag: a question fails at once and names the
// command that goes on. It asks `rm` without --force, which asks for
// confirmation, so it runs last.
func (p *prober) noInput(ctx context.Context) {
	if !p.caps.NoInput {
		p.add("no-input", p.caps.Version.Less(NoInputVersion), "sbx %s lists no %s among its global flags (it came with 0.48; every 0.53 page lists it); calls go without it", p.caps.Version, NoInputFlag)
		return
	}
	rec := p.c.raw(ctx, p.c.argv("rm", p.req.Name)...)
	next, ok := needsAnswer(string(rec.Stderr) + "\n" + string(rec.Stdout))
	_, err := p.c.Get(ctx, p.req.Name)
	switch {
	case err != nil:
		p.add("no-input", false, "sbx %s rm without --force: %v", NoInputFlag, err)
	case rec.Code == 0:
		p.add("no-input", false, "sbx %s rm without --force exited 0 and left the sandbox", NoInputFlag)
	case !ok:
		p.add("no-input", false, "sbx %s rm without --force exited %d with %q, which git-airlock does not recognise as a question it may not ask", NoInputFlag, rec.Code, oneLine(append(rec.Stderr, rec.Stdout...)))
	case next == "":
		p.add("no-input", true, "a question fails at once (exit %d) without naming a command to go on", rec.Code)
	default:
		p.add("no-input", true, "a question fails at once (exit %d) and names the next step: %s", rec.Code, next)
	}
}

// removeProbe removes the throwaway sandbox on a context that an interrupt
// does not cancel.
func (c *Client) removeProbe(ctx context.Context, name string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout())
	defer cancel()
	_ = c.Remove(ctx, name)
}

// raw runs sbx unframed, for the probe to see exactly what sbx prints.
func (c *Client) raw(ctx context.Context, argv ...string) xec.Record {
	var rec xec.Record
	rec.Argv = argv
	var out, errw strings.Builder
	err := c.bounded(ctx, xec.Cmd{Argv: argv, Stdout: &out, Stderr: &errw, Timeout: c.timeout(), Mutates: true}, c.outputLimit(0), xec.Quote(argv[:min(len(argv), 2)]...), "")
	rec.Stdout, rec.Stderr = []byte(out.String()), []byte(errw.String())
	var ee *xec.ExitError
	switch {
	case errors.As(err, &ee):
		rec.Code = ee.Code
	case err != nil:
		rec.Code = -1
		rec.Stderr = append(rec.Stderr, err.Error()...)
	}
	return rec
}

func oneLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	return s
}

// ProbeName is a throwaway sandbox name, unique per run.
func ProbeName(now time.Time) string {
	return fmt.Sprintf("airlock-probe-%d", now.UnixNano()%1e9)
}
