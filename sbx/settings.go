package sbx

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Settings that git-airlock reads (`sbx settings`, SET and the upstream
// proxy page of the docs): whether sandboxes get the host's SSH agent,
// and the upstream proxy of sandbox traffic.
const (
	SettingSSHAgentForwarding = "ssh.agentForwardingEnabled"
	SettingProxy              = "proxy"
	SettingProxySandbox       = "proxy.sandbox"
)

// Setting is one of sbx's settings as `sbx settings list --json` reports
// it. The record's shape is not documented (its value, type, source and
// default; "the JSON records also include defaults and environment
// variable names"), so it is read tolerantly.
type Setting struct {
	Key string
	// Value is the effective value: a string as it is, any other JSON
	// value as its JSON text ("true", "8"); "" when unset.
	Value string
	// Source is where the value comes from (default, envvar, override),
	// "" when sbx did not say.
	Source string
}

// Bool reads a boolean setting; ok is false when the value is not one.
func (s Setting) Bool() (value, ok bool) {
	switch strings.ToLower(s.Value) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// Settings reads sbx's settings, all in one call (`sbx settings list
// --json`), by key. An sbx without the verb gives an *UnsupportedError.
func (c *Client) Settings(ctx context.Context) (map[string]Setting, error) {
	caps, err := c.Probe(ctx)
	if err != nil {
		return nil, err
	}
	if !caps.Settings {
		return nil, &UnsupportedError{Version: caps.Version.String(), Feature: "settings (sbx settings list)"}
	}
	out, err := c.call(ctx, "read sbx's settings", false, "settings", "list", "--json")
	if err != nil {
		return nil, err
	}
	return ParseSettings([]byte(out))
}

// ParseSettings reads what `sbx settings list --json` prints: records
// ("value", "source", and the key as "key" or "name"), as a bare array or
// under "settings" in an object, after any lines of sbx's own text.
func ParseSettings(out []byte) (map[string]Setting, error) {
	var got map[string]Setting
	err := jsonValues(out, func(raw json.RawMessage) error {
		rows, err := rowsOf(raw, "settings")
		if err != nil {
			return err
		}
		got = map[string]Setting{}
		for _, r := range rows {
			m, err := fields(r)
			if err != nil {
				return err
			}
			key := text(first(m, "key", "name"))
			if key == "" {
				return fmt.Errorf("a setting without a key: %s", r)
			}
			got[key] = Setting{Key: key, Value: settingText(first(m, "value", "effective")), Source: text(m["source"])}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sbx settings list: %w", err)
	}
	return got, nil
}

func settingText(v json.RawMessage) string {
	var str string
	if json.Unmarshal(v, &str) == nil {
		return str
	}
	if isNull(v) {
		return ""
	}
	return strings.TrimSpace(string(v))
}

// RedactURL drops the credentials a proxy URL may carry
// (http://user:pass@host:3128, or the same without a scheme), for showing
// it: whatever precedes the last "@" of the authority.
func RedactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		scheme, rest = "", raw
	}
	authority, path, slash := strings.Cut(rest, "/")
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	out := "…" + authority[at:]
	if slash {
		out += "/" + path
	}
	if ok {
		out = scheme + "://" + out
	}
	return out
}

// RetiredEnv is a DOCKER_SANDBOXES_* variable that sbx no longer reads
// from Since on, and the setting that replaces it (a family such as
// "ssh.*" where the docs do not name the key).
type RetiredEnv struct {
	Name, Setting string
	Since         Version
}

// RetiredEnvs are the variables sbx 0.53 (GH53) and 0.55 (GH55) stopped
// reading; `sbx settings set KEY VALUE` and `sbx daemon restart` replace
// each.
var RetiredEnvs = []RetiredEnv{
	{"DOCKER_SANDBOXES_USE_DHI", "platform.images.useDHI", Version{0, 53, 0}},
	{"DOCKER_SANDBOXES_CLIPBOARD_IMAGE_PASTE", "clipboard.imagePaste", Version{0, 55, 0}},
	{"DOCKER_SANDBOXES_KIT_ALLOWED_SOURCES", "kit.allowedSources", Version{0, 55, 0}},
	{"DOCKER_SANDBOXES_KIT_ALLOW_LOCAL", "kit.*", Version{0, 55, 0}},
	{"DOCKER_SANDBOXES_KIT_IGNORE_TLOG", "kit.*", Version{0, 55, 0}},
	{"DOCKER_SANDBOXES_KIT_REQUIRE_SIGNATURE", "kit.*", Version{0, 55, 0}},
	{"DOCKER_SANDBOXES_KIT_TRUSTED_SIGNERS", "kit.*", Version{0, 55, 0}},
	{"DOCKER_SANDBOXES_MODEL_PROVIDERS", "model.providers", Version{0, 55, 0}},
	{"DOCKER_SANDBOXES_SSH_AUTO_CREATE", "ssh.*", Version{0, 55, 0}},
	{"DOCKER_SANDBOXES_SSH_DEFAULT_AGENT", "ssh.*", Version{0, 55, 0}},
	{"DOCKER_SANDBOXES_SSH_DEFAULT_TEMPLATE", "ssh.*", Version{0, 55, 0}},
	{"DOCKER_SANDBOXES_SSH_WORKSPACE_ROOT", "ssh.*", Version{0, 55, 0}},
}
