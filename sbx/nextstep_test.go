package sbx

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/hint"
)

func TestWithNextStep(t *testing.T) {
	if WithNextStep(nil) != nil {
		t.Error("WithNextStep(nil) != nil")
	}
	tests := []struct {
		err  error
		hint string
	}{
		{&MissingError{}, "git airlock setup"},
		{&MissingError{Bin: "sbx", Host: "build@server"}, "install sbx on build@server"},
		{&UnsupportedError{}, "upgrade sbx"},
		{fmt.Errorf("list: %w", ErrNotLoggedIn), "sbx login"},
		{fmt.Errorf("list: %w", ErrDaemonDown), "sbx daemon start"},
		{fmt.Errorf("get: %w", &NotFoundError{Name: "box"}), "git airlock ls"},
		{&OutputLimitError{Name: "box"}, "git airlock shell --name box"},
	}
	for _, tc := range tests {
		got := WithNextStep(tc.err)
		if !errors.Is(got, tc.err) {
			t.Errorf("WithNextStep(%v) lost the error: %v", tc.err, got)
		}
		if h := hint.Of(got); len(h) != 1 || !strings.Contains(h[0], tc.hint) {
			t.Errorf("WithNextStep(%v) hints = %q, want one containing %q", tc.err, h, tc.hint)
		}
	}
	plain := errors.New("boom")
	if got := WithNextStep(plain); got != plain || hint.Of(got) != nil {
		t.Errorf("WithNextStep(plain) = %#v", got)
	}
}
