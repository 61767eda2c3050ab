package workflowtest

import (
	"regexp"
	"sort"
	"strings"

	"github.com/git-airlock/git-airlock/gitx"
)

// ConfigEntries answers a config read (gitx.Repo.ConfigRead) from a fake's
// key-value map as git would: the entries whose canonical key (section and
// name lower-cased, subsection as written) matches pattern, in key order.
func ConfigEntries(values map[string]string, pattern string) []gitx.ConfigEntry {
	re := regexp.MustCompile(pattern)
	var out []gitx.ConfigEntry
	for k, v := range values {
		key := k
		if first, last := strings.Index(k, "."), strings.LastIndex(k, "."); first >= 0 {
			key = strings.ToLower(k[:first]) + k[first:last] + strings.ToLower(k[last:])
		}
		if re.MatchString(key) {
			out = append(out, gitx.ConfigEntry{Key: key, Value: v, Scope: "local"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
