package remote

import (
	"bytes"
	"testing"
	"time"
)

func TestRemaining(t *testing.T) {
	for _, tc := range []struct {
		limit, last, now, want time.Duration
	}{
		{time.Second, 0, 0, time.Second},
		{time.Second, 0, 400 * time.Millisecond, 600 * time.Millisecond},
		{time.Second, 900 * time.Millisecond, 1200 * time.Millisecond, 700 * time.Millisecond},
		{time.Second, 0, time.Second, 0},
		{time.Second, 0, 3 * time.Second, -2 * time.Second},
	} {
		if got := remaining(tc.limit, tc.last, tc.now); got != tc.want {
			t.Errorf("remaining(%v, %v, %v) = %v, want %v", tc.limit, tc.last, tc.now, got, tc.want)
		}
	}
}

// Armed and left without a byte, the timer ends the connection once.
func TestIdleTimerFires(t *testing.T) {
	fired := make(chan struct{}, 2)
	it := newIdleTimer(time.Millisecond, func() { fired <- struct{}{} })
	var out bytes.Buffer
	_, _ = touching{w: &out, t: it}.Write([]byte("x"))
	it.arm()
	select {
	case <-fired:
	case <-time.After(10 * time.Second):
		t.Fatal("an idle connection was never ended")
	}
	if !it.fired.Load() || out.String() != "x" {
		t.Fatalf("fired=%v out=%q", it.fired.Load(), out.String())
	}
	it.stop()
	it.check() // a late timer after stop does nothing
	if len(fired) != 0 {
		t.Fatal("ended twice")
	}
}

// Stopped before the limit, it never fires.
func TestIdleTimerStopped(t *testing.T) {
	it := newIdleTimer(time.Hour, func() { t.Error("fired") })
	it.arm()
	it.stop()
	it.check()
	if it.fired.Load() {
		t.Fatal("fired after stop")
	}
}
