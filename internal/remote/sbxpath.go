package remote

import (
	"os"
	"path/filepath"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// sbxProgram finds sbx for a helper started by a GUI app whose PATH lacks
// the login shell's additions (launchd on macOS gives /usr/bin:/bin:…):
// PATH first, then the path recorded when the sandbox was registered
// (checked again: it must still be an executable file), then where sbx's
// installers put it. "" leaves the client's default, so that a missing sbx
// is reported by name.
func sbxProgram(home string, recorded func() string) string {
	if _, err := xec.LookPath("sbx"); err == nil {
		return ""
	}
	if p := recorded(); p != "" && filepath.IsAbs(p) && executable(p) {
		return p
	}
	dirs := []string{"/opt/homebrew/bin", "/usr/local/bin", "/home/linuxbrew/.linuxbrew/bin"}
	if home != "" {
		dirs = append(dirs, filepath.Join(home, ".local", "bin"), filepath.Join(home, ".docker", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "sbx")
		if executable(p) {
			return p
		}
	}
	return ""
}

func executable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}
