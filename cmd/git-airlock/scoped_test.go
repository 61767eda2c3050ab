package main

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/git-airlock/git-airlock/internal/ui"
)

// parseWith parses args with one model, as run does (without running the
// command), and returns what the parse filled in.
func parseWith(t *testing.T, model any, args []string) (cmd string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	u := &ui.UI{In: strings.NewReader(""), Out: &out, Err: &errOut}
	parser, err := kong.New(model, kong.Name("git-airlock"), kong.Writers(&out, &errOut),
		kong.Exit(func(code int) { panic(exitPanic(code)) }),
		kong.BindTo(context.Background(), (*context.Context)(nil)),
		kong.Bind(u, &Invocation{Args: args, Env: func(string) (string, bool) { return "", false }}))
	if err != nil {
		t.Fatalf("kong.New: %v", err)
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		return "", err
	}
	return kctx.Command(), nil
}

// TestScopedModelParsesAsWholeModel: where run parses with the model of one
// command, the command, its arguments and every flag (its own and the
// global ones) come out as the whole model would have them; where the
// scoped parse fails, run falls back to the whole model, so only agreement
// on success matters, and it must not succeed where the whole model fails.
func TestScopedModelParsesAsWholeModel(t *testing.T) {
	var whole CLI
	parser, err := kong.New(&whole, kong.Name("git-airlock"), kong.Exit(func(int) {}))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range parser.Model.Children {
		if _, ok := scopedModel([]string{n.Name}); ok == wholeModel[n.Name] {
			t.Errorf("scopedModel(%q) = %v, want %v", n.Name, ok, !wholeModel[n.Name])
		}
	}
	for _, args := range [][]string{
		{"ls"}, {"ls", "--json"}, {"ls", "--all-repos", "-q"}, {"ls", "--json", "--name", "box", "-v"},
		{"status", "--name=box", "--unfetched"}, {"status", "--dry-run"},
		{"run", "--agent", "codex", "fix the bug"}, {"run", "task", "--", "--agent"},
		{"up", "--tmux-detached", "--seed-config", "--", "-h", "--model", "x"},
		{"pr", "main", "topic"}, {"diff", "main"}, {"merge", "--name", "b"},
		{"hook", "pre-merge-commit"}, {"hooks", "install"}, {"config", "import", "sandbox.conf"},
		{"rm", "--force"}, {"fetch", "--all"}, {"version"},
		// errors: the whole model reports them
		{"ls", "extra"}, {"ls", "--name"}, {"ls", "--nope"}, {"run"}, {"hooks", "nope"},
	} {
		model, ok := scopedModel(args)
		if !ok {
			t.Errorf("scopedModel(%q) declined", args)
			continue
		}
		var w CLI
		wantCmd, wantErr := parseWith(t, &w, args)
		gotCmd, gotErr := parseWith(t, model, args)
		if gotErr != nil {
			if wantErr == nil {
				t.Errorf("%q: scoped parse fails (%v), the whole model parses it", args, gotErr)
			}
			continue
		}
		if wantErr != nil {
			t.Errorf("%q: scoped parse succeeds, the whole model fails: %v", args, wantErr)
			continue
		}
		if gotCmd != wantCmd {
			t.Errorf("%q: command %q, want %q", args, gotCmd, wantCmd)
		}
		sv := reflect.ValueOf(model).Elem()
		if g := sv.Field(0).Interface(); !reflect.DeepEqual(g, w.Globals) {
			t.Errorf("%q: globals %+v, want %+v", args, g, w.Globals)
		}
		name := sv.Type().Field(1).Name
		if g, want := sv.Field(1).Interface(), reflect.ValueOf(w).FieldByName(name).Interface(); !reflect.DeepEqual(g, want) {
			t.Errorf("%q: %s %+v, want %+v", args, name, g, want)
		}
	}
	for _, args := range [][]string{
		nil, {"-v", "ls"}, {"--name", "box", "status"}, {"ls", "--help"}, {"ls", "-h"}, {"ls", "-vh"},
		{"help", "ls"}, {"completion", "bash"}, {"man", "/tmp"}, {"nope"},
	} {
		if _, ok := scopedModel(args); ok {
			t.Errorf("scopedModel(%q) scoped, want the whole model", args)
		}
	}
}
