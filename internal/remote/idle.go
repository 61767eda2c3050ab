package remote

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// idleTimer ends a started tunnel through which no byte has passed, either
// way, for its limit: a far side that stalls in the middle of a pack must
// not hang git (and everything queued behind git-airlock's lock) forever.
// A byte costs an atomic store; the timer wakes once per limit at most and
// re-arms for what is left.
type idleTimer struct {
	limit  time.Duration
	onIdle func()
	start  time.Time    // monotonic origin of last
	last   atomic.Int64 // nanoseconds after start of the latest byte
	fired  atomic.Bool
	mu     sync.Mutex
	timer  *time.Timer // nil until armed; stopped for good by stop
	done   bool
}

func newIdleTimer(limit time.Duration, onIdle func()) *idleTimer {
	return &idleTimer{limit: limit, onIdle: onIdle, start: time.Now()}
}

// touch notes a byte passing now.
func (t *idleTimer) touch() { t.last.Store(int64(time.Since(t.start))) }

// arm starts counting, from now.
func (t *idleTimer) arm() {
	t.touch()
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.done && t.timer == nil {
		t.timer = time.AfterFunc(t.limit, t.check)
	}
}

// stop ends the watch; a check already running finds it done.
func (t *idleTimer) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done = true
	if t.timer != nil {
		t.timer.Stop()
	}
}

func (t *idleTimer) check() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return
	}
	left := remaining(t.limit, time.Duration(t.last.Load()), time.Since(t.start))
	if left > 0 {
		t.timer.Reset(left)
		return
	}
	t.done = true
	t.fired.Store(true)
	t.onIdle()
}

// remaining is how long until a connection whose latest byte passed at
// last is idle for limit, at now (both measured from one origin); zero or
// less when it already is.
func remaining(limit, last, now time.Duration) time.Duration {
	return limit - (now - last)
}

// touching notes every write through it on an idleTimer.
type touching struct {
	w io.Writer
	t *idleTimer
}

func (w touching) Write(p []byte) (int, error) {
	w.t.touch()
	return w.w.Write(p)
}
