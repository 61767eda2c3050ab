package sbx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0:
		return ""
	case v[0] == '"':
		if len(v) >= 2 && v[len(v)-1] == '"' && bytes.IndexByte(v, '\\') < 0 {
			return string(v[1 : len(v)-1]) // nothing escaped: the common case, no decoder
		}
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	case v[0] == '-' || v[0] >= '0' && v[0] <= '9':
		var n json.Number
		if json.Unmarshal(v, &n) == nil {
			return n.String()
		}
	case string(v) == "true" || string(v) == "false":
		return string(v)
	}
	return ""
}

// number is an integer field, given as a number or as a string.
func number(v json.RawMessage) int {
	s := strings.TrimSpace(text(v))
	if i, err := strconv.ParseInt(s, 10, 0); err == nil {
		return int(i)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int(f)) {
		return int(f) // 8080.0, 8e3
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

// listRow is one row of `sbx ls --json`, read in one pass: every field
// keeps its raw value, read leniently after (a number where a string was
// expected, a string for a list). Other fields are skipped.
type listRow struct {
	Name       json.RawMessage `json:"name"`
	Agent      json.RawMessage `json:"agent"`
	Status     json.RawMessage `json:"status"`
	Workspaces json.RawMessage `json:"workspaces"`
	Ports      json.RawMessage `json:"ports"`
}

// portRow is one published port of a listRow.
type portRow struct {
	HostIP      json.RawMessage `json:"host_ip"`
	HostPort    json.RawMessage `json:"host_port"`
	SandboxPort json.RawMessage `json:"sandbox_port"`
	Protocol    json.RawMessage `json:"protocol"`
}

// wholeListRows is the answer sbx gives, one JSON document and nothing
// else, decoded in a single pass (50 sandboxes: 0.28 ms; a pass per row
// and per field took 1.5 ms).
// ok is false for anything else, which listRows reads and names.
func wholeListRows(out []byte) (rows []*listRow, ok bool) {
	out = bytes.TrimSpace(out)
	switch out[0] {
	case '[':
		if json.Unmarshal(out, &rows) != nil {
			return nil, false
		}
	case '{':
		var doc struct {
			Sandboxes *[]*listRow `json:"sandboxes"`
		}
		if json.Unmarshal(out, &doc) != nil || doc.Sandboxes == nil {
			return nil, false
		}
		rows = *doc.Sandboxes
	default:
		return nil, false
	}
	return rows, !slices.Contains(rows, nil)
}

func sandboxes(rows []*listRow) []Sandbox {
	list := make([]Sandbox, 0, len(rows))
	for _, r := range rows {
		list = append(list, r.sandbox())
	}
	return list
}

// listRows decodes the rows of one JSON value of `sbx ls --json` (found by
// jsonValues among sbx's other lines): a bare array, or the array under
// "sandboxes"; what is not a row is named. It takes three passes where
// wholeListRows takes one (encoding/json scans what it is given at every
// call), so it reads only what wholeListRows does not.
func listRows(raw json.RawMessage) ([]*listRow, error) {
	if raw[0] != '[' {
		var doc struct {
			Sandboxes json.RawMessage `json:"sandboxes"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, err
		}
		if doc.Sandboxes == nil {
			return nil, fmt.Errorf("an object without %q", "sandboxes")
		}
		if isNull(doc.Sandboxes) {
			return nil, nil
		}
		if doc.Sandboxes[0] != '[' {
			return nil, fmt.Errorf("%q is not a list", "sandboxes")
		}
		raw = doc.Sandboxes
	}
	var rows []*listRow
	if json.Unmarshal(raw, &rows) == nil && !slices.Contains(rows, nil) {
		return rows, nil
	}
	// A row is not an object: name it, one row at a time.
	var each []json.RawMessage
	if err := json.Unmarshal(raw, &each); err != nil {
		return nil, err
	}
	for _, r := range each {
		var one listRow
		if json.Unmarshal(r, &one) != nil || isNull(r) {
			return nil, fmt.Errorf("a row that is not an object: %.40s", r)
		}
	}
	return nil, errors.New("rows that cannot be read")
}

// sandbox reads one row leniently (see listRow).
func (r *listRow) sandbox() Sandbox {
	s := Sandbox{Name: text(r.Name), Agent: text(r.Agent), Status: text(r.Status), Workspaces: texts(r.Workspaces)}
	var ports []*portRow
	_ = json.Unmarshal(r.Ports, &ports) // a port that is not an object is left out
	for _, p := range ports {
		if p != nil {
			s.Ports = append(s.Ports, Port{HostIP: text(p.HostIP), HostPort: number(p.HostPort),
				SandboxPort: number(p.SandboxPort), Protocol: text(p.Protocol)})
		}
	}
	return s
}

// ParseList reads `sbx ls --json` output: an object with a "sandboxes"
// array or a bare array, after any lines of sbx's own text. Rows are
// matched on name by callers; a status this client does not know (0.45's
// `unresponsive`) is kept as given and is not "running".
func ParseList(out []byte) ([]Sandbox, error) {
	if len(bytes.TrimSpace(out)) == 0 {
		// sbx answers an empty list with an empty array or object; an
		// empty answer says nothing, least of all "no sandboxes".
		return nil, errors.New("sbx ls --json: empty answer")
	}
	if rows, ok := wholeListRows(out); ok {
		return sandboxes(rows), nil
	}
	var list []Sandbox
	err := jsonValues(out, func(raw json.RawMessage) error {
		rows, err := listRows(raw)
		if err != nil {
			return err
		}
		list = sandboxes(rows)
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
