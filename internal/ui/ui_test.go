package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
)

// A warning about a step an interrupt cut short is not printed; any other
// warning is.
func TestWarnDropsInterrupted(t *testing.T) {
	var out bytes.Buffer
	u := &UI{Out: &out, Err: &out}
	u.Warnf("%v", fmt.Errorf("read git config %q: %w", "x", context.Canceled))
	if out.Len() != 0 {
		t.Errorf("printed %q", out.String())
	}
	u.Warnf("%v", errors.New("boom"))
	if got, want := out.String(), Prefix+"warning: boom\n"; got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
}
