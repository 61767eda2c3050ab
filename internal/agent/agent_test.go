package agent

import (
	"reflect"
	"testing"

	"github.com/git-airlock/git-airlock/sbx/sbxspec"
)

// From sbx 0.53 the image's own arguments are kept, so a subcommand the
// user repeats would run twice; before, a bare word replaced them and the
// subcommand must be given.
func TestSessionArgs(t *testing.T) {
	kiro, _ := Lookup("kiro")
	claude, _ := Lookup("claude")
	for _, tc := range []struct {
		a       Agent
		rule    sbxspec.ArgRule
		args    []string
		want    []string
		dropped string
	}{
		{kiro, sbxspec.ArgsEntrypointKept, []string{"chat", "explain"}, []string{"explain"}, "chat"},
		{kiro, sbxspec.ArgsEntrypointKept, []string{"explain"}, []string{"explain"}, ""},
		{kiro, sbxspec.ArgsWordReplaces, []string{"chat", "explain"}, []string{"chat", "explain"}, ""},
		{claude, sbxspec.ArgsEntrypointKept, []string{"--continue"}, []string{"--continue"}, ""},
		{claude, sbxspec.ArgsEntrypointKept, nil, nil, ""},
	} {
		got, dropped := tc.a.SessionArgs(tc.rule, tc.args)
		if !reflect.DeepEqual(got, tc.want) || dropped != tc.dropped {
			t.Errorf("%s %v %q: got %q (dropped %q), want %q (%q)", tc.a.Name, tc.rule, tc.args, got, dropped, tc.want, tc.dropped)
		}
	}
	if d, _ := Lookup("docker-agent"); d.Subcommand() != "run" || claude.Subcommand() != "" {
		t.Error("Subcommand")
	}
}
