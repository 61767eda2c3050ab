package agent

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// What runs inside the sandbox so that the host can tell that an agent
// waits for input: the agent's own hook writes a marker file in the
// sandbox's $HOME (the time, then the agent's payload), and `git airlock
// wait` reads it with one `sbx exec`. Nothing in the sandbox runs anything
// on the host.

// MarkerDir and MarkerFile are the marker's place, relative to the
// sandbox's $HOME.
const (
	MarkerDir  = ".git-airlock"
	MarkerFile = MarkerDir + "/waiting"
)

// writeMarker writes the time and the payload (stdin for Claude Code's
// hooks, $1 for Codex's notify) to the marker, whole or not at all.
const writeMarker = `d="$HOME/` + MarkerDir + `"; mkdir -p "$d" && { date +%s; PAYLOAD; } > "$d/waiting.tmp" && mv -f "$d/waiting.tmp" "$d/waiting"`

var (
	claudeWrite = strings.Replace(writeMarker, "PAYLOAD", "cat", 1)
	claudeClear = `rm -f "$HOME/` + MarkerFile + `"`
	codexNotify = []string{"sh", "-c", strings.Replace(writeMarker, "PAYLOAD", `printf '%s' "$1"`, 1), "git-airlock-notify"}
)

// InputConfig is the file in the sandbox's $HOME that wires the agent's
// input signal; "" when the agent has none git-airlock can wire.
func (a Agent) InputConfig() string {
	switch a.Input {
	case InputClaudeHooks:
		return ".claude/settings.json"
	case InputCodexNotify:
		return ".codex/config.toml"
	}
	return ""
}

// WireInput returns the agent's config file with the input signal wired
// in, keeping everything the file already says; changed is false when it
// was wired already. A file that does not parse, or a Codex config with a
// notify program of its own, is an error and is left alone.
func (a Agent) WireInput(current []byte) (_ []byte, changed bool, _ error) {
	switch a.Input {
	case InputClaudeHooks:
		return wireClaude(current)
	case InputCodexNotify:
		return wireCodex(current)
	}
	return current, false, nil
}

func wireClaude(current []byte) ([]byte, bool, error) {
	settings := map[string]any{}
	if len(bytes.TrimSpace(current)) > 0 {
		if err := json.Unmarshal(current, &settings); err != nil || settings == nil {
			return nil, false, fmt.Errorf("~/.claude/settings.json in the sandbox is not a JSON object")
		}
	}
	hooks := map[string]any{}
	if h, ok := settings["hooks"]; ok {
		if hooks, ok = h.(map[string]any); !ok {
			return nil, false, fmt.Errorf("~/.claude/settings.json in the sandbox: \"hooks\" is not an object")
		}
	}
	changed := false
	for _, e := range []struct{ event, matcher, command string }{
		{"Notification", "", claudeWrite}, {"Stop", "", claudeWrite},
		{"UserPromptSubmit", "", claudeClear}, {"PostToolUse", "*", claudeClear},
	} {
		list, ok := hooks[e.event].([]any)
		if hooks[e.event] != nil && !ok {
			return nil, false, fmt.Errorf("~/.claude/settings.json in the sandbox: hooks.%s is not a list", e.event)
		}
		b, _ := json.Marshal(list)
		if bytes.Contains(b, []byte(MarkerDir)) {
			continue
		}
		group := map[string]any{"hooks": []any{map[string]any{"type": "command", "command": e.command}}}
		if e.matcher != "" {
			group["matcher"] = e.matcher
		}
		hooks[e.event] = append(list, group)
		changed = true
	}
	settings["hooks"] = hooks
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false) // the commands stay readable: && and >
	enc.SetIndent("", "  ")
	if err := enc.Encode(settings); err != nil {
		return nil, false, err
	}
	return out.Bytes(), changed, nil
}

func wireCodex(current []byte) ([]byte, bool, error) {
	var cfg map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(current)).Decode(&cfg); err != nil {
		return nil, false, fmt.Errorf("~/.codex/config.toml in the sandbox is not TOML: %v", err)
	}
	if v, ok := cfg["notify"]; ok {
		if strings.Contains(fmt.Sprint(v), MarkerDir) {
			return current, false, nil
		}
		return nil, false, fmt.Errorf("~/.codex/config.toml in the sandbox has a notify program of its own")
	}
	// A top-level key goes before any table: first in the file. A JSON
	// array of strings is a TOML array of basic strings.
	line, _ := json.Marshal(codexNotify)
	return append([]byte("notify = "+string(line)+"\n"), current...), true, nil
}

// Marker is what the marker says: when the agent asked, and its words.
type Marker struct {
	Time    time.Time
	Event   string // Notification, Stop, agent-turn-complete
	Message string // the agent's own text (untrusted: it comes from the sandbox)
}

// ParseMarker reads the marker's content; ok is false when there is none
// or it is not one.
func ParseMarker(content string) (Marker, bool) {
	first, rest, _ := strings.Cut(strings.TrimLeft(content, "\n"), "\n")
	secs, err := strconv.ParseInt(strings.TrimSpace(first), 10, 64)
	if err != nil {
		return Marker{}, false
	}
	m := Marker{Time: time.Unix(secs, 0).UTC()}
	var payload map[string]any
	if json.Unmarshal([]byte(rest), &payload) == nil {
		str := func(k string) string { s, _ := payload[k].(string); return s }
		m.Event = cmp.Or(str("hook_event_name"), str("type"))
		m.Message = cmp.Or(str("message"), str("last-assistant-message"), str("last_assistant_message"))
	}
	return m, true
}
