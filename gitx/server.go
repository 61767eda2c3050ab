package gitx

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// ServerRepo is git-airlock's own copy of a repository on another machine:
// the repository sbx there clones a sandbox from (clone mode needs one on
// its own disk). It lives at
//
//	${XDG_CACHE_HOME:-$HOME/.cache}/git-airlock/repos/<id>
//
// on the server (the server's variables), holds only the history of the
// commits sent to it — no hooks, no config, no other refs of this
// repository — and is removed with the last sandbox that used it. git runs
// there over the same ssh transport as sbx.
type ServerRepo struct {
	Run       *xec.Runner
	Transport *sshhost.Transport
	ID        string // a name of sandboxref.ServerRepoID's alphabet
	Local     *Repo
}

// serverDirScript resolves the copy's directory from its id ($1) on the
// server; the text is fixed, the id travels as an argument.
const serverDirScript = `d="${XDG_CACHE_HOME:-$HOME/.cache}/git-airlock/repos/$1"; `

// Host is the server, as the user wrote it.
func (s *ServerRepo) Host() string { return s.Transport.Host.String() }

// DisplayPath is where the copy lives, for people and dry runs.
func (s *ServerRepo) DisplayPath() string { return "~/.cache/git-airlock/repos/" + s.ID }

func (s *ServerRepo) remote(ctx context.Context, mutates bool, argv ...string) (string, error) {
	cmd, err := s.Transport.Argv(sshhost.Batch, argv)
	if err != nil {
		return "", err
	}
	out, err := s.Run.Output(ctx, xec.Cmd{Argv: cmd, Mutates: mutates, Timeout: serverTimeout})
	return string(out), err
}

// lastLine is the answer of a command run over ssh: its last line, as the
// remote user's login shell may print start-up text before it.
func lastLine(out string) string {
	out = strings.TrimSpace(out)
	return strings.TrimSpace(out[strings.LastIndexByte(out, '\n')+1:])
}

// serverTimeout bounds each step: a first push of a long history takes a
// while.
const serverTimeout = 5 * time.Minute

// Send makes the copy hold commit checked out on branch (detached when
// branch is empty) and returns its absolute path on the server. It creates
// the copy on first use. Under dry-run the commands are printed and the
// path is DisplayPath.
func (s *ServerRepo) Send(ctx context.Context, commit, branch string) (string, error) {
	fail := func(step string, err error) (string, error) {
		return "", fmt.Errorf("%s on %s: %w", step, s.Host(), err)
	}
	out, err := s.remote(ctx, true, "sh", "-c", serverDirScript+`[ -d "$d/.git" ] || { mkdir -p "$d" && git init -q "$d"; } && cd "$d" && pwd -P`, "sh", s.ID)
	if err != nil {
		return fail("prepare git-airlock's copy of the repository", err)
	}
	path := lastLine(out)
	if s.Run.DryRun != nil {
		path = s.DisplayPath()
	}
	if s.Run.DryRun == nil && (path == "" || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "\n\x00")) {
		return fail("prepare git-airlock's copy of the repository", fmt.Errorf("unexpected directory %q", path))
	}
	// Only the commit's history travels: an explicit refspec (no tags, no
	// other branches), no hooks run on either side.
	sshCmd, err := sshhost.QuoteCommand(s.gitSSH())
	if err != nil {
		return fail("send the repository", err)
	}
	push := xec.Cmd{Argv: s.Local.git("push", "-q", "--no-verify", "--force", s.pushURL(path), commit+":refs/airlock/base"),
		Env: []string{"GIT_SSH_COMMAND=" + sshCmd, "GIT_SSH_VARIANT=ssh"}, Mutates: true, Timeout: serverTimeout}
	if _, err := s.Run.Output(ctx, push); err != nil {
		return fail("send the repository", err)
	}
	checkout := []string{"git", "-C", path, "checkout", "-q", "-f"}
	if branch != "" {
		checkout = append(checkout, "-B", branch, commit)
	} else {
		checkout = append(checkout, "--detach", commit)
	}
	if _, err := s.remote(ctx, true, checkout...); err != nil {
		return fail("check out the sent commit", err)
	}
	return path, nil
}

// Remove deletes the copy from the server.
func (s *ServerRepo) Remove(ctx context.Context) error {
	_, err := s.remote(ctx, true, "sh", "-c", serverDirScript+`rm -rf -- "$d"`, "sh", s.ID)
	if err != nil {
		return fmt.Errorf("remove git-airlock's copy of the repository on %s: %w", s.Host(), err)
	}
	return nil
}

// gitSSH is the ssh command git runs for the push: the transport's, with
// its options (batch mode, the shared connection, the port).
func (s *ServerRepo) gitSSH() []string {
	argv := append([]string(nil), s.Transport.SSH...)
	if len(argv) == 0 {
		argv = []string{"ssh"}
	}
	return append(argv, s.Transport.Options(sshhost.Batch)...)
}

// pushURL is the copy in git's scp-like form, [user@]host:/path; the port
// travels in the ssh options.
func (s *ServerRepo) pushURL(path string) string {
	h := s.Transport.Host
	name := h.Name
	if strings.Contains(name, ":") {
		name = "[" + name + "]"
	}
	if h.User != "" {
		name = h.User + "@" + name
	}
	return name + ":" + path
}

// ConfigGet reads key from the copy's git config on the server: "" when it
// is unset.
func (s *ServerRepo) ConfigGet(ctx context.Context, key string) (string, error) {
	out, err := s.remote(ctx, false, "sh", "-c", serverDirScript+`git -C "$d" config --get "$2"`, "sh", s.ID, key)
	var ee *xec.ExitError
	if errors.As(err, &ee) && ee.Code == 1 {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s of git-airlock's copy of the repository on %s: %w", key, s.Host(), err)
	}
	return lastLine(out), nil
}

// Sessions on the server. An agent session that runs in tmux there (run
// --tmux for a server sandbox) has no process on this machine: the command
// SessionArgv wraps records its exit status in the copy's
// .git/airlock/sessions/<sandbox>.exit (written whole, renamed into
// place), where SessionEnd reads it over the same transport.

// sessionScript runs "$@" and records its status; $1 is the copy's id, $2
// the sandbox. The text is fixed; the values travel as arguments.
const sessionScript = serverDirScript + `f="$d/.git/airlock/sessions/$2"; shift 2; "$@"; s=$?; ` +
	`mkdir -p "${f%/*}" && echo "$s" >"$f.tmp" && mv -f "$f.tmp" "$f.exit"; exit "$s"`

// SessionArgv is argv wrapped to record its exit status for sandbox.
func (s *ServerRepo) SessionArgv(sandbox string, argv []string) []string {
	return append([]string{"sh", "-c", sessionScript, "sh", s.ID, sandbox}, argv...)
}

// SessionBegin forgets the status of the sandbox's last session, before a
// new one starts.
func (s *ServerRepo) SessionBegin(ctx context.Context, sandbox string) error {
	if _, err := s.remote(ctx, true, "sh", "-c", serverDirScript+`rm -f -- "$d/.git/airlock/sessions/$2.exit"`, "sh", s.ID, sandbox); err != nil {
		return fmt.Errorf("prepare the agent session of %q on %s: %w", sandbox, s.Host(), err)
	}
	return nil
}

// SessionEnd reads the exit status the sandbox's session recorded; ended
// is false while none is recorded.
func (s *ServerRepo) SessionEnd(ctx context.Context, sandbox string) (exit int, ended bool, err error) {
	out, err := s.remote(ctx, false, "sh", "-c", serverDirScript+`f="$d/.git/airlock/sessions/$2.exit"; if [ -f "$f" ]; then echo "ended $(cat "$f")"; else echo running; fi`, "sh", s.ID, sandbox)
	if err != nil {
		return 0, false, fmt.Errorf("read the agent session of %q on %s: %w", sandbox, s.Host(), err)
	}
	last := strings.Fields(lastLine(out))
	switch {
	case len(last) == 1 && last[0] == "running":
		return 0, false, nil
	case len(last) == 2 && last[0] == "ended":
		if n, err := strconv.Atoi(last[1]); err == nil {
			return n, true, nil
		}
	}
	return 0, false, fmt.Errorf("read the agent session of %q on %s: unexpected answer %q", sandbox, s.Host(), strings.TrimSpace(out))
}
