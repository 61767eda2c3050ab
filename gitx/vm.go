package gitx

import (
	"fmt"
	"path"
	"strings"
)

// Git commands that run inside a sandbox's VM, described as data: sbx
// executes the argv, and the parsers here read the answer. The VM's git is
// the agent's; its output is untrusted text.

// CloneTopLevelArgv asks the VM where its clone is. sbx starts exec in the
// primary workspace, which in clone mode is the clone.
func CloneTopLevelArgv() []string { return []string{"git", "rev-parse", "--show-toplevel"} }

// ParseCloneTopLevel reads the answer to CloneTopLevelArgv: one absolute
// path. Anything sbx printed before it (a wake-up line) is skipped.
func ParseCloneTopLevel(out string) (string, error) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	p := strings.TrimSpace(lines[len(lines)-1])
	if !path.IsAbs(p) || path.Clean(p) != p || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", fmt.Errorf("unexpected answer %q", out)
	}
	return p, nil
}

// WorkStatusArgv lists uncommitted changes of the clone at dir.
func WorkStatusArgv(dir string) []string {
	return []string{"git", "-C", dir, "status", "--porcelain", "--untracked-files=normal"}
}

// CountChanged counts the files in WorkStatusArgv's answer.
func CountChanged(out string) int {
	if strings.TrimSpace(out) == "" {
		return 0
	}
	return strings.Count(strings.TrimSpace(out), "\n") + 1
}

// VMRefsArgv lists the clone's branches, tags and stash with the commit
// each points at.
func VMRefsArgv(dir string) []string {
	return []string{"git", "-C", dir, "for-each-ref", "--format=%(objectname) %(*objectname) %(refname)", "refs/heads", "refs/tags", "refs/stash"}
}

// VMHeadArgv asks for the commit the clone's HEAD is at, detached or not;
// its answer, with "  HEAD" appended, parses with ParseVMRefs.
func VMHeadArgv(dir string) []string {
	return []string{"git", "-C", dir, "rev-parse", "-q", "--verify", "HEAD"}
}

// VMRef is one ref of the clone and the commit it holds.
type VMRef struct {
	Name   string
	Commit string // for an annotated tag, the commit it points at
}

// ParseVMRefs reads VMRefsArgv's answer; lines that are not refs are
// skipped.
func ParseVMRefs(out string) []VMRef {
	var refs []VMRef
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || len(f) > 3 || !isHash(f[0]) {
			continue
		}
		r := VMRef{Commit: f[0], Name: f[len(f)-1]}
		if len(f) == 3 {
			if !isHash(f[1]) {
				continue
			}
			r.Commit = f[1] // annotated tag: the commit it points at
		}
		refs = append(refs, r)
	}
	return refs
}

func isHash(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
