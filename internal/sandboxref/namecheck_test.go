package sandboxref

import (
	"strings"
	"testing"
)

func TestNameCheck(t *testing.T) {
	host := strings.Repeat("1", 40)
	c := &NameCheck{Remote: "airlock-box", Remotes: []string{"origin", "sandbox-box"}, FoldCase: true,
		HostHas: func(oid string) bool { return oid == host }, Tracked: map[string]string{"main": "main"}}
	checkSkips(t, c, []skipCase{
		{"refs/heads/main", "a", ""},
		{"refs/heads/HEAD", "a", "named like git's HEAD"},
		{"refs/heads/FETCH_HEAD", "a", "named like git's own FETCH_HEAD"},
		{"refs/heads/MY_HEAD", "a", "named like git's own MY_HEAD"},
		{"refs/heads/feature/HEAD", "a", ""},
		{"refs/heads/@", "a", "not a valid branch name"},
		{"refs/heads/a..b", "a", "not a valid branch name"},
		{"refs/heads//x", "a", "not a valid branch name"}, // git check-ref-format: no leading slash
		{"refs/heads/x\x1b[31m", "a", "not a valid branch name"},
		{"refs/heads/refs/heads/x", "a", "named like a full ref name"},
		{"refs/heads/origin/main", "a", "named like remote origin's branches"},
		{"refs/heads/Sandbox-Box/x", "a", "named like remote Sandbox-Box's branches"},
		{"refs/heads/host/main", host, ""},
		{"refs/heads/host/main2", "b", "host/ branches carry what the host pushed"},
		{"refs/heads/Main", "a", "differs only by case from branch main,"},
		{"refs/heads/main", "a", ""},
		{"refs/heads/New", "a", ""},
		{"refs/heads/new", "a", "differs only by case from branch New,"},
		{"refs/tags/HEAD", "a", ""},
		{"refs/wip/HEAD", "a", ""},
	})
}

// hostRefs is a host repository with some branches and commits.
type hostRefs struct {
	refs    map[string]string
	commits map[string]bool
}

func (h hostRefs) Refs(prefix string) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range h.refs {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out, nil
}
func (h hostRefs) HasCommit(c string) bool { return h.commits[c] }

// NewNameCheck reads the host as the remote helper does: the host's own
// branch wins a case fold, a commit the host has passes a host/ branch.
func TestNewNameCheck(t *testing.T) {
	host := hostRefs{refs: map[string]string{"refs/heads/Feature": "a", "refs/remotes/airlock-box/topic": "b"}, commits: map[string]bool{"h": true}}
	c := NewNameCheck("airlock-box", []string{"origin"}, true, host)
	checkSkips(t, c, []skipCase{
		{"refs/heads/feature", "x", "differs only by case from branch Feature,"},
		{"refs/heads/TOPIC", "x", "differs only by case from branch topic,"},
		{"refs/heads/host/main", "h", ""},
		{"refs/heads/host/next", "x", "host/ branches carry"},
	})
	if got := NewNameCheck("airlock-box", nil, true, nil).Skip("refs/heads/host/x", "x"); got != "" {
		t.Errorf("without a host: %q", got)
	}
}

type skipCase struct{ name, oid, want string }

// checkSkips checks, in order, why each ref is left out ("" fetched; a
// reason by its beginning).
func checkSkips(t *testing.T, c *NameCheck, cases []skipCase) {
	t.Helper()
	for _, tc := range cases {
		if got := c.Skip(tc.name, tc.oid); !strings.HasPrefix(got, tc.want) || (tc.want == "" && got != "") {
			t.Errorf("%q: got %q, want %q…", tc.name, got, tc.want)
		}
	}
}
