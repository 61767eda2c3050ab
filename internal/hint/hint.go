// Package hint carries the next step for the user as a value: errors with
// hints, and exit codes that travel to main. Lower packages build them;
// only cmd/git-airlock renders them ("git-airlock: <err>", "hint: <hint>").
package hint

import (
	"errors"
	"fmt"
)

// Error is an error with next steps.
type Error struct {
	Err   error
	Hints []string
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// With attaches next steps to an error; nil stays nil.
func With(err error, hints ...string) error {
	if err == nil {
		return nil
	}
	return &Error{Err: err, Hints: hints}
}

// Errorf builds an error with next steps.
func Errorf(hints []string, format string, args ...any) error {
	return &Error{Err: fmt.Errorf(format, args...), Hints: hints}
}

// Of returns the next steps an error carries, outermost first.
func Of(err error) []string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hints
	}
	return nil
}

// ExitError carries a specific exit code through to main (an agent's own
// exit status, inspect's "findings" code) after its message, if any, was
// already printed.
type ExitError struct {
	Code int
	Err  error // nil: nothing more to print
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}
func (e *ExitError) Unwrap() error { return e.Err }
