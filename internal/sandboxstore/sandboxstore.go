// Package sandboxstore keeps git-airlock's own records of a repository's
// sandboxes, in files under <git common dir>/airlock/ that git never reads:
// sandboxes/<name>.json (the agent, the host branch it started from, where
// sbx was, the run --agents group, the agent's last exit status) and
// removals/<removal>.json (when rm removed which sandbox). .git/config
// keeps only what git itself uses (the sandbox remote's URL, refspecs and
// tag keys), so that no git command in the repository pays for them.
//
// Its boundary: one JSON file per record, written whole to a temporary file
// and renamed into place (a reader never sees half a record), read by
// git-airlock only, in process (no git or other child). The common dir is
// shared by every linked worktree. Under dry-run nothing is written: each
// write is printed as "write <path> <content>" (a removal "remove <path>"),
// as other dry-run writes of files are.
package sandboxstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/sbx/sbxspec"
)

// Sandbox is what git-airlock records of a registered sandbox beyond its
// remote. Every field is optional: a sandbox registered by an older
// git-airlock may have none.
type Sandbox struct {
	Agent string `json:"agent,omitempty"` // as given at registration
	Base  string `json:"base,omitempty"`  // host branch checked out when it was created
	// Sbx is where sbx was when the sandbox was registered: the remote
	// helper finds sbx through it when its PATH lacks sbx.
	Sbx string `json:"sbx,omitempty"`
	// Group is the run --agents the sandbox belongs to: "<base> <commit>
	// <time>", the same for all of one run.
	Group string `json:"group,omitempty"`
	// Exit is the agent's exit status as run --agents recorded it (a
	// number, or "dry-run").
	Exit string `json:"exit,omitempty"`
}

// Merge fills r's empty fields from older (a record an older git-airlock
// kept in git config): r wins where both have a value.
func (r Sandbox) Merge(older Sandbox) Sandbox {
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	return Sandbox{Agent: pick(r.Agent, older.Agent), Base: pick(r.Base, older.Base), Sbx: pick(r.Sbx, older.Sbx),
		Group: pick(r.Group, older.Group), Exit: pick(r.Exit, older.Exit)}
}

// removal is a removal record on disk; the removal id is the file's name.
type removal struct {
	Time  time.Time `json:"time"`
	Agent string    `json:"agent,omitempty"`
	Base  string    `json:"base,omitempty"`
}

// Store is the records of one repository.
type Store struct {
	Dir string // <git common dir>/airlock
	// DryRun, when set, receives the writes instead of the file system.
	DryRun io.Writer
}

// For is the store of the repository whose git common dir is commonDir.
func For(commonDir string, dryRun io.Writer) Store {
	return Store{Dir: filepath.Join(commonDir, "airlock"), DryRun: dryRun}
}

const (
	sandboxDir = "sandboxes"
	removalDir = "removals"
	ext        = ".json"
)

func (s Store) sandboxPath(name string) string {
	return filepath.Join(s.Dir, sandboxDir, name+ext)
}

func (s Store) removalPath(id string) string {
	return filepath.Join(s.Dir, removalDir, id+ext)
}

// checkName refuses a name that is not a file name of its own: the
// sandbox names sbx accepts and the removal ids built from them
// ("<sandbox>@<n>") are.
func checkName(name string) error {
	sandbox, _, _ := strings.Cut(name, sandboxref.RemovalSep)
	if err := sbxspec.ValidateName(sandbox); err != nil {
		return err
	}
	if strings.ContainsAny(name, `/\`) {
		return fmt.Errorf("%q is not a record name", name)
	}
	return nil
}

// Sandboxes reads every sandbox record, by sandbox name.
func (s Store) Sandboxes() (map[string]Sandbox, error) {
	out := map[string]Sandbox{}
	err := s.each(sandboxDir, func(name, path string, b []byte) error {
		var r Sandbox
		if err := decode(path, b, &r); err != nil {
			return err
		}
		out[name] = r
		return nil
	})
	return out, err
}

// Sandbox reads one sandbox's record; ok is false when there is none.
func (s Store) Sandbox(name string) (Sandbox, bool, error) {
	var r Sandbox
	if err := checkName(name); err != nil {
		return r, false, err
	}
	p := s.sandboxPath(name)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("read git-airlock's record %s: %w", p, err)
	}
	if err := decode(p, b, &r); err != nil {
		return r, false, err
	}
	return r, true, nil
}

// PutSandbox writes a sandbox's record whole, replacing any earlier one.
func (s Store) PutSandbox(name string, r Sandbox) error {
	if err := checkName(name); err != nil {
		return err
	}
	return s.write(s.sandboxPath(name), r)
}

// DropSandbox removes a sandbox's record; none is no error.
func (s Store) DropSandbox(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	return s.remove(s.sandboxPath(name))
}

// Removals reads every removal record, sorted by removal id.
func (s Store) Removals() ([]sandboxref.RemovalRecord, error) {
	var out []sandboxref.RemovalRecord
	err := s.each(removalDir, func(id, path string, b []byte) error {
		var r removal
		if err := decode(path, b, &r); err != nil {
			return err
		}
		out = append(out, sandboxref.RemovalRecord{Removal: id, Time: r.Time, Agent: r.Agent, Base: r.Base})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Removal < out[j].Removal })
	return out, err
}

// PutRemoval writes one removal's record.
func (s Store) PutRemoval(r sandboxref.RemovalRecord) error {
	if err := checkName(r.Removal); err != nil {
		return err
	}
	return s.write(s.removalPath(r.Removal), removal{Time: r.Time.UTC(), Agent: r.Agent, Base: r.Base})
}

// DropRemoval removes one removal's record; none is no error.
func (s Store) DropRemoval(id string) error {
	if err := checkName(id); err != nil {
		return err
	}
	return s.remove(s.removalPath(id))
}

// each calls fn with every record of a directory (name without .json);
// a missing directory holds none. Temporary files of a write in progress
// are not records.
func (s Store) each(dir string, fn func(name, path string, b []byte) error) error {
	d := filepath.Join(s.Dir, dir)
	ents, err := os.ReadDir(d)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read git-airlock's records in %s: %w", d, err)
	}
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ext)
		if !ok || e.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(d, e.Name())
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read git-airlock's record %s: %w", p, err)
		}
		if err := fn(name, p, b); err != nil {
			return err
		}
	}
	return nil
}

// decode reads one record, naming the file and the way out when it is
// damaged.
func decode(path string, b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("git-airlock's record %s is damaged (%v); move it aside or delete it: it holds only what git-airlock shows (agent, base branch, exit status), never the sandbox's work", path, err)
	}
	return nil
}

// write puts v at path through a temporary file in the same directory and
// a rename, so that a reader sees the old record or the new one, never
// half of one.
func (s Store) write(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("write git-airlock's record %s: %w", path, err)
	}
	if s.DryRun != nil {
		fmt.Fprintf(s.DryRun, "write %s %s\n", path, b)
		return nil
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return fmt.Errorf("write git-airlock's record %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+strings.TrimSuffix(filepath.Base(path), ext)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write git-airlock's record %s: %w", path, err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write git-airlock's record %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write git-airlock's record %s: %w", path, err)
	}
	return nil
}

func (s Store) remove(path string) error {
	if s.DryRun != nil {
		if _, err := os.Lstat(path); err == nil {
			fmt.Fprintf(s.DryRun, "remove %s\n", path)
		}
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove git-airlock's record %s: %w", path, err)
	}
	return nil
}

// legacyKeys are the keys of a sandbox remote's section in which
// git-airlock kept each field before the store (git config names).
var legacyKeys = []struct {
	key   string
	field func(*Sandbox) *string
}{
	{"airlockAgent", func(r *Sandbox) *string { return &r.Agent }},
	{"airlockBase", func(r *Sandbox) *string { return &r.Base }},
	{sandboxref.SbxPathKey, func(r *Sandbox) *string { return &r.Sbx }},
	{"airlockGroup", func(r *Sandbox) *string { return &r.Group }},
	{"airlockExit", func(r *Sandbox) *string { return &r.Exit }},
}

// FromConfig reads the record an older git-airlock kept in the sandbox
// remote's section of git config: section holds the section's other keys,
// lower-cased (gitx.Remote.Extra). keys are the git config keys found,
// as written (remote.<remote>.airlockAgent), to unset once the record is
// in the store.
func FromConfig(remote string, section map[string]string) (r Sandbox, keys []string) {
	for _, k := range legacyKeys {
		if v, ok := section[strings.ToLower(k.key)]; ok {
			*k.field(&r) = v
			keys = append(keys, "remote."+remote+"."+k.key)
		}
	}
	return r, keys
}
