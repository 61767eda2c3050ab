//go:build unix

package main

import (
	"regexp"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdRunHint runs a command that the last command's stderr suggested, as
// printed: `runhint REGEXP` takes the first match's first group and runs it
// with sh -c, so that a scenario proves a hint runs, and does what it
// says, rather than only reading it.
func cmdRunHint(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: runhint REGEXP")
	}
	m := regexp.MustCompile("(?m)" + args[0]).FindStringSubmatch(ts.ReadFile("stderr"))
	if len(m) < 2 {
		ts.Fatalf("no hint in stderr matches %q", args[0])
	}
	ts.Logf("running the hint: %s", m[1])
	err := ts.Exec("sh", "-c", m[1])
	if err != nil && !neg {
		ts.Fatalf("the hint %q failed: %v", m[1], err)
	}
	if err == nil && neg {
		ts.Fatalf("the hint %q succeeded unexpectedly", m[1])
	}
}
