package tmux

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// EnvFileVar names, in a session NewSession started, the file that holds
// the environment its command was meant to have.
const EnvFileVar = "GIT_AIRLOCK_SESSION_ENV"

// envFilePattern is the private directory a file is written in (mktemp's
// template); a dry run shows it as it is, and writes nothing.
const envFilePattern = "git-airlock-env-XXXXXX"

// envFile writes env (KEY=VALUE, NUL-separated, as /proc/PID/environ) to
// a new file readable by this user only, in a directory of its own, and
// returns its path and a function that removes it unless keep.
func (c *Client) envFile(env []string) (string, func(keep bool), error) {
	if c.Remote != nil {
		return "", nil, errors.New("an environment for a tmux session on another machine is not passed")
	}
	if c.Run.DryRun != nil {
		return filepath.Join(os.TempDir(), envFilePattern, "env"), func(bool) {}, nil
	}
	dir, err := os.MkdirTemp("", strings.TrimSuffix(envFilePattern, "XXXXXX"))
	if err != nil {
		return "", nil, err
	}
	drop := func(keep bool) {
		if !keep {
			_ = os.RemoveAll(dir)
		}
	}
	var b bytes.Buffer
	for _, e := range env {
		if strings.ContainsRune(e, 0) || !strings.Contains(e, "=") {
			continue // cannot be in an environment
		}
		b.WriteString(e)
		b.WriteByte(0)
	}
	file := filepath.Join(dir, "env")
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		drop(false)
		return "", nil, err
	}
	return file, drop, nil
}

// TakeEnv reads the environment file of a session and removes it, so that
// the values stay nowhere on disk. It refuses a path that is not such a
// file: anything else named by the variable (a symlink, a file others can
// read, another name) is neither read nor removed.
func TakeEnv(path string) ([]string, error) {
	dir := filepath.Dir(path)
	if filepath.Base(path) != "env" || !strings.HasPrefix(filepath.Base(dir), strings.TrimSuffix(envFilePattern, "XXXXXX")) {
		return nil, fmt.Errorf("%s=%q does not name a session environment file", EnvFileVar, path)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("read the session's environment: %w", err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("read the session's environment: %q is not a file only its owner may read", path)
	}
	b, err := os.ReadFile(path)
	if rerr := os.RemoveAll(dir); err == nil && rerr != nil {
		err = rerr
	}
	if err != nil {
		return nil, fmt.Errorf("read the session's environment: %w", err)
	}
	var env []string
	for _, e := range strings.Split(string(b), "\x00") {
		if strings.Contains(e, "=") {
			env = append(env, e)
		}
	}
	return env, nil
}
