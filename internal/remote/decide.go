package remote

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// decide settles what it can before any tunnel: the service, a fetch that
// would prune the host's tags, a sleeping sandbox that may not be woken, and
// where the clone is when the URL does not say. settled reports that the
// connection has been answered (from the refs fetched last time) or has
// failed with err; otherwise c is ready for the tunnel.
func (h *Helper) decide(ctx context.Context, c *conn, service string) (settled bool, err error) {
	switch service {
	case "git-upload-pack":
		c.verb = "upload-pack"
	case "git-receive-pack":
		c.verb = "receive-pack"
	default:
		return true, &ProtocolError{Msg: fmt.Sprintf("unsupported service %q", service)}
	}
	c.fallback = c.verb == "upload-pack" && !h.Wake.Forced
	if c.verb == "upload-pack" {
		if err := h.pruneTagsGuard(ctx, c.remote); err != nil {
			return true, err
		}
	}
	if c.fallback {
		if why := h.Wake.refused(ctx); why != "" {
			if settled, err := h.asleep(ctx, c, why); settled {
				return true, err
			}
		}
	}
	if c.t.Path == "" {
		p, err := h.clonePath(ctx, c.t.Sandbox)
		if ctx.Err() != nil {
			return true, interrupted(c.t.Sandbox)
		}
		if err != nil {
			return true, h.unreached(c, err)
		}
		c.t.Path = p
	}
	return false, nil
}

// pruneTagsGuard keeps a fetch from deleting the host's tags. The helper
// advertises none, so a fetch that prunes tags (fetch.pruneTags, or the
// remote's own pruneTags) would delete every one. Remotes registered now
// carry pruneTags=false; an older one gets it here, but git read its config
// before it started the helper, so a fetch that would prune is refused this
// once, while the host has a tag to lose.
func (h *Helper) pruneTagsGuard(ctx context.Context, remote string) error {
	if h.Repo == nil || !slices.Contains(h.Remotes, remote) {
		return nil // a URL: git prunes nothing for it
	}
	var set error
	if !h.PruneTags.RemoteSet {
		set = h.Repo.ConfigSet(ctx, "remote."+remote+".pruneTags", "false")
	}
	if !h.PruneTags.On {
		return nil
	}
	if tags, err := h.Repo.Refs("refs/tags/"); err == nil && len(tags) == 0 {
		return nil
	}
	setting, next := "fetch.pruneTags", "remote."+remote+".pruneTags is false now: fetch again"
	switch {
	case h.PruneTags.RemoteSet:
		setting, next = "remote."+remote+".pruneTags", "keep this repository's tags: git config remote."+remote+".pruneTags false"
	case set != nil:
		next = "keep this repository's tags: git config remote." + remote + ".pruneTags false, then fetch again"
	}
	return hint.Errorf([]string{next},
		"a fetch from %s would delete every tag of this repository (%s is true): tags never cross from a sandbox, so it advertises none; nothing was fetched", remote, setting)
}

// Wake is the one policy for starting a stopped sandbox on a fetch. A
// fetch git-airlock runs itself (GIT_AIRLOCK_WAKE=1, gitx.WakeEnv) is
// Forced: it wakes whatever the settings say, and fails rather than serve
// the refs fetched last time. Any other fetch (plain git, an IDE) wakes
// unless it is a background fetch nobody waits for (git maintenance's
// prefetch) or airlock.wakeOnFetch is false; then the helper answers from
// the refs fetched last time. Both are read lazily: only a fetch of a
// stopped sandbox asks.
type Wake struct {
	Forced     bool
	Background func(context.Context) bool // a fetch nobody waits for
	OnFetch    func(context.Context) bool // airlock.wakeOnFetch
}

// refused says why a stopped sandbox is not to be woken, or "" when it
// may be.
func (w Wake) refused(ctx context.Context) string {
	switch {
	case w.Forced:
		return ""
	case w.Background != nil && w.Background(ctx):
		return "this is a background fetch (git maintenance prefetch)"
	case w.OnFetch != nil && !w.OnFetch(ctx):
		return "airlock.wakeOnFetch is false"
	}
	return ""
}

// asleep answers a fetch that may not wake the sandbox, from the refs
// fetched last time, unless sbx lists it running. Only sbx's list is asked,
// never the sandbox (an exec would wake it): a sandbox the list lacks is
// not woken, but not called gone either.
func (h *Helper) asleep(ctx context.Context, c *conn, why string) (settled bool, err error) {
	sb, err := h.Sbx.Get(ctx, c.t.Sandbox)
	var nf *sbx.NotFoundError
	switch {
	case errors.As(err, &nf):
		return true, h.serveLast(c, reason{why: fmt.Sprintf("sbx does not list sandbox %q", c.t.Sandbox),
			next: "if it is gone, keep its branches and drop the remote: git airlock --name " + c.t.Sandbox + " rm"})
	case err != nil:
		r, ok := unreachedReason(c.t.Sandbox, err)
		if !ok {
			first, _, _ := strings.Cut(err.Error(), "\n")
			r = reason{why: fmt.Sprintf("cannot ask sbx about sandbox %q (%s)", c.t.Sandbox, first)}
		}
		return true, h.serveLast(c, r)
	case !sb.Running():
		return true, h.serveLast(c, reason{why: fmt.Sprintf("sandbox %q is stopped and %s", c.t.Sandbox, why),
			next: "wake it: git airlock --name " + c.t.Sandbox + " fetch"})
	}
	return false, nil
}

// clonePath asks the sandbox where its clone is (never assumed: real sbx
// mirrors the host path, other setups may not).
func (h *Helper) clonePath(ctx context.Context, sandbox string) (string, error) {
	out, err := h.Sbx.ExecOutput(ctx, sbx.ExecRequest{Name: sandbox, Argv: gitx.CloneTopLevelArgv()})
	if err != nil {
		return "", err
	}
	p, err := gitx.ParseCloneTopLevel(out)
	if err != nil {
		return "", fmt.Errorf("find the clone: %w", err)
	}
	return p, nil
}

// reason is why a fetch is answered from the refs fetched last time, and
// the next step.
type reason struct {
	why, next string
	gone      bool // sbx said the sandbox does not exist
}

// unreachedReason says why sandbox cannot be reached when err is sbx's own
// answer that it does not exist, or sbx itself not answering; ok is false
// for any other failure, which a fetch must not hide.
func unreachedReason(sandbox string, err error) (r reason, ok bool) {
	var nf *sbx.NotFoundError
	var me *sbx.MissingError
	var ue *sbx.UnreachableError
	var te *xec.TimeoutError
	switch {
	case errors.As(err, &nf):
		return reason{why: fmt.Sprintf("sandbox %q no longer exists", sandbox), gone: true,
			next: "keep its branches and drop the remote: git airlock --name " + sandbox + " rm"}, true
	case errors.As(err, &ue):
		return reason{why: fmt.Sprintf("%s (where sandbox %q lives)", ue, sandbox)}, true
	case errors.As(err, &me):
		return reason{why: fmt.Sprintf("%s is not installed or not on PATH (an app started from the desktop may lack your shell's PATH), so sandbox %q cannot be reached", me.Bin, sandbox)}, true
	case errors.Is(err, sbx.ErrDaemonDown):
		return reason{why: fmt.Sprintf("sbx's daemon is not running, so sandbox %q cannot be reached", sandbox), next: "start it: sbx daemon start"}, true
	case errors.Is(err, sbx.ErrNotLoggedIn):
		return reason{why: fmt.Sprintf("sbx is not logged in, so sandbox %q cannot be reached", sandbox), next: "log in: sbx login"}, true
	case errors.As(err, &te):
		return reason{why: fmt.Sprintf("sbx did not answer about sandbox %q within %s (airlock.timeout)", sandbox, te.Timeout)}, true
	}
	return reason{}, false
}

// unreached answers a connection whose sandbox could not be reached: a
// fetch is served from the refs fetched last time when sbx says the sandbox
// is gone or cannot itself be asked; anything else fails, naming the
// sandbox.
func (h *Helper) unreached(c *conn, err error) error {
	r, ok := unreachedReason(c.t.Sandbox, err)
	if !ok || !c.fallback {
		return sandboxError(c.t, err)
	}
	return h.serveLast(c, r)
}

// sandboxError is a failure to reach the sandbox that git-airlock's own
// fetch or a push reports as it is, with the next step.
func sandboxError(t sandboxref.Target, err error) error {
	var nf *sbx.NotFoundError
	if errors.As(err, &nf) {
		return fmt.Errorf("sandbox %q no longer exists; branches fetched from it are kept (see 'git airlock ls')", t.Sandbox)
	}
	return fmt.Errorf("sandbox %q: %w", t.Sandbox, sbx.WithNextStep(err))
}
