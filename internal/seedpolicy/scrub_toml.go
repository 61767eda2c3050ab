package seedpolicy

import (
	"bytes"
	"reflect"
	"slices"

	"github.com/BurntSushi/toml"
)

// scrubTOML rewrites TOML (Codex's config.toml) without credentials. The
// parser keeps no comments or layout, so a file that loses an entry is
// written afresh from what it says (tables sorted, comments gone); one
// that loses nothing is copied as it is. A rewrite that does not read
// back as the same settings is refused: the file is skipped rather than
// changed in meaning. parsed is false when the file is not TOML.
func scrubTOML(content []byte) (s Scrubbed, parsed bool) {
	var doc map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(content)).Decode(&doc); err != nil {
		return Scrubbed{}, false
	}
	var left []Finding
	pruneTOML(doc, "", false, &left)
	if len(left) == 0 {
		what, _ := firstToken(content)
		if what == "" {
			return Scrubbed{Content: content}, true
		}
		left = append(left, Finding{Key: "comments", Why: "one holds what looks like " + what})
	}
	var out bytes.Buffer
	var again map[string]any
	enc := toml.NewEncoder(&out)
	enc.Indent = ""
	err := enc.Encode(doc)
	if err == nil {
		_, err = toml.NewDecoder(bytes.NewReader(out.Bytes())).Decode(&again)
	}
	if err != nil || !reflect.DeepEqual(again, doc) {
		return Scrubbed{Skip: "it holds " + left[0].Key + " (" + left[0].Why + "), and cannot be rewritten without it safely"}, true
	}
	return Scrubbed{Content: out.Bytes(), Left: left}, true
}

// pruneTOML removes from a table, in place, every entry judge leaves
// out, in the order of its sorted keys, and records each.
func pruneTOML(table map[string]any, at string, inEnv bool, left *[]Finding) {
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		key := keyPath(at, k)
		v := table[k]
		if why := judge(k, tomlLeaf(v), tomlLeaf(v) == nil, inEnv); why != "" {
			*left = append(*left, Finding{Key: key, Why: why})
			delete(table, k)
			continue
		}
		table[k] = pruneTOMLValue(v, key, EnvBlock(k), left)
	}
}

// pruneTOMLValue prunes a table, an array of tables or an array, and
// returns what is left of it.
func pruneTOMLValue(v any, at string, inEnv bool, left *[]Finding) any {
	switch c := v.(type) {
	case map[string]any:
		pruneTOML(c, at, inEnv, left)
	case []map[string]any:
		for i, t := range c {
			pruneTOML(t, indexPath(at, i), false, left)
		}
	case []any:
		kept := c[:0]
		for i, e := range c {
			key := indexPath(at, i)
			if s, ok := e.(string); ok {
				if what := TokenShape(s); what != "" {
					*left = append(*left, Finding{Key: key, Why: "its value looks like " + what})
					continue
				}
			}
			kept = append(kept, pruneTOMLValue(e, key, false, left))
		}
		return kept
	}
	return v
}

// tomlLeaf is a scalar's value for judge; nil for a table or an array.
func tomlLeaf(v any) any {
	switch v.(type) {
	case map[string]any, []map[string]any, []any:
		return nil
	}
	return v
}
