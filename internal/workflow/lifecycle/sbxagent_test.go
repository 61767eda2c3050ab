package lifecycle

import (
	"testing"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/sbx"
)

func TestRequireAgents(t *testing.T) {
	c055 := sbx.Capabilities{Version: sbx.Version{0, 55, 0}}
	err := requireAgents(c055, "", "claude", "gemini")
	want := "sbx 0.55.0 no longer runs the gemini agent (retired in sbx 0.53.0); it runs claude, codex, copilot, cursor, devin, docker-agent, droid, kiro, opencode, shell"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if h := hint.Of(err); len(h) != 1 {
		t.Errorf("hints %q", h)
	}
	if err := requireAgents(sbx.Capabilities{Version: sbx.Version{0, 47, 0}}, "gemini"); err != nil {
		t.Errorf("0.47: %v", err)
	}
}
