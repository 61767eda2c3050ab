// Package ui is git-airlock's output contract: results on stdout (text or
// JSON), logs, progress and prompts on stderr with a "git-airlock:" prefix
// and "hint:" lines, colour only on a terminal and never with NO_COLOR.
package ui

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/git-airlock/git-airlock/internal/quote"
)

// UI carries the streams and the verbosity.
type UI struct {
	In       io.Reader
	Out, Err io.Writer
	Quiet    bool
	Verbose  bool
	// DryRun marks progress messages as what would happen.
	DryRun   bool
	Color    bool // on stderr
	OutColor bool // on stdout (doctor's levels)
	// Interactive: stdin is a terminal, so prompts may be asked.
	Interactive bool
	// ErrTerminal: stderr is a terminal (a bell or OSC notification may
	// be written to it).
	ErrTerminal bool

	in *bufio.Reader
}

// New builds a UI for the process's streams. noColor is NO_COLOR's presence.
func New(in *os.File, out, errw *os.File, noColor bool) *UI {
	// Prompts need someone at the keyboard: stdin decides, as for git's own
	// prompts; stderr may be redirected to a log.
	return &UI{In: in, Out: out, Err: errw, Color: term.IsTerminal(int(errw.Fd())) && !noColor,
		OutColor:    term.IsTerminal(int(out.Fd())) && !noColor,
		Interactive: term.IsTerminal(int(in.Fd())), ErrTerminal: term.IsTerminal(int(errw.Fd()))}
}

// UseColor applies git's colour setting for git-airlock's output
// (color.airlock, else color.ui): "always" colours both streams, "never"
// and "false" neither; anything else ("auto", "true", unset) leaves the
// choice to whether each stream is a terminal, as git does.
func (u *UI) UseColor(setting string) {
	switch strings.ToLower(setting) {
	case "always":
		u.Color, u.OutColor = true, true
	case "never", "false", "no", "off", "0":
		u.Color, u.OutColor = false, false
	}
}

func (u *UI) paint(code, s string) string {
	if !u.Color {
		return s
	}
	return paint(code, s)
}

func paint(code, s string) string { return "\033[" + code + "m" + s + "\033[0m" }

// Prefix starts every line git-airlock writes to stderr.
const Prefix = "git-airlock: "

// Line writes one prefixed line to w, whatever -q says: for what must be
// seen (an error, a report of risks).
//
// Every message line is masked (quote.Text): messages carry what sbx, git
// and the sandbox said, and none of it may act on the terminal. Only this
// package's own colours are raw.
func Line(w io.Writer, format string, args ...any) {
	fmt.Fprint(w, Prefix+quote.Text(fmt.Sprintf(format, args...))+"\n")
}

// Notef writes a prefixed line to stderr, whatever -q says.
func (u *UI) Notef(format string, args ...any) { Line(u.Err, format, args...) }

// CanAsk reports whether a terminal can answer questions.
func (u *UI) CanAsk() bool { return u.Interactive }

// Infof logs progress; dropped with -q.
func (u *UI) Infof(format string, args ...any) {
	if u.Quiet {
		return
	}
	prefix := Prefix
	if u.DryRun {
		prefix += "(dry run) "
	}
	fmt.Fprint(u.Err, prefix+quote.Text(fmt.Sprintf(format, args...))+"\n")
}

// Warnf logs a warning; dropped with -q, and dropped when one of its
// arguments is an error an interrupt caused (context.Canceled): the
// command reports "interrupted" once, not each step the interrupt cut
// short.
func (u *UI) Warnf(format string, args ...any) {
	if u.Quiet || interrupted(args) {
		return
	}
	msg := quote.Text(fmt.Sprintf(format, args...))
	first, rest, _ := strings.Cut(msg, "\n")
	fmt.Fprint(u.Err, Prefix+u.paint("33", "warning:")+" "+first+"\n")
	if rest != "" {
		fmt.Fprintln(u.Err, rest)
	}
}

// Hint prints a next step; dropped with -q.
func (u *UI) Hint(format string, args ...any) {
	if u.Quiet {
		return
	}
	fmt.Fprint(u.Err, u.paint("2", "hint:")+" "+quote.Text(fmt.Sprintf(format, args...))+"\n")
}

// Debugf prints only with -v.
func (u *UI) Debugf(format string, args ...any) {
	if u.Verbose {
		Line(u.Err, format, args...)
	}
}

// OutTerminal reports whether stdout is a terminal.
func (u *UI) OutTerminal() bool {
	f, ok := u.Out.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Printf writes a result line to stdout.
func (u *UI) Printf(format string, args ...any) { fmt.Fprintf(u.Out, format, args...) }

// JSON writes v as indented JSON to stdout.
func (u *UI) JSON(v any) error {
	enc := json.NewEncoder(u.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "<sandbox>" stays readable; this is no web page
	return enc.Encode(v)
}

// Confirm asks a yes/no question on a terminal; without one it answers no.
func (u *UI) Confirm(question string) bool {
	if !u.Interactive {
		return false
	}
	fmt.Fprintf(u.Err, Prefix+"%s [y/N] ", quote.Text(question))
	if u.in == nil {
		u.in = bufio.NewReader(u.In)
	}
	line, _ := u.in.ReadString('\n')
	line = strings.ToLower(strings.TrimSpace(line))
	return line == "y" || line == "yes"
}

// Ask asks for one line on a terminal and returns it trimmed; without a
// terminal it answers "".
func (u *UI) Ask(question string) string {
	if !u.Interactive {
		return ""
	}
	fmt.Fprintf(u.Err, Prefix+"%s ", question)
	if u.in == nil {
		u.in = bufio.NewReader(u.In)
	}
	line, _ := u.in.ReadString('\n')
	return strings.TrimSpace(line)
}

func (u *UI) paintOut(code, s string) string {
	if !u.OutColor {
		return s
	}
	return paint(code, s)
}

// Status renders OK/WARN/FAIL labels for doctor, on stdout.
func (u *UI) Status(level string) string {
	switch level {
	case "OK":
		return u.paintOut("32", "OK  ")
	case "WARN":
		return u.paintOut("33", "WARN")
	case "FAIL":
		return u.paintOut("31", "FAIL")
	}
	return level
}

// Table is a command's result as aligned columns on stdout. tabwriter
// writes every cell on its own, a system call each (hundreds for a long
// list, each slow on a terminal), so the table goes out in one write when
// it is flushed.
type Table struct {
	*tabwriter.Writer
	buf *bufio.Writer
}

// Table starts a table on stdout; Flush writes it.
func (u *UI) Table() *Table {
	buf := bufio.NewWriterSize(u.Out, 64<<10)
	return &Table{Writer: tabwriter.NewWriter(buf, 0, 4, 2, ' ', 0), buf: buf}
}

// Flush aligns and writes what the table holds.
func (t *Table) Flush() error {
	if err := t.Writer.Flush(); err != nil {
		return err
	}
	return t.buf.Flush()
}

func interrupted(args []any) bool {
	for _, a := range args {
		if err, ok := a.(error); ok && errors.Is(err, context.Canceled) {
			return true
		}
	}
	return false
}
