package inspect

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/git-airlock/git-airlock/gitx"
)

// A tracked file the host's git config includes is config git reads on
// every command; what it includes in turn is as well (git-config(1),
// "Includes": relative paths are relative to the including file).
// followIncludes adds the changed files such a file now includes to
// reach, and names the settings that run programs in each (Runs).
func followIncludes(changes []gitx.TreeChange, blobs Blobs, reach map[string]gitx.ConfigReach) error {
	if len(reach) == 0 {
		return nil
	}
	byKey := map[string]gitx.TreeChange{}
	for _, c := range changes {
		if c.Status != 'D' {
			byKey[Key(c.Path)] = c
		}
	}
	queue := make([]string, 0, len(reach))
	for k := range reach {
		queue = append(queue, k)
	}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		c, ok := byKey[k]
		if !ok {
			continue
		}
		switch reach[k].Key {
		case "core.excludesfile":
			continue // which files git ignores: no program
		case "core.attributesfile":
			r := reach[k]
			r.Runs = ": the attributes in it assign the filter, diff and merge drivers git runs, to every path"
			reach[k] = r
			continue
		}
		entries, err := blobs.BlobConfig(c.NewHash)
		if errors.Is(err, gitx.ErrConfigSyntax) {
			r := reach[k]
			r.Runs = ": git refuses to read it, and stops every command until it is fixed"
			reach[k] = r
			continue
		}
		if err != nil {
			return err
		}
		var old []gitx.ConfigEntry
		if c.Status != 'A' && c.OldPath == "" && c.OldHash != "" && c.OldHash != zeroHash {
			old, _ = blobs.BlobConfig(c.OldHash)
		}
		r := reach[k]
		r.Runs = programSettings(old, entries)
		reach[k] = r
		for _, e := range entries {
			if e.Key != "include.path" && !(strings.HasPrefix(e.Key, "includeif.") && strings.HasSuffix(e.Key, ".path")) {
				continue
			}
			if e.Value == "" || path.IsAbs(e.Value) || strings.HasPrefix(e.Value, "~") {
				continue
			}
			target := Key(path.Join(path.Dir(c.Path), e.Value))
			if _, seen := reach[target]; !seen {
				reach[target] = gitx.ConfigReach{Key: e.Key, Origin: c.Path}
				queue = append(queue, target)
			}
		}
	}
	return nil
}

// programSetting matches git settings whose value is a program git runs
// (git-config(1)): with an alias that starts with '!' they are how a
// config file runs code on the next git command.
var programSetting = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(core\.(fsmonitor|sshcommand|pager|editor|askpass|gitproxy|hookspath)|diff\.external|diff\..+\.(textconv|command)|` +
		`filter\..+\.(clean|smudge|process)|merge\..+\.driver|credential(\..+)?\.helper|gpg(\..+)?\.program|sequence\.editor|` +
		`uploadpack\.packobjectshook|remote\..+\.(uploadpack|receivepack|proxy)|pager\..+|interactive\.difffilter|` +
		`include\.path|includeif\..+\.path|ssh\.variant|http\.proxy|mergetool\..+\.cmd|difftool\..+\.cmd|web\.browser)$`)
})

// programSettings names the settings that run programs and that the new
// file sets differently from the old ("" when none changed).
func programSettings(old, entries []gitx.ConfigEntry) string {
	had := map[string]bool{}
	for _, e := range old {
		had[e.Key+"\n"+e.Value] = true
	}
	var keys []string
	seen := map[string]bool{}
	for _, e := range entries {
		alias := strings.HasPrefix(e.Key, "alias.") && strings.HasPrefix(strings.TrimSpace(e.Value), "!")
		if (alias || programSetting().MatchString(e.Key)) && !seen[e.Key] && !had[e.Key+"\n"+e.Value] {
			seen[e.Key] = true
			keys = append(keys, e.Key)
		}
	}
	if len(keys) == 0 {
		return ""
	}
	sort.Strings(keys)
	return fmt.Sprintf(": it sets %s, which name programs git runs", strings.Join(quotedAll(keys), ", "))
}
