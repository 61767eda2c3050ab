package seedpolicy

import (
	"bytes"
	"errors"
	"io"

	"go.yaml.in/yaml/v3"
)

// scrubYAML rewrites YAML (aider's .aider.conf.yml, goose's config.yaml)
// without credentials, through the parser's node tree, which keeps the
// order of keys and the comments; the layout is the encoder's. A file with
// anchors and aliases that loses an entry is skipped: an alias to what was
// removed would dangle. parsed is false when the file is not YAML.
func scrubYAML(content []byte) (s Scrubbed, parsed bool) {
	dec := yaml.NewDecoder(bytes.NewReader(content))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Scrubbed{}, false
		}
		docs = append(docs, &n)
	}
	var left []Finding
	aliases := false
	for _, d := range docs {
		aliases = pruneYAML(d, "", false, &left) || aliases
	}
	if len(left) > 0 && aliases {
		return Scrubbed{Skip: "it holds " + left[0].Key + " (" + left[0].Why + ") and uses YAML aliases, so it cannot be rewritten without it safely"}, true
	}
	if len(left) == 0 {
		what, _ := firstToken(content)
		if what == "" {
			return Scrubbed{Content: content}, true
		}
		// In a comment (values and keys were judged): drop them all.
		for _, d := range docs {
			dropComments(d)
		}
		left = append(left, Finding{Key: "comments", Why: "one holds what looks like " + what})
	}
	out, err := encodeYAML(docs)
	if what, _ := firstToken(out); err == nil && what != "" {
		for _, d := range docs {
			dropComments(d)
		}
		out, err = encodeYAML(docs)
		left = append(left, Finding{Key: "comments", Why: "one holds what looks like " + what})
	}
	if err != nil {
		return Scrubbed{Skip: "it cannot be rewritten without " + left[0].Key + " (" + err.Error() + ")"}, true
	}
	return Scrubbed{Content: out, Left: left}, true
}

// pruneYAML removes from n, in place, every mapping entry and sequence
// item judge leaves out, and records each; it reports whether n holds an
// alias.
func pruneYAML(n *yaml.Node, at string, inEnv bool, left *[]Finding) (aliases bool) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			aliases = pruneYAML(c, at, inEnv, left) || aliases
		}
	case yaml.AliasNode:
		return true
	case yaml.MappingNode:
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := keyPath(at, k.Value)
			if why := judge(k.Value, yamlLeaf(v), v.Kind != yaml.ScalarNode, inEnv); why != "" {
				*left = append(*left, Finding{Key: key, Why: why})
				continue
			}
			aliases = k.Kind == yaml.AliasNode || pruneYAML(v, key, EnvBlock(k.Value), left) || aliases
			kept = append(kept, k, v)
		}
		n.Content = kept
	case yaml.SequenceNode:
		kept := n.Content[:0]
		for i, e := range n.Content {
			key := indexPath(at, i)
			if e.Kind == yaml.ScalarNode {
				if what := TokenShape(e.Value); what != "" {
					*left = append(*left, Finding{Key: key, Why: "its value looks like " + what})
					continue
				}
			}
			aliases = pruneYAML(e, key, false, left) || aliases
			kept = append(kept, e)
		}
		n.Content = kept
	}
	return aliases
}

// yamlLeaf is a scalar's value for judge: a string for a string, true
// for another scalar, nil for a mapping or sequence.
func yamlLeaf(n *yaml.Node) any {
	switch {
	case n.Kind != yaml.ScalarNode:
		return nil
	case n.Tag == "!!str" || n.Tag == "":
		return n.Value
	}
	return true
}

func encodeYAML(docs []*yaml.Node) ([]byte, error) {
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return nil, err
		}
	}
	err := enc.Close()
	return out.Bytes(), err
}

func dropComments(n *yaml.Node) {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	for _, c := range n.Content {
		dropComments(c)
	}
}
