// Command testprogress reads `go test -json` on stdin and prints a line of
// progress every 20 seconds, the closing lines, and the output of failed
// tests (see package testprogress). make test runs the end-to-end scripts
// through it.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/git-airlock/git-airlock/internal/testprogress"
)

func main() {
	prefix := flag.String("prefix", "", "count the tests whose name starts with this")
	total := flag.Int("total", 0, "how many such tests there are")
	every := flag.Duration("every", 20*time.Second, "how often to say how far the run has got")
	flag.Parse()
	t := time.NewTicker(*every)
	defer t.Stop()
	ok, err := testprogress.Follow(os.Stdin, os.Stdout, testprogress.Options{Prefix: *prefix, Total: *total, Tick: t.C, Now: time.Now})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testprogress:", err)
	}
	if !ok || err != nil {
		os.Exit(1)
	}
}
