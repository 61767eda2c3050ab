// Package testprogress follows `go test -json` and says, at a steady
// interval, how far a long test run has got, so that a quiet step of
// `make test` is never mistaken for a hung one. It prints go test's own
// closing lines and the whole output of every test that failed, and
// nothing of the tests that passed. It is tooling for make, not part of
// git-airlock.
package testprogress

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

// Options say what to count and how to tell the time.
type Options struct {
	Prefix string // tests counted as progress: a name that starts with it ("TestScript/")
	Total  int    // how many there are, when known (0: not shown)
	Tick   <-chan time.Time
	Now    func() time.Time
}

// Follow copies the run from r to w as described above, until r ends. It
// reports whether every package passed: a run that never says so (a build
// failure, a crash) did not.
func Follow(r io.Reader, w io.Writer, o Options) (bool, error) {
	f := follower{w: w, o: o, start: o.Now(), output: map[string][]string{}, running: map[string]bool{}}
	lines := make(chan []byte)
	errc := make(chan error, 1)
	go func() {
		s := bufio.NewScanner(r)
		s.Buffer(make([]byte, 64*1024), 16*1024*1024)
		for s.Scan() {
			lines <- slices.Clone(s.Bytes())
		}
		errc <- s.Err()
		close(lines)
	}()
	for {
		select {
		case <-o.Tick:
			f.progress()
		case line, ok := <-lines:
			if !ok {
				return f.passed && !f.failed, <-errc
			}
			f.line(line)
		}
	}
}

type follower struct {
	w       io.Writer
	o       Options
	start   time.Time
	done    int
	output  map[string][]string // per test, until it ends
	running map[string]bool
	passed  bool // a package passed
	failed  bool // a package or a build failed
}

func (f *follower) line(b []byte) {
	var e event
	if json.Unmarshal(b, &e) != nil || e.Action == "" {
		fmt.Fprintf(f.w, "%s\n", b) // not an event: go's own message
		return
	}
	switch {
	case e.Action == "build-output":
		fmt.Fprint(f.w, e.Output)
	case e.Action == "build-fail":
		f.failed = true
	case e.Test == "":
		f.packageEvent(e)
	default:
		f.testEvent(e)
	}
}

func (f *follower) packageEvent(e event) {
	switch e.Action {
	case "output":
		if e.Output != "PASS\n" {
			fmt.Fprint(f.w, e.Output)
		}
	case "pass":
		f.passed = true
	case "fail":
		f.failed = true
	}
}

func (f *follower) testEvent(e event) {
	switch e.Action {
	case "run", "cont":
		f.running[e.Test] = true
	case "pause":
		delete(f.running, e.Test)
	case "output":
		f.output[e.Test] = append(f.output[e.Test], e.Output)
	case "pass", "skip", "fail":
		delete(f.running, e.Test)
		if e.Action == "fail" {
			fmt.Fprint(f.w, strings.Join(f.output[e.Test], ""))
		}
		delete(f.output, e.Test)
		if strings.HasPrefix(e.Test, f.o.Prefix) && e.Test != strings.TrimSuffix(f.o.Prefix, "/") {
			f.done++
		}
	}
}

// progress prints one line: how many are done, for how long it has run,
// and which are running now (a few, sorted).
func (f *follower) progress() {
	done := fmt.Sprint(f.done)
	if f.o.Total > 0 {
		done = fmt.Sprintf("%d of %d", f.done, f.o.Total)
	}
	var now []string
	for t := range f.running {
		if strings.HasPrefix(t, f.o.Prefix) && t != strings.TrimSuffix(f.o.Prefix, "/") {
			now = append(now, strings.TrimPrefix(t, f.o.Prefix))
		}
	}
	slices.Sort(now)
	more := ""
	if len(now) > 4 {
		now, more = now[:4], fmt.Sprintf(" and %d more", len(now)-4)
	}
	line := fmt.Sprintf("   … %s done after %s", done, f.o.Now().Sub(f.start).Round(time.Second))
	if len(now) > 0 {
		line += "; running " + strings.Join(now, ", ") + more
	}
	fmt.Fprintln(f.w, line)
}
