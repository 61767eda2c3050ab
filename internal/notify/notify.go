// Package notify tells the user, through what the platform has, that an
// agent finished or waits for input: notify-send on Linux and other
// Unix desktops, osascript on macOS, otherwise a bell and an OSC 9 / OSC
// 777 notification on the terminal, or a program the user configured
// (airlock.notify). None of them is required: without any, the caller's
// text on stderr is all there is.
//
// Its boundary: it builds argv for those tools and runs them through
// internal/xec; text is cleaned here of control characters (it may come
// from the sandbox) and never reaches a shell.
package notify

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// Modes of airlock.notify besides a program.
const (
	Off      = ""
	Auto     = "auto"     // the platform's notifier, else the terminal
	Terminal = "terminal" // bell and OSC only
)

// Mode reads airlock.notify and --notify: the flag turns notifications
// on with the platform's notifier unless the setting names a mode or a
// program; "true" means Auto; "false" (or unset) and no flag is Off.
func Mode(flag bool, setting string) string {
	switch strings.ToLower(strings.TrimSpace(setting)) {
	case "", "false", "no", "off", "0":
		if flag {
			return Auto
		}
		return Off
	case "true", "yes", "on", "1", "auto":
		return Auto
	case "terminal":
		return Terminal
	}
	return strings.TrimSpace(setting)
}

// Notifier sends notifications.
type Notifier struct {
	Run  *xec.Runner
	Mode string // Auto, Terminal or a program
	GOOS string
	// LookPath finds a program on PATH.
	LookPath func(string) (string, error)
	// Terminal is the user's terminal (stderr when it is one), nil when
	// there is none; TermProgram and Term are $TERM_PROGRAM and $TERM.
	Terminal          io.Writer
	TermProgram, Term string
}

// limit is the longest summary or body sent, in characters.
const limit = 200

// Send delivers one notification and says how ("notify-send",
// "osascript", "terminal", the program); "" when nothing could deliver
// it, which is not an error: the caller has printed its text already.
func (n *Notifier) Send(ctx context.Context, summary, body string) (string, error) {
	summary, body = Clean(summary, limit), Clean(body, limit)
	if n.Mode == Off {
		return "", nil
	}
	if n.Mode != Auto && n.Mode != Terminal {
		// A program of the user's, called as notify-send is.
		return n.Mode, n.run(ctx, []string{n.Mode, summary, body})
	}
	if n.Mode == Auto {
		switch {
		case n.GOOS == "darwin" && n.found("osascript"):
			// The texts are the run handler's arguments, never part of
			// the script.
			argv := []string{"osascript", "-e", "on run argv", "-e", "display notification (item 2 of argv) with title (item 1 of argv)",
				"-e", "end run", summary, body}
			if err := n.run(ctx, argv); err == nil {
				return "osascript", nil
			}
		case n.GOOS != "windows" && n.GOOS != "darwin" && n.found("notify-send"):
			// notify-send [OPTIONS] SUMMARY [BODY]; "--" ends the options,
			// so a text starting with "-" stays text.
			if err := n.run(ctx, []string{"notify-send", "--app-name=git-airlock", "--", summary, body}); err == nil {
				return "notify-send", nil
			}
		}
	}
	if n.Terminal == nil {
		return "", nil
	}
	_, err := io.WriteString(n.Terminal, n.terminalSequence(summary, body))
	return "terminal", err
}

func (n *Notifier) found(prog string) bool {
	if n.LookPath == nil {
		return false
	}
	_, err := n.LookPath(prog)
	return err == nil
}

func (n *Notifier) run(ctx context.Context, argv []string) error {
	err := n.Run.Run(ctx, xec.Cmd{Argv: argv, Timeout: 10 * time.Second})
	if err != nil {
		return fmt.Errorf("notify with %s: %w", argv[0], err)
	}
	return nil
}

// terminalSequence is OSC 777 (rxvt, foot, Ghostty, WezTerm: a title and
// a body) or OSC 9 (iTerm2, Windows Terminal, kitty and most others: one
// text), each after a bell for terminals that know neither. Terminals
// ignore an OSC they do not know.
func (n *Notifier) terminalSequence(summary, body string) string {
	osc777 := strings.HasPrefix(n.Term, "rxvt") || strings.HasPrefix(n.Term, "foot") ||
		n.TermProgram == "ghostty" || n.TermProgram == "WezTerm"
	if osc777 {
		return "\a\x1b]777;notify;" + strings.ReplaceAll(summary, ";", ",") + ";" + body + "\x1b\\"
	}
	text := summary
	if body != "" {
		text += ": " + body
	}
	return "\a\x1b]9;" + text + "\x1b\\"
}

// Clean makes text fit for a notification and a terminal: control
// characters (escape sequences, bells, newlines) become spaces, runs of
// spaces one, and the text is cut to max characters with an ellipsis.
func Clean(s string, max int) string {
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			space = b.Len() > 0
			continue
		}
		if n >= max {
			b.WriteString("…")
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
