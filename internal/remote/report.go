package remote

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/sbx"
)

// report turns how the tunnel ended into the helper's result: nil, one
// error naming the sandbox and the next step, or, for a fetch whose
// service never started because sbx says the sandbox is gone or cannot be
// asked, the refs fetched last time.
func (h *Helper) report(ctx context.Context, c *conn, e *tunnelEnd) error {
	if e.frame.Seen() && h.Repo != nil && ctx.Err() == nil {
		// The tunnel may have started the sandbox, and sbx then rewrote its
		// own sandbox-<name> remote: put the guard back now (best effort;
		// any git-airlock command does it again).
		_ = gitx.GuardSbxRemote(ctx, h.Repo, c.t.Sandbox)
	}
	err := stopped(ctx, c, e)
	if err == nil && !e.frame.Seen() {
		// sbx's own answer, for this name: only its missing-sandbox error
		// makes the sandbox gone. sbx's text is then dropped: one line
		// says why.
		err = sbx.Unstarted(e.req, e.frame, e.err)
		if _, ok := unreachedReason(c.t.Sandbox, err); ok {
			return h.unreached(c, err)
		}
		err = fmt.Errorf("the git service did not start in sandbox %q (sbx's message is above; 'git airlock --name %s status' shows the sandbox)", c.t.Sandbox, c.t.Sandbox)
	}
	e.held.start()
	_ = e.held.w.Flush()
	h.noise(e)
	switch {
	case err != nil:
		return err
	case e.replied != nil:
		return e.replied
	}
	var ee *sbx.ExitError
	if errors.As(e.err, &ee) {
		return &TunnelError{Sandbox: c.t.Sandbox, Service: c.verb, Code: ee.Code, Text: e.far.Text()}
	}
	if e.err == nil && c.verb == "upload-pack" {
		h.followHead(ctx, c.remote, e.adv)
	}
	return e.err
}

// stopped is the error of a tunnel the helper itself ended: interrupted,
// past a limit of the advertisement, a push naming a tag, or past a
// deadline.
func stopped(ctx context.Context, c *conn, e *tunnelEnd) error {
	name := c.t.Sandbox
	if ctx.Err() != nil || e.gone.Load() {
		return interrupted(name)
	}
	if p := e.over.Load(); p != nil {
		var le *LimitError
		if errors.As(*p, &le) {
			return hint.With(*p,
				fmt.Sprintf("see what the agent made: git airlock shell --name %s", name),
				fmt.Sprintf("if the repository really has that many, raise the limit: git config %s %d", le.Setting, 4*le.Limit))
		}
		return *p
	}
	if p := e.tag.Load(); p != nil {
		return hint.Errorf([]string{"push branches only; push.followTags adds annotated tags to a push: git push --no-follow-tags"},
			"tags never cross into a sandbox: the push named %s, and sandbox %q was not changed", *p, name)
	}
	if e.idle.fired.Load() && e.err != nil {
		return hint.Errorf([]string{
			"see whether it is running: git airlock --name " + name + " status",
			fmt.Sprintf("if the transfer is only slow, allow more time: git config airlock.timeout %s", 2*e.timeout),
		}, "sandbox %q sent and took nothing for %s (airlock.timeout); the connection was closed", name, e.timeout)
	}
	if e.late.Load() && !e.frame.Seen() {
		return hint.Errorf([]string{
			"see whether it is running: git airlock --name " + name + " status",
			fmt.Sprintf("if it is only slow to wake, allow more time: git config airlock.timeout %s", 2*e.timeout),
		}, "sandbox %q did not answer within %s (airlock.timeout)", name, e.timeout)
	}
	return nil
}

// noise says in one line what sbx printed on stdout before the service.
func (h *Helper) noise(e *tunnelEnd) {
	if n := e.frame.Noise(); n != "" {
		ui.Line(h.Err, "sbx printed: %s", quote.Text(n))
	}
}

// TunnelError is a tunnel whose far end failed. git has already reported
// what it saw on the protocol stream; Text is the service's own error,
// quoted.
type TunnelError struct {
	Sandbox string
	Service string // upload-pack, receive-pack
	Code    int
	Text    string
}

func (e *TunnelError) Error() string {
	if e.Text != "" {
		return fmt.Sprintf("git %s in sandbox %q failed (exit status %d): %s", e.Service, e.Sandbox, e.Code, e.Text)
	}
	return fmt.Sprintf("the git service in sandbox %q ended with exit status %d; git's message is above", e.Sandbox, e.Code)
}

// followHead keeps refs/remotes/<remote>/HEAD on the sandbox's checked-out
// branch, from the symref the advertisement carried. It runs after the
// service ended and before git writes the fetched refs, so it never races
// a write through the symref (the remote's HEAD refspec no longer writes
// there). A legacy remote is migrated instead: git already read its old
// refspecs for this fetch, so the symref waits for the next one.
func (h *Helper) followHead(ctx context.Context, remote string, adv *advertGuard) {
	if h.Repo == nil || !adv.head {
		return
	}
	migrated, err := h.Repo.MigrateSandboxRemote(ctx, remote)
	if err == nil && !migrated {
		err = h.Repo.FollowSandboxHead(ctx, remote, strings.TrimPrefix(adv.headTarget(), "refs/heads/"))
	}
	if err != nil {
		ui.Line(h.Err, "could not follow the sandbox's HEAD: %v", err)
	}
}

// reportSkipped says, one line a branch, which sandbox branches the fetch
// left out and why; they stay in the sandbox, where status and rm see them.
func (h *Helper) reportSkipped(sandbox string, skipped []SkippedRef) {
	for _, s := range skipped {
		ui.Line(h.Err, "skipped sandbox branch %q: %s; it stays in sandbox %q ('git airlock --name %s status --unfetched' lists it; rename it there: git airlock --name %s shell)",
			strings.TrimPrefix(s.Name, "refs/heads/"), s.Reason, sandbox, sandbox, sandbox)
	}
}
