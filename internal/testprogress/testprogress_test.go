package testprogress

import (
	"strings"
	"testing"
	"time"
)

const run = `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestScript"}
{"Action":"run","Package":"p","Test":"TestScript/a"}
{"Action":"output","Package":"p","Test":"TestScript/a","Output":"=== RUN   TestScript/a\n"}
{"Action":"run","Package":"p","Test":"TestScript/b"}
{"Action":"output","Package":"p","Test":"TestScript/b","Output":"    > git airlock diff\n"}
{"Action":"output","Package":"p","Test":"TestScript/b","Output":"    FAIL: b.txtar:3: unexpected stdout\n"}
{"Action":"pass","Package":"p","Test":"TestScript/a","Elapsed":1}
{"Action":"fail","Package":"p","Test":"TestScript/b","Elapsed":1}
{"Action":"fail","Package":"p","Test":"TestScript","Elapsed":2}
{"Action":"output","Package":"p","Output":"FAIL\n"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t2.000s\n"}
{"Action":"fail","Package":"p","Elapsed":2}
`

// TestFollowShowsFailuresAndTheClosingLines: a passing script's output is
// left out, a failing one's is shown whole, go test's own lines pass.
func TestFollowShowsFailuresAndTheClosingLines(t *testing.T) {
	var out strings.Builder
	ok, err := Follow(strings.NewReader(run), &out, Options{Prefix: "TestScript/", Now: time.Now})
	if err != nil || ok {
		t.Fatalf("Follow = %v, %v; want a failed run", ok, err)
	}
	want := "    > git airlock diff\n    FAIL: b.txtar:3: unexpected stdout\nFAIL\nFAIL\tp\t2.000s\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestFollowPasses(t *testing.T) {
	in := `{"Action":"output","Package":"p","Output":"PASS\n"}
{"Action":"output","Package":"p","Output":"ok  \tp\t1.0s\n"}
{"Action":"pass","Package":"p","Elapsed":1}
`
	var out strings.Builder
	ok, err := Follow(strings.NewReader(in), &out, Options{Now: time.Now})
	if err != nil || !ok || out.String() != "ok  \tp\t1.0s\n" {
		t.Fatalf("Follow = %v, %v, %q", ok, err, out.String())
	}
}

// TestFollowWithoutAVerdictFails: a build failure or a crash says no pass.
func TestFollowWithoutAVerdictFails(t *testing.T) {
	in := `{"ImportPath":"p","Action":"build-output","Output":"p/x.go:1: syntax error\n"}
{"ImportPath":"p","Action":"build-fail"}
FAIL	p [build failed]
`
	var out strings.Builder
	ok, _ := Follow(strings.NewReader(in), &out, Options{Now: time.Now})
	if ok || out.String() != "p/x.go:1: syntax error\nFAIL\tp [build failed]\n" {
		t.Fatalf("Follow = %v, %q", ok, out.String())
	}
}

func TestProgressLine(t *testing.T) {
	start := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	now := start
	var out strings.Builder
	f := follower{w: &out, o: Options{Prefix: "TestScript/", Total: 9, Now: func() time.Time { return now }},
		start: start, output: map[string][]string{}, running: map[string]bool{}}
	for _, l := range strings.Split(strings.TrimSpace(run), "\n")[:8] {
		f.line([]byte(l))
	}
	now = start.Add(90 * time.Second)
	f.progress()
	for _, n := range []string{"c", "d", "e", "f", "g"} {
		f.line([]byte(`{"Action":"run","Package":"p","Test":"TestScript/` + n + `"}`))
	}
	f.progress()
	// b's output waits for its end; a passed and is counted.
	want := "   … 1 of 9 done after 1m30s; running b\n" +
		"   … 1 of 9 done after 1m30s; running b, c, d, e and 2 more\n"
	if got := out.String(); got != want {
		t.Errorf("got\n%s", got)
	}
}
