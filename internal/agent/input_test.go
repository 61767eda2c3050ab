package agent

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestWireClaudeKeepsSettings(t *testing.T) {
	a, _ := Lookup("claude")
	in := []byte(`{"theme":"dark","hooks":{"Stop":[{"hooks":[{"type":"command","command":"say done"}]}]}}`)
	out, changed, err := a.WireInput(in)
	if err != nil || !changed {
		t.Fatalf("WireInput = %v, %v", changed, err)
	}
	var got struct {
		Theme string
		Hooks map[string][]struct {
			Matcher string
			Hooks   []struct{ Type, Command string }
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.Theme != "dark" || len(got.Hooks["Stop"]) != 2 || got.Hooks["Stop"][0].Hooks[0].Command != "say done" {
		t.Errorf("the user's settings were not kept: %s", out)
	}
	for _, e := range []string{"Notification", "Stop", "UserPromptSubmit", "PostToolUse"} {
		if !strings.Contains(string(out), MarkerDir) || len(got.Hooks[e]) == 0 {
			t.Errorf("no %s hook in %s", e, out)
		}
	}
	if again, changed, err := a.WireInput(out); err != nil || changed || string(again) != string(out) {
		t.Errorf("wiring twice changed it: %v %v", changed, err)
	}
	for _, bad := range []string{`[1]`, `{"hooks":[]}`, `{"hooks":{"Stop":{}}}`, `not json`} {
		if _, _, err := a.WireInput([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if out, changed, err := a.WireInput(nil); err != nil || !changed || !strings.Contains(string(out), "Notification") {
		t.Errorf("no settings file: %v %v %s", changed, err, out)
	}
}

func TestWireCodex(t *testing.T) {
	a, _ := Lookup("codex")
	in := []byte("model = \"o3\"\n[profiles.x]\nmodel = \"y\"\n")
	out, changed, err := a.WireInput(in)
	if err != nil || !changed {
		t.Fatalf("WireInput = %v, %v", changed, err)
	}
	var cfg struct {
		Model    string
		Notify   []string
		Profiles map[string]map[string]string
	}
	if _, err := toml.Decode(string(out), &cfg); err != nil {
		t.Fatalf("not TOML: %v\n%s", err, out)
	}
	if cfg.Model != "o3" || cfg.Profiles["x"]["model"] != "y" || len(cfg.Notify) != 4 || cfg.Notify[0] != "sh" {
		t.Errorf("config %+v from\n%s", cfg, out)
	}
	if _, changed, err := a.WireInput(out); changed || err != nil {
		t.Errorf("wiring twice: %v %v", changed, err)
	}
	if _, _, err := a.WireInput([]byte(`notify = ["my-notifier"]`)); err == nil {
		t.Error("a notify program of the user's was replaced")
	}
	if g, _ := Lookup("gemini"); g.InputConfig() != "" {
		t.Error("gemini has no input signal to wire")
	}
}

func TestParseMarker(t *testing.T) {
	m, ok := ParseMarker("1767225600\n" + `{"hook_event_name":"Notification","message":"needs permission"}`)
	if !ok || m.Event != "Notification" || m.Message != "needs permission" || !m.Time.Equal(time.Unix(1767225600, 0)) {
		t.Errorf("claude marker: %+v %v", m, ok)
	}
	m, ok = ParseMarker("1767225600\n" + `{"type":"agent-turn-complete","last-assistant-message":"done?"}`)
	if !ok || m.Event != "agent-turn-complete" || m.Message != "done?" {
		t.Errorf("codex marker: %+v %v", m, ok)
	}
	if m, ok := ParseMarker("1767225600\nnot json"); !ok || m.Message != "" {
		t.Errorf("a marker without a payload: %+v %v", m, ok)
	}
	for _, none := range []string{"", "\n", "garbage\n{}"} {
		if _, ok := ParseMarker(none); ok {
			t.Errorf("%q read as a marker", none)
		}
	}
}
