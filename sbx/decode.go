package sbx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Tolerant decoding of sbx's JSON answers. Their schemas are undocumented
// and have changed between releases (fields added, `ls` from a bare array
// to an object, `secret ls` from service/scope rows to scope/type/name,
// numbers that may become strings), and sbx may print lines of its own
// (an update notice, a warning, some starting with "[" or "{") before the
// JSON. So: the JSON is the first value starting a line that decodes into
// the expected shape; rows are read field by field, unknown fields and
// values are ignored, and a number given as a string (or the reverse) is
// accepted.

// jsonValues calls try with every JSON value that starts a line of out
// (after indentation), in order, until try accepts one. It returns the
// last decoding or shape error when none is accepted, and errNoJSON when
// no line starts a JSON value.
func jsonValues(out []byte, try func(json.RawMessage) error) error {
	err := errNoJSON
	for start := 0; start < len(out); {
		end := bytes.IndexByte(out[start:], '\n')
		if end < 0 {
			end = len(out)
		} else {
			end += start
		}
		line := out[start:end]
		if i := len(line) - len(bytes.TrimLeft(line, " \t\r")); i < len(line) && (line[i] == '[' || line[i] == '{') {
			var raw json.RawMessage
			dec := json.NewDecoder(bytes.NewReader(out[start+i:]))
			if derr := dec.Decode(&raw); derr != nil {
				err = derr
			} else if !restOfLineBlank(out[start+i+int(dec.InputOffset()):]) {
				err = fmt.Errorf("text after the JSON value in %q", line)
			} else if serr := try(raw); serr != nil {
				err = serr
			} else {
				return nil
			}
		}
		start = end + 1
	}
	return err
}

var errNoJSON = errors.New("no JSON in output")

// restOfLineBlank: a JSON answer ends its line ("[warn] x" or "{} done" are
// sbx's text, not its answer).
func restOfLineBlank(rest []byte) bool {
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	return len(bytes.TrimSpace(line)) == 0
}

// rowsOf finds the rows in a decoded answer: a bare array, or the array
// under key in an object.
func rowsOf(raw json.RawMessage, key string) ([]json.RawMessage, error) {
	var rows []json.RawMessage
	if raw[0] == '[' {
		if err := json.Unmarshal(raw, &rows); err != nil {
			return nil, err
		}
		return rows, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	v, ok := obj[key]
	if !ok {
		return nil, fmt.Errorf("an object without %q", key)
	}
	if isNull(v) {
		return nil, nil
	}
	if err := json.Unmarshal(v, &rows); err != nil {
		return nil, fmt.Errorf("%q is not a list", key)
	}
	return rows, nil
}

// fields reads one row as an object; anything else is not a row.
func fields(row json.RawMessage) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(row, &m); err != nil || m == nil {
		return nil, fmt.Errorf("a row that is not an object: %.40s", row)
	}
	return m, nil
}

func isNull(v json.RawMessage) bool { return len(v) == 0 || string(v) == "null" }

// text is a string field; a number or boolean is taken as its text.
func text(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String()
	}
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return strconv.FormatBool(b)
	}
	return ""
}

// number is an integer field, given as a number or as a string.
func number(v json.RawMessage) int {
	var n json.Number
	if json.Unmarshal(v, &n) != nil {
		var s string
		if json.Unmarshal(v, &s) != nil {
			return 0
		}
		n = json.Number(strings.TrimSpace(s))
	}
	if i, err := n.Int64(); err == nil && int64(int(i)) == i {
		return int(i)
	}
	return 0
}

// texts is a list of strings; a single string is a list of one.
func texts(v json.RawMessage) []string {
	var list []json.RawMessage
	if json.Unmarshal(v, &list) != nil {
		if s := text(v); s != "" {
			return []string{s}
		}
		return nil
	}
	var out []string
	for _, e := range list {
		out = append(out, text(e))
	}
	return out
}

func decodeSandbox(row json.RawMessage) (Sandbox, error) {
	m, err := fields(row)
	if err != nil {
		return Sandbox{}, err
	}
	s := Sandbox{Name: text(m["name"]), Agent: text(m["agent"]), Status: text(m["status"]), Workspaces: texts(m["workspaces"])}
	var ports []json.RawMessage
	_ = json.Unmarshal(m["ports"], &ports)
	for _, p := range ports {
		pm, err := fields(p)
		if err != nil {
			continue
		}
		s.Ports = append(s.Ports, Port{HostIP: text(pm["host_ip"]), HostPort: number(pm["host_port"]),
			SandboxPort: number(pm["sandbox_port"]), Protocol: text(pm["protocol"])})
	}
	return s, nil
}

// ParseList reads `sbx ls --json` output: an object with a "sandboxes"
// array or a bare array, after any lines of sbx's own text. Rows are
// matched on name by callers; a status this client does not know (0.45's
// `unresponsive`) is kept as given and is not "running".
func ParseList(out []byte) ([]Sandbox, error) {
	if len(bytes.TrimSpace(out)) == 0 {
		return nil, nil
	}
	var list []Sandbox
	err := jsonValues(out, func(raw json.RawMessage) error {
		rows, err := rowsOf(raw, "sandboxes")
		if err != nil {
			return err
		}
		var got []Sandbox
		for _, r := range rows {
			s, err := decodeSandbox(r)
			if err != nil {
				return err
			}
			got = append(got, s)
		}
		list = got
		return nil
	})
	if errors.Is(err, errNoJSON) {
		return nil, fmt.Errorf("sbx ls --json: no JSON in output %q", firstLine(out))
	}
	if err != nil {
		return nil, fmt.Errorf("sbx ls --json: %w", err)
	}
	return list, nil
}

// parseSecrets reads `sbx secret ls --json`: from 0.42
// {"secrets":[{"scope","type","name"}],"custom_secrets":[…]} with scope
// `global` or the bare sandbox name; earlier captures show rows of
// {"service","scope"}, bare or under "secrets". Scopes come back
// normalised to "global" or "sandbox:<name>" ("" when sbx gave none).
func parseSecrets(out []byte) ([]Secret, error) {
	if len(bytes.TrimSpace(out)) == 0 {
		return nil, nil
	}
	var list []Secret
	err := jsonValues(out, func(raw json.RawMessage) error {
		rows, err := rowsOf(raw, "secrets")
		if err != nil {
			return err
		}
		var got []Secret
		for _, r := range rows {
			m, err := fields(r)
			if err != nil {
				return err
			}
			sec := Secret{Service: text(m["name"]), Scope: normaliseScope(text(m["scope"]))}
			if s := text(m["service"]); s != "" {
				sec.Service = s
			}
			got = append(got, sec)
		}
		list = got
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sbx secret ls --json: %w", err)
	}
	return list, nil
}

// normaliseScope maps sbx's scopes onto the client's: "global" stays,
// "sandbox:<name>" stays, a bare sandbox name (0.42+) gains the prefix.
func normaliseScope(s string) string {
	switch {
	case s == "", strings.EqualFold(s, "global"):
		return strings.ToLower(s)
	case strings.HasPrefix(s, "sandbox:"):
		return s
	}
	return "sandbox:" + s
}
