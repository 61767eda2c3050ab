// Package sandboxref is how a sandbox is named in git: the airlock:// URL
// of its remote, the remote's name, the ref namespaces its branches live in
// (fetched, kept after removal, superseded by a rewrite), the default
// sandbox name of a repository, the record of an accepted risk, and which
// sandbox branch names a fetch leaves out (NameCheck).
//
// It depends on nothing but sbx's name rules and the ssh host grammar, so
// that git-airlock and the remote helper agree on every name without
// sharing anything else.
package sandboxref

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/sbx/sbxspec"
)

// Scheme is the URL scheme git maps to git-remote-airlock.
const Scheme = "airlock"

// Target is what an airlock:// URL names.
type Target struct {
	Sandbox string
	Path    string // the clone's absolute path inside the VM; "" to discover
	// Host is the machine whose sbx runs the sandbox, [user@]server[:port]
	// as sshhost reads it; "" for this machine.
	Host string
}

// URL renders the target as an airlock:// URL:
// airlock://<sandbox>[@<host>][/<path>].
func (t Target) URL() string {
	u := url.URL{Scheme: Scheme, Host: t.Sandbox, Path: t.Path}
	s := u.String()
	if t.Host == "" {
		return s
	}
	prefix := Scheme + "://" + t.Sandbox
	return prefix + "@" + t.Host + strings.TrimPrefix(s, prefix)
}

// Sub is the target of a repository nested in the clone (a submodule).
func (t Target) Sub(rel string) Target {
	return Target{Sandbox: t.Sandbox, Path: path.Join(t.Path, filepath.ToSlash(rel)), Host: t.Host}
}

// ParseURL reads airlock://<sandbox>[@<host>][/<absolute path>] and
// validates every part before anything runs: the name by sbx's rules (so
// it can never be read as a flag), the host by sshhost's grammar (no
// option, no whitespace), the path absolute and free of control
// characters. A sandbox name never holds '@', so the URLs of sandboxes on
// this machine read as they always did.
func ParseURL(raw string) (Target, error) {
	host := ""
	if rest, ok := strings.CutPrefix(raw, Scheme+"://"); ok {
		authority, p, _ := strings.Cut(rest, "/")
		if sandbox, h, ok := strings.Cut(authority, "@"); ok {
			parsed, err := sshhost.Parse(h)
			if err != nil {
				return Target{}, fmt.Errorf("invalid remote URL %q: %v", raw, err)
			}
			host = parsed.String()
			raw = Scheme + "://" + sandbox
			if strings.Contains(rest, "/") {
				raw += "/" + p
			}
		}
	}
	t, err := parseLocalURL(raw)
	t.Host = host
	return t, err
}

func parseLocalURL(raw string) (Target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, fmt.Errorf("invalid remote URL %q: %v", raw, err)
	}
	if u.Scheme != Scheme || u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Port() != "" {
		return Target{}, fmt.Errorf("invalid remote URL %q: want airlock://<sandbox>[/<path in the sandbox>]", raw)
	}
	if err := sbxspec.ValidateName(u.Host); err != nil {
		return Target{}, fmt.Errorf("invalid remote URL %q: %v", raw, err)
	}
	t := Target{Sandbox: u.Host, Path: u.Path}
	if t.Path == "/" {
		t.Path = ""
	}
	if t.Path != "" {
		if path.Clean(t.Path) != strings.TrimSuffix(t.Path, "/") || !path.IsAbs(t.Path) {
			return Target{}, fmt.Errorf("invalid remote URL %q: the path must be absolute and clean", raw)
		}
		if strings.ContainsFunc(t.Path, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return Target{}, fmt.Errorf("invalid remote URL %q: control character in path", raw)
		}
		t.Path = strings.TrimSuffix(t.Path, "/")
		if t.Path == "/" { // "//": the root, as "/" is
			t.Path = ""
		}
	}
	return t, nil
}

// SbxPathKey is the key of a sandbox remote's section that records where
// sbx was when the sandbox was registered (remote.<name>.airlockSbx).
const SbxPathKey = "airlockSbx"

// RemotePrefix starts the name of every git-airlock remote: airlock-<sandbox>.
const RemotePrefix = "airlock-"

// Remote is the name of a sandbox's remote.
func Remote(sandbox string) string { return RemotePrefix + sandbox }

// SbxRemote is the remote sbx itself adds in clone mode, sandbox-<name>.
func SbxRemote(sandbox string) string { return "sandbox-" + sandbox }

// Owns reports whether remote, with that URL, is git-airlock's remote of a
// sandbox (and not, say, a user's remote that happens to start with
// "airlock-"); it returns the URL's target.
func Owns(remote, rawURL string) (Target, bool) {
	t, err := ParseURL(rawURL)
	if err != nil || remote != Remote(t.Sandbox) {
		return Target{}, false
	}
	return t, true
}

// TrackingPrefix is where a remote's fetched branches live:
// refs/remotes/<remote>/.
func TrackingPrefix(remote string) string { return "refs/remotes/" + remote + "/" }

// Tracking is the remote-tracking ref of one of the remote's branches.
func Tracking(remote, branch string) string { return TrackingPrefix(remote) + branch }

// Short drops refs/remotes/ from a remote-tracking ref, as git shows it
// (airlock-x/main); a sandbox's HEAD ref reads as <remote>/HEAD.
func Short(ref string) string {
	if remote, ok := strings.CutPrefix(ref, HeadPrefix); ok {
		return remote + "/HEAD"
	}
	return strings.TrimPrefix(ref, "refs/remotes/")
}

// SbxTrackingPrefix covers the fetched branches of sbx's own
// sandbox-<name> remotes.
const SbxTrackingPrefix = "refs/remotes/sandbox-"

// SbxMirrorPrefix is where sbx mirrors a sandbox's fetched branches
// (refs/sandboxes/<name>/<branch>); they survive removal.
const SbxMirrorPrefix = "refs/sandboxes/"

// ProvenancePrefixes are every ref namespace whose commits came from a
// sandbox: git-airlock's remotes and the sandboxes' HEADs, sbx's remotes
// and mirror, and what removals kept.
var ProvenancePrefixes = []string{AllTrackingPrefix, HeadPrefix, SbxTrackingPrefix, SbxMirrorPrefix, RemovedPrefix}

// HeadPrefix is where each sandbox remote's fetch keeps the sandbox's HEAD
// commit: refs/airlock/head/<remote>. Outside refs/remotes/, so that no
// panel lists it as a branch and no symref (`git remote set-head`,
// followRemoteHEAD) can redirect the write; a detached HEAD's commits come
// back through it, and its reflog remembers every tip the agent had
// checked out.
const HeadPrefix = "refs/airlock/head/"

// Head is the ref that keeps a sandbox remote's HEAD commit.
func Head(remote string) string { return HeadPrefix + remote }

// AllTrackingPrefix covers the fetched branches of every sandbox remote.
const AllTrackingPrefix = "refs/remotes/" + RemotePrefix

// RemovedPrefix is where removed sandboxes' fetched branches are kept:
// refs/airlock/removed/<sandbox>@<n>/<branch>, one namespace per removal.
const RemovedPrefix = "refs/airlock/removed/"

// RemovalSep joins a sandbox name and the number of its removal. sbx names
// never hold '@', so "<sandbox>@<n>" cannot be mistaken for a name, and
// git allows '@' in a ref component (only "@{" and a lone "@" are refused).
const RemovalSep = "@"

// Removal names the n-th removal of a sandbox: <sandbox>@<n>. The same
// (default) name is removed again and again; each removal keeps its own
// refs and never overwrites an earlier one's.
func Removal(sandbox string, n int) string { return sandbox + RemovalSep + strconv.Itoa(n) }

// NextRemoval is the removal id a new removal of sandbox takes, given the
// refs under RemovedPrefix: one more than the highest number kept.
func NextRemoval(sandbox string, kept map[string]string) string {
	n := 0
	for ref := range kept {
		sb, removal, _, ok := ParseRemoved(ref)
		if !ok || sb != sandbox {
			continue
		}
		if _, num, found := strings.Cut(removal, RemovalSep); found {
			if k, err := strconv.Atoi(num); err == nil && k > n {
				n = k
			}
		}
	}
	return Removal(sandbox, n+1)
}

// RemovedPrefixOf is the kept-refs namespace of one removal.
func RemovedPrefixOf(removal string) string { return RemovedPrefix + removal + "/" }

// Removed is where one fetched branch of a removal is kept.
func Removed(removal, branch string) string { return RemovedPrefixOf(removal) + branch }

// Superseded keeps a tip that the agent's history rewrite left behind and
// that no kept branch contains.
func Superseded(removal, commit string) string {
	return Removed(removal, "superseded/"+commit[:min(len(commit), 12)])
}

// ParseRemoved splits a kept ref into its sandbox, its removal id and the
// branch. Refs kept before removals were numbered
// (refs/airlock/removed/<sandbox>/<branch>) parse with the sandbox name as
// their removal id.
func ParseRemoved(ref string) (sandbox, removal, branch string, ok bool) {
	rest, ok := strings.CutPrefix(ref, RemovedPrefix)
	if !ok {
		return "", "", "", false
	}
	removal, branch, ok = strings.Cut(rest, "/")
	sandbox, num, numbered := strings.Cut(removal, RemovalSep)
	if numbered {
		if k, err := strconv.Atoi(num); err != nil || k < 1 || strconv.Itoa(k) != num {
			return "", "", "", false
		}
	}
	if !ok || sandbox == "" || branch == "" {
		return "", "", "", false
	}
	return sandbox, removal, branch, true
}

// Session is the default tmux session of a sandbox.
func Session(sandbox string) string { return "airlock-" + sandbox }

// DefaultName is the sandbox name `up` uses when none is given:
// <agent>-<folder>-<6 hex of the repository path>. Stable per repository,
// different for two repositories that share a folder name, valid for sbx.
func DefaultName(agentName, root string) string {
	sum := sha256.Sum256([]byte(root))
	hash := hex.EncodeToString(sum[:3])
	return agentName + "-" + folderName(root, 63-len(agentName)-len(hash)-2) + "-" + hash
}

// DefaultGroupBase is the base name of the sandboxes of a `run --agents`
// without --name: <folder>-<6 hex of the repository path>, DefaultName
// without its agent, short enough for the longest "-<agent>-<n>".
func DefaultGroupBase(root string) string {
	sum := sha256.Sum256([]byte(root))
	hash := hex.EncodeToString(sum[:3])
	const room = 63 - 24 // "-<agent>-<n>": agent names are short
	return folderName(root, room-len(hash)-1) + "-" + hash
}

// folderName is the repository's folder name by sbx's name rules ("repo"
// when nothing of it is left), cut to max bytes.
func folderName(root string, max int) string {
	folder := sbxspec.SanitizeName(filepath.Base(root))
	if folder == "" {
		folder = "repo"
	}
	if len(folder) > max {
		folder = strings.TrimRight(folder[:max], "-")
	}
	return folder
}

// ServerRepoID names git-airlock's copy of a repository on another machine
// (gitx.ServerRepo): <folder>-<12 hex of the repository path>, stable per
// repository of this machine, of a safe alphabet for a remote path.
func ServerRepoID(root string) string {
	sum := sha256.Sum256([]byte(root))
	return folderName(root, 40) + "-" + hex.EncodeToString(sum[:6])
}

// AcceptedKey is the multi-valued git config key that recorded accepted
// risks, one Acceptance per value, before they moved to the notes under
// NotesRef. It is still read, and moved to the notes by the next merge,
// apply or pr.
const AcceptedKey = "airlock.acceptedRisk"

// NotesRef holds git-airlock's review records: one git note per landed
// commit (the sandbox commit the gate inspected, and the merge commit that
// landed it) with the findings and what the user accepted. It is never in
// a sandbox remote's fetch refspecs, so nothing from a sandbox reaches it.
const NotesRef = "refs/notes/airlock"

// Acceptance is one recorded acceptance of high-severity findings:
// "<sandbox> <commit> <time> <count> <rule,rule…>" in git config.
type Acceptance struct {
	Sandbox string
	Commit  string
	Time    time.Time
	Count   int
	Rules   []string
}

// String is the value stored under AcceptedKey.
func (a Acceptance) String() string {
	return fmt.Sprintf("%s %s %s %d %s", a.Sandbox, a.Commit, a.Time.UTC().Format(time.RFC3339), a.Count, strings.Join(a.Rules, ","))
}

// Detail is the record without the sandbox name, as status reports it.
func (a Acceptance) Detail() string {
	_, rest, _ := strings.Cut(a.String(), " ")
	return rest
}

// ParseAcceptance reads a value stored under AcceptedKey.
func ParseAcceptance(v string) (Acceptance, bool) {
	f := strings.Fields(v)
	if len(f) != 5 {
		return Acceptance{}, false
	}
	t, err := time.Parse(time.RFC3339, f[2])
	if err != nil {
		return Acceptance{}, false
	}
	n, err := strconv.Atoi(f[3])
	if err != nil {
		return Acceptance{}, false
	}
	return Acceptance{Sandbox: f[0], Commit: f[1], Time: t, Count: n, Rules: strings.Split(f[4], ",")}, true
}

// RemovalRecord is what rm writes, per removal, to local git config:
// when the sandbox was removed and which sandbox it was (its agent and the
// host branch it was created from). Kept refs' reflogs would give the time
// too, but not which sandbox, and readers of refs/airlock/ reflogs differ
// between git versions; one config value per removal is read in the same
// git call as every other airlock.* entry.
type RemovalRecord struct {
	Removal string
	Time    time.Time
	Agent   string
	Base    string
}

// removalSection holds the records: airlock.removed/<removal>.at. The
// removal id is a config subsection, where '@' is allowed, and the key
// has two dots, so no setting is ever read from it.
const removalSection = "airlock.removed/"

// RemovalRecordKey is the git config key of one removal's record.
func RemovalRecordKey(removal string) string { return removalSection + removal + ".at" }

// String is the stored value: "<time> <agent> <base>", "-" for unknown.
func (r RemovalRecord) String() string {
	return fmt.Sprintf("%s %s %s", r.Time.UTC().Format(time.RFC3339), orDash(r.Agent), orDash(r.Base))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ParseRemovalRecord reads one config entry (key and value) written under
// RemovalRecordKey.
func ParseRemovalRecord(key, value string) (RemovalRecord, bool) {
	rest, ok := strings.CutPrefix(key, removalSection)
	if !ok {
		return RemovalRecord{}, false
	}
	removal, ok := strings.CutSuffix(rest, ".at")
	if !ok || removal == "" {
		return RemovalRecord{}, false
	}
	f := strings.Fields(value)
	if len(f) != 3 {
		return RemovalRecord{}, false
	}
	t, err := time.Parse(time.RFC3339, f[0])
	if err != nil {
		return RemovalRecord{}, false
	}
	r := RemovalRecord{Removal: removal, Time: t, Agent: f[1], Base: f[2]}
	if r.Agent == "-" {
		r.Agent = ""
	}
	if r.Base == "-" {
		r.Base = ""
	}
	return r, true
}
