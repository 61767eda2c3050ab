package remote

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

func pkt(s string) string { return fmt.Sprintf("%04x%s", len(s)+4, s) }

// feed writes stream in small pieces, split mid-header and mid-line,
// through one buffer that is overwritten after each write, as io.Copy's
// is: the guard may keep nothing of what it was given.
func feed(a *advertGuard, stream string, step int) error {
	buf := make([]byte, step)
	for i := 0; i < len(stream); i += step {
		n := copy(buf, stream[i:min(i+step, len(stream))])
		if _, err := a.Write(buf[:n]); err != nil {
			return err
		}
		for j := range buf {
			buf[j] = 'X'
		}
	}
	return nil
}

func TestAdvertGuardLeavesOutCollidingBranchesV0(t *testing.T) {
	a1, a2 := strings.Repeat("a", 40), strings.Repeat("b", 40)
	check := &sandboxref.NameCheck{Remote: "airlock-box", Remotes: []string{"origin", "airlock-box"}}
	for _, tc := range []struct {
		name, in, want string
		skipped        []string
		symref         string
	}{
		{"HEAD branch is the symref target",
			pkt(a1+" HEAD\x00multi_ack symref=HEAD:refs/heads/HEAD agent=git/2\n") + pkt(a1+" refs/heads/HEAD\n") + pkt(a2+" refs/heads/main\n") + "0000" + "PACK",
			pkt(a1+" HEAD\x00multi_ack agent=git/2\n") + pkt(a2+" refs/heads/main\n") + "0000" + "PACK",
			[]string{"refs/heads/HEAD"}, ""},
		{"first line left out: its capabilities move to the next",
			pkt(a1+" refs/heads/ORIG_HEAD\x00ofs-delta\n") + pkt(a1+" refs/heads/refs/heads/x\n") + pkt(a2+" refs/heads/x\n") + pkt(a2+" refs/tags/v1\n") + "0000",
			pkt(a2+" refs/heads/x\x00ofs-delta\n") + "0000",
			[]string{"refs/heads/ORIG_HEAD", "refs/heads/refs/heads/x"}, ""},
		{"every line left out",
			pkt(a1+" refs/heads/origin/main\x00ofs-delta\n") + pkt(a1+" refs/heads/@\n") + "0000",
			pkt(strings.Repeat("0", 40)+" capabilities^{}\x00ofs-delta\n") + "0000",
			[]string{"refs/heads/origin/main", "refs/heads/@"}, ""},
		{"nothing to leave out is passed on byte for byte",
			pkt(a1+" HEAD\x00symref=HEAD:refs/heads/main\n") + pkt(a1+" refs/heads/main\n") + pkt(a1+" refs/heads/x/HEAD\n") + "0000",
			pkt(a1+" HEAD\x00symref=HEAD:refs/heads/main\n") + pkt(a1+" refs/heads/main\n") + pkt(a1+" refs/heads/x/HEAD\n") + "0000",
			nil, "refs/heads/main"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			var reported []string
			a := &advertGuard{w: &out, filter: true, skip: (&sandboxref.NameCheck{Remote: check.Remote, Remotes: check.Remotes}).Skip,
				report: func(s []SkippedRef) {
					for _, r := range s {
						reported = append(reported, r.Name)
					}
					if strings.HasSuffix(out.String(), "0000") {
						t.Error("reported after git saw the end of the advertisement")
					}
				}}
			if err := feed(a, tc.in, 7); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Fatalf("got  %q\nwant %q", out.String(), tc.want)
			}
			if strings.Join(reported, ",") != strings.Join(tc.skipped, ",") {
				t.Fatalf("skipped %v, want %v", reported, tc.skipped)
			}
			if a.headTarget() != tc.symref {
				t.Fatalf("symref %q, want %q", a.headTarget(), tc.symref)
			}
		})
	}
}

func TestAdvertGuardLeavesOutCollidingBranchesV2(t *testing.T) {
	a1 := strings.Repeat("c", 40)
	caps := pkt("version 2\n") + pkt("ls-refs=unborn\n") + "0000"
	in := caps + pkt(a1+" HEAD symref-target:refs/heads/HEAD\n") + pkt(a1+" refs/heads/HEAD\n") + pkt(a1+" refs/heads/main\n") + "0000" + pkt("packfile\n")
	want := caps + pkt(a1+" HEAD\n") + pkt(a1+" refs/heads/main\n") + "0000" + pkt("packfile\n")
	var out bytes.Buffer
	a := &advertGuard{w: &out, filter: true, skip: (&sandboxref.NameCheck{Remote: "airlock-box"}).Skip}
	if err := feed(a, in, 5); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Fatalf("got  %q\nwant %q", out.String(), want)
	}
	if !a.head || a.headTarget() != "" || len(a.skipped) != 1 {
		t.Fatalf("head=%v target=%q skipped=%v", a.head, a.headTarget(), a.skipped)
	}
}

func TestAdvertGuardStopsAtTheLimits(t *testing.T) {
	a1 := strings.Repeat("d", 40)
	var refs strings.Builder
	for i := range 50 {
		refs.WriteString(pkt(fmt.Sprintf("%s refs/heads/b%03d\n", a1, i)))
	}
	v2 := pkt("version 2\n") + pkt("ls-refs=unborn\n") + "0000"
	for _, tc := range []struct {
		name, stream string
		limits       Limits
		setting      string
	}{
		{"v0 refs", refs.String(), Limits{Refs: 10}, "airlock.maxRefs"},
		{"v0 bytes", refs.String(), Limits{Bytes: 500}, "airlock.maxRefBytes"},
		{"v2 ls-refs", v2 + refs.String(), Limits{Refs: 10}, "airlock.maxRefs"},
		{"a name longer than the byte limit", pkt(a1 + " refs/heads/" + strings.Repeat("x", 60000) + "\n"), Limits{Bytes: 1000}, "airlock.maxRefBytes"},
		{"endless v2 capabilities", pkt("version 2\n") + strings.Repeat(pkt("agent=x\n"), 200), Limits{Bytes: 1000}, "airlock.maxRefBytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			var stopped *LimitError
			a := &advertGuard{w: &out, limits: tc.limits, sandbox: "box", over: func(err error) { errors.As(err, &stopped) }}
			err := feed(a, tc.stream, 100)
			var le *LimitError
			if !errors.As(err, &le) || le.Setting != tc.setting || stopped == nil {
				t.Fatalf("err = %v, stopped = %v", err, stopped)
			}
			if int64(out.Len()) > max(int64(tc.limits.Refs)*64+int64(len(v2)), tc.limits.Bytes) {
				t.Fatalf("%d bytes reached git past the limit", out.Len())
			}
			if _, err := a.Write([]byte("more")); err == nil {
				t.Fatal("a write after the limit was taken")
			}
		})
	}
	// Under the limits, and the pack after the advertisement is not counted.
	var out bytes.Buffer
	a := &advertGuard{w: &out, limits: Limits{Refs: 50, Bytes: 1 << 20}}
	if err := feed(a, refs.String()+"0000"+strings.Repeat("P", 1<<21), 4096); err != nil {
		t.Fatal(err)
	}
}

func TestAdvertGuardMalformedAfterRefs(t *testing.T) {
	a1 := strings.Repeat("e", 40)
	var out bytes.Buffer
	a := &advertGuard{w: &out, sandbox: "box"}
	err := feed(a, pkt(a1+" refs/heads/a\n")+"zzzz"+strings.Repeat("x", 100), 3)
	if err == nil || !strings.Contains(err.Error(), "malformed ref advertisement") {
		t.Fatalf("err = %v", err)
	}
}

// FuzzAdvertGuard feeds whatever a far side may send: the guard never
// panics, never lets more than the limits through, and without a name to
// leave out (and no tag) passes the stream on byte for byte (all but an unfinished
// pkt-line at its end, which the guard is still waiting to complete).
func FuzzAdvertGuard(f *testing.F) {
	a1 := strings.Repeat("a", 40)
	f.Add(pkt(a1+" HEAD\x00multi_ack symref=HEAD:refs/heads/main\n")+pkt(a1+" refs/heads/main\n")+"0000PACK", false)
	f.Add(pkt("version 2\n")+pkt("ls-refs=unborn\n")+"0000"+pkt(a1+" HEAD symref-target:refs/heads/HEAD\n")+pkt(a1+" refs/heads/HEAD\n")+"0000", true)
	f.Add("zzzz", true)
	f.Add(pkt("ERR nope\n"), false)
	f.Fuzz(func(t *testing.T, stream string, filter bool) {
		var out bytes.Buffer
		a := &advertGuard{w: &out, limits: Limits{Refs: 20, Bytes: 4096}, filter: filter}
		if filter {
			a.skip = (&sandboxref.NameCheck{Remote: "airlock-box", Remotes: []string{"origin"}}).Skip
		}
		err := feed(a, stream, 9)
		if err != nil && out.Len() > 4096+65520 {
			t.Fatalf("%d bytes passed before the limit", out.Len())
		}
		if err == nil && !filter && !strings.Contains(stream, "refs/tags/") && (!strings.HasPrefix(stream, out.String()) || len(stream)-out.Len() >= 65520) {
			t.Fatalf("the stream was changed:\n%q\n%q", stream, out.String())
		}
	})
}

// failAtFlush is git gone by the end of the advertisement: the write of
// the flush packet fails.
type failAtFlush struct{ bytes.Buffer }

func (w *failAtFlush) Write(p []byte) (int, error) {
	if bytes.HasSuffix(p, []byte("0000")) {
		return 0, errors.New("broken pipe")
	}
	return w.Buffer.Write(p)
}

// A failed write of the advertisement's end reaches the tunnel like any
// other failed write, for protocol v0 and v2 alike.
func TestAdvertGuardEndWriteFails(t *testing.T) {
	a1 := strings.Repeat("a", 40)
	for name, stream := range map[string]string{
		"v0": pkt(a1+" HEAD\x00multi_ack\n") + pkt(a1+" refs/heads/main\n") + "0000",
		"v2": pkt("version 2\n") + pkt("ls-refs\n") + "0000",
	} {
		a := &advertGuard{w: &failAtFlush{}, limits: DefaultLimits, sandbox: "box"}
		if err := feed(a, stream, len(stream)); err == nil {
			t.Errorf("%s: the failed write of the flush packet was dropped", name)
		}
	}
}

// Tags never cross: every tag and its peeled line are left out of a fetch's
// and a push's advertisement, in protocol v0 and v2, a tag named like a
// branch included; a line carrying the capabilities hands them on.
func TestAdvertGuardLeavesOutTags(t *testing.T) {
	a1, a2, a3 := strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("c", 40)
	v2caps := pkt("version 2\n") + pkt("ls-refs=unborn\n") + "0000"
	for _, tc := range []struct {
		name, in, want string
		filter         bool
	}{
		{"v0 fetch",
			pkt(a1+" HEAD\x00multi_ack symref=HEAD:refs/heads/main\n") + pkt(a1+" refs/heads/main\n") + pkt(a2+" refs/tags/main\n") +
				pkt(a3+" refs/tags/v1.0\n") + pkt(a1+" refs/tags/v1.0^{}\n") + pkt(a1+" refs/tags/planted\n") + "0000" + "PACK",
			pkt(a1+" HEAD\x00multi_ack symref=HEAD:refs/heads/main\n") + pkt(a1+" refs/heads/main\n") + "0000" + "PACK", true},
		{"v0 push: the first line was a tag",
			pkt(a3+" refs/tags/a\x00report-status delete-refs\n") + pkt(a1+" refs/tags/a^{}\n") + pkt(a1+" refs/heads/main\n") + "0000",
			pkt(a1+" refs/heads/main\x00report-status delete-refs\n") + "0000", false},
		{"v0 push: only tags",
			pkt(a3+" refs/tags/a\x00report-status\n") + "0000",
			pkt(strings.Repeat("0", 40)+" capabilities^{}\x00report-status\n") + "0000", false},
		{"v2 ls-refs",
			v2caps + pkt(a1+" HEAD symref-target:refs/heads/main\n") + pkt(a1+" refs/heads/main\n") + pkt(a3+" refs/tags/v1.0 peeled:"+a1+"\n") + pkt(a2+" refs/tags/main\n") + "0000",
			v2caps + pkt(a1+" HEAD symref-target:refs/heads/main\n") + pkt(a1+" refs/heads/main\n") + "0000", true},
		{"v2 ls-refs asked for refs/tags/ only",
			v2caps + pkt(a3+" refs/tags/v1.0 peeled:"+a1+"\n") + "0000" + pkt("packfile\n"),
			v2caps + "0000" + pkt("packfile\n"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			a := &advertGuard{w: &out, limits: DefaultLimits, filter: tc.filter}
			if err := feed(a, tc.in, 7); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Fatalf("got  %q\nwant %q", out.String(), tc.want)
			}
		})
	}
}

// countingWriter counts the writes it gets.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

// The advertisement reaches git in one write per write the guard gets, not
// one per ref.
func TestAdvertGuardWritesInFewCalls(t *testing.T) {
	var b strings.Builder
	b.WriteString(pkt(strings.Repeat("a", 40) + " HEAD\x00multi_ack symref=HEAD:refs/heads/main\n"))
	for i := range 10000 {
		b.WriteString(pkt(fmt.Sprintf("%040x refs/heads/b%06d\n", i, i)))
	}
	b.WriteString("0000")
	stream := b.String()
	w := &countingWriter{}
	a := &advertGuard{w: w, limits: DefaultLimits, filter: true}
	chunk := 32 << 10
	if err := feed(a, stream, chunk); err != nil {
		t.Fatal(err)
	}
	if w.String() != stream {
		t.Fatal("the stream was changed")
	}
	if chunks := (len(stream) + chunk - 1) / chunk; w.writes > chunks {
		t.Fatalf("%d writes for %d refs in %d chunks", w.writes, 10000, chunks)
	}
}

// BenchmarkAdvertGuard is the helper's own work on a fetch's advertisement
// of 100,000 branches (protocol v2's ls-refs, as git asks for it), fed in
// the 32 KiB chunks os/exec copies sbx's stdout in (docs/BENCHMARKS.md).
func BenchmarkAdvertGuard(b *testing.B) {
	var s strings.Builder
	s.WriteString(pkt("version 2\n") + pkt("ls-refs=unborn\n") + pkt("fetch=shallow\n") + "0000")
	s.WriteString(pkt(strings.Repeat("a", 40) + " HEAD symref-target:refs/heads/main\n"))
	for i := range 100_000 {
		s.WriteString(pkt(fmt.Sprintf("%040x refs/heads/b%06d\n", i, i)))
	}
	s.WriteString("0000")
	stream := []byte(s.String())
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		a := &advertGuard{w: io.Discard, limits: DefaultLimits, filter: true,
			skip: (&sandboxref.NameCheck{Remote: "airlock-box", Remotes: []string{"origin", "airlock-box"}}).Skip}
		for i := 0; i < len(stream); i += 32 << 10 {
			if _, err := a.Write(stream[i:min(i+32<<10, len(stream))]); err != nil {
				b.Fatal(err)
			}
		}
	}
}
