package workflow_test

import (
	"context"
	"slices"
	"testing"

	"github.com/git-airlock/git-airlock/internal/workflow"
)

type mapConfig struct {
	values map[string]string
	sets   []string
}

func (m *mapConfig) ConfigGet(_ context.Context, key string) (string, bool, error) {
	v, ok := m.values[key]
	return v, ok, nil
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
