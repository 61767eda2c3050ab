package gitx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// AppendNote adds text to the note that ref (a full notes ref such as
// refs/notes/airlock) attaches to object, creating it when there is none:
// `git notes --ref <ref> append -F - <object>`, the text on stdin so that
// what the argv shows (dry run, -v) does not depend on it. git separates
// an appended text from the note's earlier text by a blank line.
func (r *Repo) AppendNote(ctx context.Context, ref, object, text string) error {
	r.wrote()
	err := r.run.Run(ctx, xec.Cmd{Argv: r.git("notes", "--ref", ref, "append", "-F", "-", object),
		Stdin: strings.NewReader(text), Mutates: true})
	if err != nil {
		return fmt.Errorf("write note %q on %q: %w", ref, object, err)
	}
	return nil
}

// Notes reads every note under a notes ref, keyed by the full id of the
// object each annotates: the ref's tree listed by git (`ls-tree -r`) and
// each note read through the Repo's cat-file. git stores a note at a path
// made of the object id, split into fan-out directories as the notes grow;
// the path without its slashes is the id. No ref means no notes. (Read in
// process, the first object would load the whole pack index: the hooks
// read the notes on every branch move.)
func (r *Repo) Notes(ref string) (map[string]string, error) {
	out := map[string]string{}
	tip, err := r.objectInfo(ref)
	if errors.Is(err, errMissing) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read notes %q: %w", ref, err)
	}
	entries, err := r.TreeEntries(context.Background(), tip.hash) // ls-tree waits on nothing
	if err != nil {
		return nil, fmt.Errorf("read notes %q: %w", ref, err)
	}
	for _, e := range entries {
		id := strings.ReplaceAll(e.Path, "/", "")
		if e.Mode == ModeGitlink || e.Mode == ModeSymlink || (len(id) != 40 && len(id) != 64) {
			continue // not a note (git keeps only notes in this tree)
		}
		text, err := r.BlobHead(e.Hash, maxNote)
		if err != nil {
			return nil, fmt.Errorf("read notes %q: %w", ref, err)
		}
		out[id] = string(text)
	}
	return out, nil
}

// maxNote bounds what is read of one note: review records are a few
// hundred bytes each.
const maxNote = 16 << 20

// DiffStat is the size of a change: files touched and lines added and
// deleted (a binary file counts as a file, with no lines).
type DiffStat struct {
	Files   int `json:"files"`
	Added   int `json:"added"`
	Deleted int `json:"deleted"`
}

// DiffStat measures what theirs changed since it forked from base
// (`git diff --numstat base...theirs`).
func (r *Repo) DiffStat(ctx context.Context, base, theirs string) (DiffStat, error) {
	out, err := r.output(ctx, "diff", "--numstat", "-z", "--no-renames", base+"..."+theirs, "--")
	if err != nil {
		return DiffStat{}, fmt.Errorf("measure %s...%s: %w", base, theirs, err)
	}
	return parseNumstatZ(out)
}

// parseNumstatZ reads `--numstat -z` without renames: one record per file,
// "<added>\t<deleted>\t<path>\0", "-" for a binary file's counts.
func parseNumstatZ(out string) (DiffStat, error) {
	var s DiffStat
	for _, field := range splitNul([]byte(out)) {
		rec := strings.TrimLeft(string(field), "\n")
		if rec == "" {
			continue
		}
		f := strings.SplitN(rec, "\t", 3)
		if len(f) != 3 {
			return DiffStat{}, fmt.Errorf("read numstat record %q", rec)
		}
		s.Files++
		if f[0] == "-" && f[1] == "-" {
			continue
		}
		a, aerr := strconv.Atoi(f[0])
		d, derr := strconv.Atoi(f[1])
		if aerr != nil || derr != nil || a < 0 || d < 0 {
			return DiffStat{}, fmt.Errorf("read numstat record %q", rec)
		}
		s.Added += a
		s.Deleted += d
	}
	return s, nil
}

// AppendSquashMessage adds text to the message `git merge --squash`
// prepared for the next `git commit` (.git/SQUASH_MSG), after a blank line,
// so that the commit a user makes of an applied change ends with it. git
// commit -m does not read that file. When git prepared no message (nothing
// was staged) nothing is written: a message of its own would be used by
// whatever commit comes next.
func (r *Repo) AppendSquashMessage(text string) error {
	p := filepath.Join(r.GitDir, "SQUASH_MSG")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("write %q: %w", p, err)
	}
	if _, err := io.WriteString(f, "\n"+text); err != nil {
		f.Close()
		return fmt.Errorf("write %q: %w", p, err)
	}
	return f.Close()
}

// PushNotes publishes a notes ref to a remote under the same name
// (`git push <remote> <ref>:<ref>`), never forced: git refuses when the
// remote's notes moved on, and nothing is overwritten.
func (r *Repo) PushNotes(ctx context.Context, s xec.Streams, remote, ref string) error {
	return r.attached(ctx, s, true, "push", remote, ref+":"+ref)
}

// ShowNoted shows the given commits newest first, each with its notes
// under ref (`git log --no-walk=sorted --notes --notes=<ref> <commit>...`).
func (r *Repo) ShowNoted(ctx context.Context, s xec.Streams, ref string, commits []string, oneline bool) error {
	args := []string{"log", "--no-walk=sorted", "--notes", "--notes=" + ref}
	if oneline {
		args = append(args, "--oneline")
	}
	return r.attached(ctx, s, false, append(append(args, commits...), "--")...)
}
