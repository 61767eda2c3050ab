package seedpolicy

import (
	"github.com/tailscale/hujson"
)

// scrubJSON rewrites JSON, or JSON with comments and trailing commas
// (OpenCode's opencode.jsonc, VS Code-style settings), through a syntax
// tree that keeps every byte it does not remove: the formatting, the
// comments and the trailing commas stay as they were. parsed is false
// when the file is neither.
func scrubJSON(content []byte) (s Scrubbed, parsed bool) {
	v, err := hujson.Parse(content)
	if err != nil {
		return Scrubbed{}, false
	}
	var left []Finding
	pruneJSON(&v, "", false, &left)
	out := v.Pack()
	if what, _ := firstToken(out); what != "" {
		// In a comment (values and keys were judged): drop them all.
		v.Minimize()
		v.Format()
		out = append(v.Pack(), '\n')
		left = append(left, Finding{Key: "comments", Why: "one holds what looks like " + what})
	}
	if len(left) == 0 {
		return Scrubbed{Content: content}, true
	}
	return Scrubbed{Content: out, Left: left}, true
}

// pruneJSON removes from v, in place, every member and element judge
// leaves out, and records each.
func pruneJSON(v *hujson.Value, at string, inEnv bool, left *[]Finding) {
	switch c := v.Value.(type) {
	case *hujson.Object:
		trailing := hasTrailingComma(c.Members)
		kept := c.Members[:0]
		for _, m := range c.Members {
			name := m.Name.Value.(hujson.Literal).String()
			key := keyPath(at, name)
			if why := judge(name, jsonLeaf(m.Value), m.Value.Value.Kind() == '{' || m.Value.Value.Kind() == '[', inEnv); why != "" {
				*left = append(*left, Finding{Key: key, Why: why})
				continue
			}
			pruneJSON(&m.Value, key, EnvBlock(name), left)
			kept = append(kept, m)
		}
		c.Members = kept
		if len(kept) > 0 {
			keepTrailingComma(&kept[len(kept)-1].Value, &c.AfterExtra, trailing)
		}
	case *hujson.Array:
		trailing := len(c.Elements) > 0 && c.Elements[len(c.Elements)-1].AfterExtra != nil
		kept := c.Elements[:0]
		for i, e := range c.Elements {
			key := indexPath(at, i)
			if s, ok := jsonLeaf(e).(string); ok {
				if what := TokenShape(s); what != "" {
					*left = append(*left, Finding{Key: key, Why: "its value looks like " + what})
					continue
				}
			}
			pruneJSON(&e, key, false, left)
			kept = append(kept, e)
		}
		c.Elements = kept
		if len(kept) > 0 {
			keepTrailingComma(&kept[len(kept)-1], &c.AfterExtra, trailing)
		}
	}
}

// jsonLeaf is a scalar's value for judge: a string, or true for any other
// literal; nil for an object or array.
func jsonLeaf(v hujson.Value) any {
	lit, ok := v.Value.(hujson.Literal)
	if !ok {
		return nil
	}
	if lit.Kind() == '"' {
		return lit.String()
	}
	return true
}

func hasTrailingComma(ms []hujson.ObjectMember) bool {
	return len(ms) > 0 && ms[len(ms)-1].Value.AfterExtra != nil
}

// keepTrailingComma keeps whether a container ends in a comma once its
// last member may be another: hujson writes one exactly when the last
// value's AfterExtra is non-nil. Standard JSON stays standard.
func keepTrailingComma(last *hujson.Value, after *hujson.Extra, trailing bool) {
	switch {
	case trailing && last.AfterExtra == nil:
		last.AfterExtra = hujson.Extra{}
	case !trailing && last.AfterExtra != nil:
		*after = append(append(hujson.Extra{}, last.AfterExtra...), *after...)
		last.AfterExtra = nil
	}
}
