package gitx

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// situationsFile records, per repository (in the common git directory,
// beside airlock.lock), which situation each one-time hint was last shown
// for: one "<key> <situation>" line per hint. It is git-airlock's memory,
// not a setting: no git process reads or writes it, and losing it only
// shows a hint once more.
const situationsFile = "airlock-hints"

// Situation is the situation last recorded under key ("" when none).
func (r *Repo) Situation(key string) string {
	b, err := os.ReadFile(filepath.Join(r.CommonDir, situationsFile))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, " "); ok && k == key {
			return v
		}
	}
	return ""
}

// RecordSituation records situation under key, replacing what was there.
// Keys and situations are single words or phrases without newlines; the
// file is replaced by a rename, so a reader never sees half of it.
func (r *Repo) RecordSituation(key, situation string) error {
	path := filepath.Join(r.CommonDir, situationsFile)
	b, _ := os.ReadFile(path)
	var lines []string
	for _, line := range strings.Split(string(b), "\n") {
		if k, _, _ := strings.Cut(line, " "); line != "" && k != key {
			lines = append(lines, line)
		}
	}
	lines = append(lines, key+" "+strings.ReplaceAll(situation, "\n", " "))
	tmp, err := os.CreateTemp(r.CommonDir, situationsFile+".*")
	if err != nil {
		return fmt.Errorf("record hint %q: %w", key, err)
	}
	_, werr := tmp.WriteString(strings.Join(lines, "\n") + "\n")
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("record hint %q in %q: %w", key, path, werr)
	}
	return nil
}
