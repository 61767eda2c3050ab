//go:build unix

package sbxsim

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"sbx": func() { os.Exit(Main()) }})
}

// TestContract pins the simulator to the contract in SBX.md.
func TestContract(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			sim := filepath.Join(env.WorkDir, ".sbxsim")
			env.Setenv("HOME", home)
			env.Setenv("SBXSIM_HOME", sim)
			env.Setenv("GORACE", "atexit_sleep_ms=0") // no second's sleep at each exit under -race
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("GIT_AUTHOR_NAME", "T")
			env.Setenv("GIT_AUTHOR_EMAIL", "t@example.com")
			env.Setenv("GIT_COMMITTER_NAME", "T")
			env.Setenv("GIT_COMMITTER_EMAIL", "t@example.com")
			env.Defer(func() { StopAll(sim) })
			return os.MkdirAll(home, 0o755)
		},
	})
}
