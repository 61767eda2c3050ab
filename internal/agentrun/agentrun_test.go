package agentrun

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestBeginEndRead(t *testing.T) {
	s := Store{Dir: filepath.Join(t.TempDir(), "sessions"), Now: func() time.Time { return time.Unix(100, 0) }}
	if _, ok, err := s.Read("box"); ok || err != nil {
		t.Fatalf("Read before any = %v, %v", ok, err)
	}
	if err := s.Begin("box", "claude", "run"); err != nil {
		t.Fatal(err)
	}
	r, ok, err := s.Read("box")
	if !ok || err != nil || r.PID != os.Getpid() || r.State() != Running || r.Agent != "claude" || r.Mode != "run" {
		t.Fatalf("after Begin: %+v %v %v (state %s)", r, ok, err, r.State())
	}
	if err := s.End("box", 3); err != nil {
		t.Fatal(err)
	}
	r, _, _ = s.Read("box")
	if r.State() != Ended || r.Exit == nil || *r.Exit != 3 || r.Ended == nil {
		t.Fatalf("after End: %+v", r)
	}
	// A newer session of another process is not ended by this one.
	r.PID, r.Ended, r.Exit = os.Getpid()+1_000_000, nil, nil
	if err := s.write(r); err != nil {
		t.Fatal(err)
	}
	if err := s.End("box", 0); err != nil {
		t.Fatal(err)
	}
	r, _, _ = s.Read("box")
	if r.Ended != nil {
		t.Error("End wrote over another process's session")
	}
	if r.State() != Lost {
		t.Errorf("a record of a gone process: state %s", r.State())
	}
	// A tmux session being started: running for a grace period, until
	// the git-airlock inside begins it.
	s.Now = time.Now
	if err := s.Pend("box", "claude", "up"); err != nil {
		t.Fatal(err)
	}
	if r, _, _ := s.Read("box"); r.State() != Running || !r.Pending || r.PID != 0 {
		t.Errorf("pending: %+v (%s)", r, r.State())
	}
	r.Started = time.Now().Add(-PendingGrace - time.Second)
	if r.State() != Lost {
		t.Errorf("a pending record past its grace: %s", r.State())
	}
	if err := s.Begin("box", "claude", "up"); err != nil {
		t.Fatal(err)
	}
	if r, _, _ := s.Read("box"); r.Pending || r.PID != os.Getpid() {
		t.Errorf("Begin did not replace the pending record: %+v", r)
	}
	if err := s.Remove("box"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("box"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir, "bad.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Read("bad"); err == nil {
		t.Error("a broken record was read")
	}
}
