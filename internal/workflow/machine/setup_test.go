package machine

import (
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

func TestSetupWithoutATerminalOnlySaysWhatItWouldDo(t *testing.T) {
	w := newWorld(t, config.Inputs{}, nil)
	w.sbx.initialised = false
	if err := w.setup.Setup(ctx, linuxKVM, xec.Streams{}); err != nil {
		t.Fatal(err)
	}
	if w.log.has("sbx policy init") || len(w.ui.Asks) != 0 {
		t.Errorf("ran %q, asked %q", *w.log, w.ui.Asks)
	}
	if !slices.Contains(w.ui.Infos, "  sbx policy init balanced") || !slices.Contains(w.ui.Infos, "  sbx secret set anthropic") {
		t.Errorf("infos %q", w.ui.Infos)
	}
}

func TestSetupAsksBeforeEachCommand(t *testing.T) {
	for _, answer := range []bool{true, false} {
		w := newWorld(t, config.Inputs{}, nil)
		w.sbx.initialised = false
		w.sbx.pingErr = sbx.ErrNotLoggedIn
		w.ui.Ask, w.ui.Answer = true, answer
		err := w.setup.Setup(ctx, linuxKVM, xec.Streams{})
		if answer {
			if err != nil || !w.log.has("sbx login") || !w.log.has("sbx policy init balanced") {
				t.Errorf("yes: error %v, calls %q", err, *w.log)
			}
			continue
		}
		if err == nil || !strings.Contains(strings.Join(hint.Of(err), "\n"), "sbx login") || w.log.has("sbx login") {
			t.Errorf("no: error %v, calls %q", err, *w.log)
		}
	}
}

func TestSetupOnLinuxWithoutSbxPrintsTheInstall(t *testing.T) {
	w := newWorld(t, config.Inputs{}, nil)
	w.sbx.probeErr = &sbx.MissingError{Bin: "sbx"}
	w.ui.Ask, w.ui.Answer = true, true
	err := w.setup.Setup(ctx, linuxKVM, xec.Streams{})
	if err == nil || err.Error() != "sbx is not installed" || w.log.has("install") {
		t.Errorf("error %v, calls %q", err, *w.log)
	}
	if !slices.Contains(w.ui.Infos, "  "+sbx.LinuxInstallText) {
		t.Errorf("infos %q", w.ui.Infos)
	}
}

func TestSetupRefusesAnSbxWithoutCloneMode(t *testing.T) {
	w := newWorld(t, config.Inputs{}, nil)
	w.sbx.caps = sbx.Capabilities{Version: sbx.Version{0, 30, 0}, PolicyInit: "set-default"}
	err := w.setup.Setup(ctx, linuxKVM, xec.Streams{})
	if err == nil || len(hint.Of(err)) != 1 || !strings.Contains(hint.Of(err)[0], "upgrade sbx to "+sbx.MinVersion.String()) {
		t.Errorf("error %v, hints %q", err, hint.Of(err))
	}
}
