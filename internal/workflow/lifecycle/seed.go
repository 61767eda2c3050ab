package lifecycle

import (
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/seedpolicy"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/sbx"
)

// Files is what seeding reads of this machine: what the seed policy looks
// at to allow a path, and then the content of what it allowed.
type Files interface {
	seedpolicy.FS
	Stat(name string) (fs.FileInfo, error)
	ReadFile(name string) ([]byte, error)
}

// hostFiles is this machine's file system.
type hostFiles struct{ seedpolicy.OS }

func (hostFiles) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }
func (hostFiles) ReadFile(name string) ([]byte, error)  { return os.ReadFile(name) }

// maxSeedFile bounds one seeded file: each is read whole to be checked
// for credentials, and agent configs are kilobytes.
const maxSeedFile = 16 << 20

// seed copies the agent's curated config (airlock.seedConfig) and the
// extra airlock.seedPath entries into a new sandbox's $HOME. Refused paths
// are reported and skipped; nothing of theirs is copied. Every file's
// content is checked for credentials first: what holds one is copied
// without it, or not at all, and each is named (never its value).
// home is the sandbox's $HOME as it said ("": ask it); seeded says
// whether anything was copied.
func (s *Seeder) seed(ctx context.Context, name, agentName, home string) (seeded bool, _ error) {
	files := s.Files
	if files == nil {
		files = hostFiles{}
	}
	rels := s.seedPaths(files, agentName)
	if len(rels) == 0 {
		return false, nil
	}
	if s.Server != nil {
		// Seeding copies this machine's files; a sandbox on another
		// machine gets nothing of this one's (its sbx cp would read the
		// server's disk at these paths anyway).
		s.UI.Warnf("not seeded: sandbox %q is on %s, and git-airlock copies nothing of this machine's files there (%s); put them on the server and seed from there", name, s.Server.Host(), strings.Join(rels, ", "))
		return false, nil
	}
	trees, withheld := s.seedTrees(files, rels)
	if withheld {
		defer s.UI.Hint("credentials never go into a sandbox: store a key with 'sbx secret set <service>', and sbx's proxy adds it to the agent's requests")
	}
	if len(trees) == 0 {
		return false, nil
	}
	if home == "" {
		var err error
		if home, err = s.sandboxHome(ctx, name); err != nil {
			return false, err
		}
	}
	if err := s.Sbx.Put(ctx, sbx.PutRequest{Name: name, Dir: home, Trees: trees}); err != nil {
		return false, workflow.SbxError(err)
	}
	for _, t := range trees {
		s.UI.Infof("seeded ~/%s", seedpolicy.ShowPath(t.Path))
	}
	return true, nil
}

// seedPaths are the seed paths the policy allows, relative to $HOME: the
// agent's curated list (those the user has) and airlock.seedPath.
func (s *Seeder) seedPaths(files Files, agentName string) []string {
	var candidates []string
	if s.Settings.SeedConfig() {
		curated := seedpolicy.Curated(agentName)
		for _, rel := range curated {
			if _, err := files.Lstat(filepath.Join(s.Home, rel)); err == nil { // the user may not have it
				candidates = append(candidates, rel)
			}
		}
		if len(curated) == 0 {
			s.UI.Warnf("no curated config list for %s; nothing seeded (name paths with airlock.seedPath)", agentName)
		}
	}
	var rels []string
	for _, p := range append(candidates, s.Settings.SeedPaths()...) {
		rel, err := seedpolicy.Check(files, s.Home, p)
		if err != nil {
			s.UI.Warnf("%v", err)
			continue
		}
		rels = append(rels, rel)
	}
	return rels
}

// seedTrees reads what the seed paths hold and keeps of each file what
// seedpolicy.Scrub allows. withheld: a credential was left out, or a file
// holding one skipped.
func (s *Seeder) seedTrees(files Files, rels []string) (trees []sbx.Tree, withheld bool) {
	for _, rel := range rels {
		abs := filepath.Join(s.Home, rel)
		fi, err := files.Stat(abs)
		if err != nil {
			s.UI.Warnf("not seeded: ~/%s: %v", seedpolicy.ShowPath(filepath.ToSlash(rel)), err)
			continue
		}
		t := sbx.Tree{Path: filepath.ToSlash(rel)}
		if fi.IsDir() {
			withheld = s.seedDir(files, abs, t.Path, "", &t) || withheld
		} else {
			withheld = s.seedFile(files, abs, t.Path, "", fi, &t) || withheld
		}
		if len(t.Files) > 0 {
			trees = append(trees, t)
		}
	}
	return trees, withheld
}

// seedDir adds every file under dir (sub, relative to the tree) to t.
func (s *Seeder) seedDir(files Files, dir, tree, sub string, t *sbx.Tree) (withheld bool) {
	entries, err := files.ReadDir(dir)
	if err != nil {
		s.UI.Warnf("not seeded: ~/%s: %v", seedpolicy.ShowPath(path.Join(tree, sub)), err)
		return false
	}
	for _, e := range entries {
		p, q := filepath.Join(dir, e.Name()), path.Join(sub, e.Name())
		switch {
		case e.IsDir():
			withheld = s.seedDir(files, p, tree, q, t) || withheld
		case e.Type().IsRegular():
			info, err := e.Info()
			if err != nil {
				s.UI.Warnf("not seeded: ~/%s: %v", seedpolicy.ShowPath(path.Join(tree, q)), err)
				continue
			}
			withheld = s.seedFile(files, p, tree, q, info, t) || withheld
		default: // the policy refused these; one appeared since
			s.UI.Warnf("not seeded: ~/%s: not a regular file", seedpolicy.ShowPath(path.Join(tree, q)))
		}
	}
	return withheld
}

// seedFile adds one file (sub, relative to the tree; "" for a file tree)
// to t, without its credentials, and names what it left out.
func (s *Seeder) seedFile(files Files, abs, tree, sub string, fi fs.FileInfo, t *sbx.Tree) (withheld bool) {
	shown := "~/" + seedpolicy.ShowPath(path.Join(tree, sub))
	if fi.Size() > maxSeedFile {
		s.UI.Warnf("not seeded: %s: larger than %d MiB, too large to check for credentials", shown, maxSeedFile>>20)
		return false
	}
	content, err := files.ReadFile(abs)
	if err != nil {
		s.UI.Warnf("not seeded: %s: %v", shown, err)
		return false
	}
	scrubbed := seedpolicy.Scrub(path.Join(tree, sub), content)
	if scrubbed.Skip != "" {
		s.UI.Warnf("not seeded: %s: %s", shown, scrubbed.Skip)
		return true
	}
	for _, f := range scrubbed.Left {
		s.UI.Warnf("%s: left out %s: %s", shown, f.Key, f.Why)
	}
	t.Files = append(t.Files, sbx.File{Path: sub, Content: scrubbed.Content, Mode: fi.Mode()})
	return len(scrubbed.Left) > 0
}

// sandboxHome asks the sandbox for its $HOME (a dry run names a stand-in).
func (s *Seeder) sandboxHome(ctx context.Context, name string) (string, error) {
	if s.Sbx.DryRun() {
		return "/sandbox-home", nil
	}
	out, err := s.Sbx.ExecOutput(ctx, sbx.ExecRequest{Name: name, Argv: []string{"sh", "-c", `printf %s "$HOME"`}})
	if err != nil {
		return "", workflow.SbxError(err)
	}
	home := strings.TrimSpace(out)
	if !path.IsAbs(home) {
		return "", hint.Errorf(nil, "sandbox %q reports an unusable $HOME %q", name, home)
	}
	return home, nil
}

// applyLockdown gives a new sandbox the allowlist when deny-all is the
// configured policy and may be the one in force (inForce, "" when not
// known): under a policy known to be another, an allowlist changes
// nothing, and ensurePolicy said so.
func (s *Seeder) applyLockdown(ctx context.Context, name, inForce string) error {
	if s.Settings.NetworkPolicy() != "deny-all" || inForce != "" && inForce != "deny-all" {
		return nil
	}
	allow := s.Settings.Allow()
	if len(allow) == 0 {
		s.UI.Warnf("airlock.allow is empty: sandbox %q can reach no host under deny-all", name)
		return nil
	}
	if err := s.Sbx.PolicyAllow(ctx, name, allow); err != nil {
		return workflow.SbxError(err)
	}
	// Not "may reach only": sbx's agent kits still allow each agent's own
	// model API under deny-all (0.45 and later).
	if inForce == "" {
		s.UI.Infof("sandbox %q allowed: %s, for deny-all (if it is sbx's default; and its agent's own model API, which sbx's kits allow)", name, strings.Join(allow, ", "))
		return nil
	}
	s.UI.Infof("deny-all: sandbox %q allowed: %s (and its agent's own model API, which sbx's kits allow)", name, strings.Join(allow, ", "))
	return nil
}
