// Command git-airlock runs a coding agent in a Docker Sandboxes microVM and
// brings its work back as ordinary git commits on an ordinary git remote.
//
// This package is the command syntax and the text for people: the kong
// model (one file per command, Run methods that adapt to the use cases in
// internal/workflow/...), the rendering of their results, signal handling,
// and the only os.Exit.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"reflect"
	"strconv"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/tmux"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow"
)

var version = "dev"

// usageExit is the exit status of a command line that does not parse, as
// git's own commands give (parse-options' 129).
const usageExit = 129

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], ui.New(os.Stdin, os.Stdout, os.Stderr, os.Getenv("NO_COLOR") != ""), os.LookupEnv, os.Environ())
	stop()
	os.Exit(code)
}

// run parses args and runs one command; it returns the exit code.
func run(ctx context.Context, args []string, u *ui.UI, env func(string) (string, bool), environ []string) int {
	if file, ok := env(tmux.EnvFileVar); ok {
		// The command of a tmux session (--tmux): its environment is
		// the invocation's, handed over in a file (internal/tmux).
		if err := takeSessionEnv(file); err != nil {
			return report(u.Err, hint.With(err, "git-airlock sets "+tmux.EnvFileVar+" for the command it starts in a tmux session; unset it"), false)
		}
		env, environ = os.LookupEnv, os.Environ()
	}
	options := []kong.Option{
		kong.Name("git-airlock"),
		kong.Description("Run a coding agent in a Docker Sandboxes microVM; get its work back as git commits."),
		kong.Writers(u.Out, u.Err),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		// A command's own flags first, then the global ones.
		kong.ExplicitGroups([]kong.Group{{Key: "global", Title: "Global flags:"}}),
		kong.Exit(func(code int) { panic(exitPanic(code)) }),
		kong.BindTo(ctx, (*context.Context)(nil)),
		kong.Vars{"version": "git-airlock " + version},
		kong.Bind(u, &Invocation{Args: args, Env: env, Environ: environ}),
	}
	if model, ok := scopedModel(args); ok {
		if parser, err := kong.New(model, options...); err == nil {
			describeExits(parser.Model)
			if code, parsed := runParsed(parser, args, u, true); parsed {
				return code
			}
		}
	}
	var cli CLI
	parser, err := kong.New(&cli, options...)
	if err != nil {
		ui.Line(u.Err, "%v", err)
		return 2
	}
	describeExits(parser.Model)
	code, _ := runParsed(parser, args, u, false)
	return code
}

// takeSessionEnv sets the environment a tmux session's file holds.
func takeSessionEnv(file string) error {
	vars, err := tmux.TakeEnv(file)
	if err != nil {
		return err
	}
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		if err := os.Setenv(k, v); err != nil {
			return fmt.Errorf("set %s from the session's environment: %w", k, err)
		}
	}
	return os.Unsetenv(tmux.EnvFileVar)
}

// wholeModel are the commands that read kong's model of every command.
var wholeModel = map[string]bool{"help": true, "completion": true, "man": true}

// scopedModel is a kong model of the global flags and of the one command
// the arguments start with. kong builds its model of every command before
// it parses (about 2.5 ms of CPU for 38 commands, more than a git process),
// and a command needs only its own. It declines (false) where the whole
// model is needed or could parse differently: no command first (`-v ls`),
// a command that reads the model (help, completion, man), a request for
// help. A scoped parse that fails is parsed again by the whole model,
// whose error is the one shown.
func scopedModel(args []string) (any, bool) {
	if len(args) == 0 || wholeModel[args[0]] {
		return nil, false
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--help" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "h") {
			return nil, false
		}
	}
	t := reflect.TypeFor[CLI]()
	for i := range t.NumField() {
		f := t.Field(i)
		if _, ok := f.Tag.Lookup("cmd"); !ok || cmp.Or(f.Tag.Get("name"), strings.ToLower(f.Name)) != args[0] {
			continue
		}
		return reflect.New(reflect.StructOf([]reflect.StructField{
			{Name: "Globals", Type: reflect.TypeFor[Globals](), Tag: `embed:""`},
			{Name: f.Name, Type: f.Type, Tag: f.Tag},
		})).Interface(), true
	}
	return nil, false
}

type exitPanic int

// runParsed parses args and runs the command. With scoped, a parse error
// is not reported: parsed is false, and the caller parses again with the
// whole model.
func runParsed(parser *kong.Kong, args []string, u *ui.UI, scoped bool) (code int, parsed bool) {
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(exitPanic)
			if !ok {
				panic(r)
			}
			code, parsed = int(c), true
		}
	}()
	if len(args) == 0 {
		// Like git: a short usage and the next step, and a usage error.
		fmt.Fprintln(u.Err, "usage: git airlock [<options>] <command> [<args>]")
		fmt.Fprintln(u.Err, "")
		fmt.Fprintln(u.Err, "Start an agent with 'git airlock up'; 'git airlock help' lists every command.")
		return usageExit, true
	}
	kongArgs, gitOptions, gitPaths := takeGitArgs(parser.Model, args)
	kctx, err := parser.Parse(kongArgs)
	if err != nil && scoped {
		return 0, false
	}
	if err == nil && kctx.Selected() != nil && kctx.Selected().Target.CanAddr() {
		if t, ok := kctx.Selected().Target.Addr().Interface().(gitArgsTaker); ok {
			t.takeGit(gitOptions, gitPaths)
		}
	}
	if err != nil {
		if name, visible, ok := hiddenCommand(err); ok {
			// A hidden command (hook, man) is for the shims and make
			// install; a mistyped call must not reveal its arguments:
			// it is told what any unknown word is.
			err = errors.New("unexpected argument " + name + suggestion(name, visible))
		}
		ui.Line(u.Err, "%v", err)
		fmt.Fprintln(u.Err, "hint: see 'git airlock help'")
		return usageExit, true
	}
	return report(u.Err, kctx.Run(), u.Verbose), true
}

// hiddenCommand reports the hidden command a parse error is about, and
// the visible commands beside it.
func hiddenCommand(err error) (name string, visible []string, ok bool) {
	var pe *kong.ParseError
	if !errors.As(err, &pe) || pe.Context == nil {
		return "", nil, false
	}
	for _, p := range pe.Context.Path {
		if p.Command != nil && p.Command.Hidden {
			if p.Parent != nil {
				for _, c := range p.Parent.Children {
					if c.Type == kong.CommandNode && !c.Hidden {
						visible = append(visible, c.Name)
					}
				}
			}
			return p.Command.Name, visible, true
		}
	}
	return "", nil, false
}

// suggestion is what kong adds to an unknown word, chosen the way kong
// chooses (a command the word begins, or one at most two edits away), for
// a word kong cannot be asked about: a hidden command's name.
func suggestion(word string, commands []string) string {
	var close []string
	for _, c := range commands {
		if strings.HasPrefix(c, word) || editDistance(c, word) <= 2 {
			close = append(close, strconv.Quote(c))
		}
	}
	switch len(close) {
	case 0:
		return ""
	case 1:
		return ", did you mean " + close[0] + "?"
	}
	return ", did you mean one of " + strings.Join(close, ", ") + "?"
}

// editDistance is the Levenshtein distance between two words.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// report prints an error with its hints and chooses the exit code.
// git's own error, already on stderr, is not repeated: only the step that
// failed is named, and with -v the whole error.
func report(w io.Writer, err error, verbose bool) int {
	if err == nil {
		return 0
	}
	var ee *hint.ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			report(w, ee.Err, verbose)
		}
		return ee.Code
	}
	if errors.Is(err, context.Canceled) {
		ui.Line(w, "interrupted")
		return 130
	}
	ui.Line(w, "%v", err) // masked there: errors carry what sbx, git and the sandbox said
	var shown *workflow.ShownError
	if verbose && errors.As(err, &shown) {
		ui.Line(w, "%v", shown.Err)
	}
	for _, h := range hint.Of(err) {
		fmt.Fprintf(w, "hint: %s\n", quote.Text(h))
	}
	return 1
}
