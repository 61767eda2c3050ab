package workflow

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
)

// SandboxConfKey is the situation that records the last code-airlock
// sandbox.conf imported (its digest), so that up and doctor stop pointing
// at one whose settings are in.
const SandboxConfKey = "sandboxConfImported"

// ConfDigest names a sandbox.conf's content.
func ConfDigest(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:8])
}

// UnimportedSandboxConf finds code-airlock's sandbox.conf at the top of
// the work tree when its content was not imported: its path from there.
// code-airlock read it beside its script, which its users keep in the
// repository; git-airlock reads settings from git config only.
func UnimportedSandboxConf(m Situations, root string) (string, bool) {
	content, err := os.ReadFile(filepath.Join(root, "sandbox.conf"))
	if err != nil || m.Situation(SandboxConfKey) == ConfDigest(content) {
		return "", false
	}
	return "sandbox.conf", true
}
