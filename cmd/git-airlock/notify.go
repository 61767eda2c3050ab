package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/notify"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// notifyFlag is --notify, on the commands that end when an agent does.
type notifyFlag struct {
	Notify bool `help:"Also notify the desktop (notify-send, osascript) or the terminal when it ends (airlock.notify)."`
}

// notifier is the notifier --notify and airlock.notify ask for; nil when
// neither does.
func notifier(l *Loaded, u *ui.UI, inv *Invocation, flag bool) *notify.Notifier {
	mode := notify.Mode(flag, l.Settings.Notify())
	if mode == notify.Off || l.Run.DryRun != nil {
		return nil
	}
	n := &notify.Notifier{Run: l.Run, Mode: mode, GOOS: runtime.GOOS, LookPath: xec.LookPath}
	if u.ErrTerminal {
		n.Terminal = u.Err
	}
	n.TermProgram, _ = inv.Env("TERM_PROGRAM")
	n.Term, _ = inv.Env("TERM")
	return n
}

// send delivers a notification; a notifier that fails is a warning, since
// the text on stderr has said it all already.
func send(ctx context.Context, n *notify.Notifier, u *ui.UI, summary, body string) {
	if n == nil {
		return
	}
	if _, err := n.Send(ctx, summary, body); err != nil {
		u.Warnf("%v", err)
	}
}

// notifyEnd notifies of the end of run or up in the foreground, from the
// error the use case returned.
func notifyEnd(ctx context.Context, n *notify.Notifier, u *ui.UI, l *Loaded, name, what string, err error) {
	if n == nil {
		return
	}
	var ee *hint.ExitError
	switch {
	case err == nil:
		send(ctx, n, u, fmt.Sprintf("git airlock: %s finished", name), what+" ended; review with '"+workflow.Suggest(l.Entries, name, "diff")+"'")
	case errors.As(err, &ee):
		send(ctx, n, u, fmt.Sprintf("git airlock: %s failed", name), fmt.Sprintf("%s ended with status %d", what, ee.Code))
	case errors.Is(err, context.Canceled):
	default:
		send(ctx, n, u, fmt.Sprintf("git airlock: %s failed", name), err.Error())
	}
}
