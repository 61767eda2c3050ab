package workflow_test

import (
	"context"
	"slices"
	"testing"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/workflow/workflowtest"
)

type mapConfig struct {
	values map[string]string
	sets   []string
}

func (m *mapConfig) ConfigRead(_ context.Context, pattern string) ([]gitx.ConfigEntry, error) {
	return workflowtest.ConfigEntries(m.values, pattern), nil
}

func (m *mapConfig) ConfigSet(_ context.Context, key, value string) error {
	m.sets = append(m.sets, key+"="+value)
	m.values[key] = value
	return nil
}

func TestGuardSbxRemote(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values map[string]string
		want   []string
	}{
		{"no sbx remote: nothing written", map[string]string{}, nil},
		{"rewritten by sbx: both put back", map[string]string{"remote.sandbox-box.url": "git://x"},
			[]string{"remote.sandbox-box.tagOpt=--no-tags", "remote.sandbox-box.skipFetchAll=true"}},
		{"a tag-following value is replaced", map[string]string{"remote.sandbox-box.url": "git://x",
			"remote.sandbox-box.tagOpt": "--tags", "remote.sandbox-box.skipFetchAll": "true"},
			[]string{"remote.sandbox-box.tagOpt=--no-tags"}},
		{"already guarded: no write", map[string]string{"remote.sandbox-box.url": "git://x",
			"remote.sandbox-box.tagOpt": "--no-tags", "remote.sandbox-box.skipFetchAll": "true"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &mapConfig{values: tc.values}
			if err := workflow.GuardSbxRemote(context.Background(), m, "box"); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(m.sets, tc.want) {
				t.Errorf("wrote %q, want %q", m.sets, tc.want)
			}
		})
	}
}

func TestSbxRemoteGuarded(t *testing.T) {
	e := func(k, v string) gitx.ConfigEntry { return gitx.ConfigEntry{Key: k, Value: v} }
	for _, tc := range []struct {
		name    string
		entries []gitx.ConfigEntry
		want    bool
	}{
		{"no sbx remote", []gitx.ConfigEntry{e("remote.airlock-box.url", "airlock://box")}, true},
		{"rewritten by sbx", []gitx.ConfigEntry{e("remote.sandbox-box.url", "git://x")}, false},
		{"guarded", []gitx.ConfigEntry{e("remote.sandbox-box.url", "git://x"), e("remote.sandbox-box.tagopt", "--no-tags"), e("remote.sandbox-box.skipfetchall", "true")}, true},
		{"last value wins", []gitx.ConfigEntry{e("remote.sandbox-box.url", "git://x"), e("remote.sandbox-box.tagopt", "--no-tags"),
			e("remote.sandbox-box.skipfetchall", "true"), e("remote.sandbox-box.tagopt", "--tags")}, false},
		{"another sandbox's", []gitx.ConfigEntry{e("remote.sandbox-boxer.url", "git://x")}, true},
	} {
		if got := workflow.SbxRemoteGuarded(tc.entries, "box"); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
