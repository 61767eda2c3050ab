package sbx

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/internal/xec"
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
}

// Fact is one checked behaviour: OK, or a mismatch with what was seen.
type Fact struct {
	Name   string
	OK     bool
	Detail string
}

// ProbeBehaviour creates the sandbox, checks each behaviour, and removes
// the sandbox again, also when ctx is cancelled (an interrupt): the
// removal runs on a context of its own. Every call into the throwaway
// sandbox counts as a write (-v echoes it, a dry run prints it): under
// dry-run the flow lists the calls of a probe whose checks all pass, and
// its facts mean nothing.
func (c *Client) ProbeBehaviour(ctx context.Context, req BehaviourRequest) []Fact {
	var facts []Fact
	add := func(name string, ok bool, format string, args ...any) {
		facts = append(facts, Fact{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
	}

	caps, err := c.RequireClone(ctx)
	if err != nil {
		add("version", false, "%v", err)
		return facts
	}
	add("version", true, "sbx %s, clone mode, run detaches with %s, policy %s", caps.Version, caps.DetachFlag, caps.PolicyInit)

	if err := c.Create(ctx, CreateRequest{Name: req.Name, Agent: "shell", Path: req.Repo}); err != nil {
		add("create", false, "%v", err)
		c.removeProbe(ctx, req.Name)
		return facts
	}
	defer c.removeProbe(ctx, req.Name)
	add("create", true, "sbx create --clone made sandbox %q", req.Name)

	sb, err := c.Get(ctx, req.Name)
	switch {
	case err != nil:
		add("ls --json", false, "%v", err)
	default:
		add("ls --json", true, "the sandbox is listed, status %q", sb.Status)
	}

	clone, err := c.ExecOutput(ctx, ExecRequest{Name: req.Name, Argv: []string{"git", "rev-parse", "--show-toplevel"}, Mutates: true})
	clone = strings.TrimSpace(clone)
	switch {
	case err != nil:
		add("clone", false, "cannot find the clone: %v", err)
	case !strings.HasPrefix(clone, "/"):
		add("clone", false, "git rev-parse --show-toplevel in the sandbox answered %q", clone)
	case filepath.Clean(clone) == filepath.Clean(req.Repo):
		add("clone", true, "a git clone at the host's path, %s", clone)
	default:
		add("clone", true, "a git clone at %s (not the host's path; discovered, as git-airlock does)", clone)
	}

	err = c.Exec(ctx, ExecRequest{Name: req.Name, Argv: []string{"sh", "-c", "exit 7"}, Mutates: true})
	var ee *ExitError
	if errors.As(err, &ee) && ee.Code == 7 {
		add("exit code", true, "exec passes the command's exit status through (7)")
	} else {
		add("exit code", false, "exec of 'exit 7' gave %v", err)
	}
	err = c.Exec(ctx, ExecRequest{Name: req.Name, Argv: []string{"git-airlock-probe-no-such-program"}, Mutates: true})
	if errors.As(err, &ee) && ee.Code == 127 {
		add("exec argv", true, "a missing program is the command's exit 127, not a missing sandbox")
	} else {
		add("exec argv", false, "exec of a missing program gave %v", err)
	}

	word := `a b;$HOME 'c'`
	rec := c.raw(ctx, append(c.execArgv(ExecRequest{Name: req.Name}), "printf", "%s", word)...)
	if rec.Code == 0 && string(rec.Stdout) == word {
		add("no shell", true, "exec passes each argument as given, without a shell")
	} else {
		add("no shell", false, "exec of printf %%s %q printed %q (exit %d)", word, rec.Stdout, rec.Code)
	}
	rec = c.raw(ctx, append(c.execArgv(ExecRequest{Name: req.Name}), "sh", "-c", "echo to-stdout; echo to-stderr >&2")...)
	if string(rec.Stdout) == "to-stdout\n" && strings.Contains(string(rec.Stderr), "to-stderr") {
		add("streams", true, "exec keeps the command's stdout and stderr apart")
	} else {
		add("streams", false, "exec does not keep stdout and stderr apart (stdout %q, stderr %q); what git-airlock reads from the clone may carry the command's warnings", rec.Stdout, rec.Stderr)
	}

	if url, err := req.HostRemote(ctx); err != nil || !strings.HasPrefix(url, "git://") {
		add("host remote", false, "sandbox-%s on the host is %q (%v); git-airlock does not depend on it", req.Name, url, err)
	} else {
		add("host remote", true, "sandbox-%s on the host is %s", req.Name, url)
	}

	if err := c.Stop(ctx, req.Name); err != nil {
		add("wake", false, "stop: %v", err)
	} else {
		rec := c.raw(ctx, append(c.execArgv(ExecRequest{Name: req.Name}), "true")...)
		switch {
		case rec.Code != 0:
			add("wake", false, "exec into the stopped sandbox exited %d: %s", rec.Code, oneLine(rec.Stderr))
		case len(strings.TrimSpace(string(rec.Stdout))) > 0:
			add("wake", true, "exec wakes a stopped sandbox and prints on stdout: %q (framed away)", oneLine(rec.Stdout))
		case len(strings.TrimSpace(string(rec.Stderr))) > 0:
			add("wake", true, "exec wakes a stopped sandbox and prints on stderr: %q", oneLine(rec.Stderr))
		default:
			add("wake", true, "exec wakes a stopped sandbox and prints nothing")
		}
		if url, err := req.HostRemote(ctx); err == nil && strings.HasPrefix(url, "git://") {
			add("restart", true, "sandbox-%s is back after a restart: %s", req.Name, url)
		} else {
			add("restart", true, "sandbox-%s is gone after a restart (sbx before 0.45); git-airlock does not depend on it", req.Name)
		}
	}

	missing := req.Name + "-missing"
	rec = c.raw(ctx, append(c.execArgv(ExecRequest{Name: missing}), "true")...)
	if rec.Code != 0 && saysNoSandbox(string(rec.Stderr)+"\n"+string(rec.Stdout)) {
		add("missing", true, "a missing sandbox reads %q (exit %d)", oneLine(rec.Stderr), rec.Code)
	} else {
		add("missing", false, "exec into a missing sandbox exited %d with %q, which git-airlock does not recognise", rec.Code, oneLine(rec.Stderr))
	}

	if secrets, err := c.Secrets(ctx); err != nil {
		var ue *UnsupportedError
		add("secret ls", errors.As(err, &ue), "%v", err)
	} else {
		add("secret ls", true, "secret ls --json lists %d secrets", len(secrets))
	}

	if ok, err := c.PolicyInitialised(ctx); err != nil {
		add("policy", false, "%v", err)
	} else if ok {
		add("policy", true, "a default network policy is set")
	} else {
		add("policy", true, "no default network policy yet ('git airlock up' sets one)")
	}
	return facts
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
