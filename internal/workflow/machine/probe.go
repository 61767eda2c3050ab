package machine

import (
	"context"
	"time"

	"github.com/git-airlock/git-airlock/sbx"
)

// ProbeRequest checks the installed sbx against what git-airlock relies on.
type ProbeRequest = sbx.BehaviourRequest

// Probe runs `doctor --probe`: each behaviour git-airlock relies on is
// checked on the installed sbx with a throwaway sandbox, and comes back as
// an OK or MISMATCH line; a MISMATCH carries the sbx commands that showed
// it. Unlike Doctor, it changes the machine (for the length of the probe)
// and needs a working sbx login.
func (s *Diagnoser) Probe(ctx context.Context, req ProbeRequest) []Check {
	var checks []Check
	for _, f := range s.Sbx.ProbeBehaviour(ctx, req) {
		c := Check{Name: f.Name, Level: "OK", Detail: f.Detail}
		if !f.OK {
			c.Level = "MISMATCH"
			for _, r := range f.Seen {
				c.Seen = append(c.Seen, SeenCommand{Argv: r.Argv, Exit: r.Code, Stdout: string(r.Stdout), Stderr: string(r.Stderr)})
			}
		}
		checks = append(checks, c)
	}
	return checks
}

// SeenCommand is one sbx command behind a probe's MISMATCH, as it ran.
// Field names are documented JSON output.
type SeenCommand struct {
	Argv   []string `json:"argv"`
	Exit   int      `json:"exit"`
	Stdout string   `json:"stdout"`
	Stderr string   `json:"stderr"`
}

// ProbeCopy is the throwaway repository's copy on the server the probe
// runs on (gitx.ServerRepo): sbx there creates its sandbox from it, since
// it cannot read this machine's disk.
type ProbeCopy interface {
	Host() string
	Send(ctx context.Context, commit, branch string) (string, error)
	Remove(ctx context.Context) error
	// ConfigGet reads a key of the copy's git config ("" when unset).
	ConfigGet(ctx context.Context, key string) (string, error)
}

// ProbeServer is `doctor --probe` for sbx on another machine: the
// throwaway repository's commit goes to a copy of its own on the server
// (the path every server sandbox takes), the probe runs there, and the
// copy is removed afterwards, also when ctx is cancelled. The host remote
// sbx adds is read from that copy, where sbx put it.
func (s *Diagnoser) ProbeServer(ctx context.Context, req ProbeRequest, server ProbeCopy, commit, branch string) []Check {
	path, err := server.Send(ctx, commit, branch)
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_ = server.Remove(ctx)
	}()
	if err != nil {
		return []Check{{Name: "server copy", Level: "MISMATCH", Detail: err.Error()}}
	}
	req.Repo = path
	req.HostRemote = func(ctx context.Context) (string, error) {
		return server.ConfigGet(ctx, "remote.sandbox-"+req.Name+".url")
	}
	checks := []Check{{Name: "server copy", Level: "OK", Detail: "the throwaway repository sent to " + server.Host() + ":" + path}}
	return append(checks, s.Probe(ctx, req)...)
}
