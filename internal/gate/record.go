package gate

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/inspect"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
)

// Record is the review of one landing (merge, apply or pr): what the gate
// inspected and what the user accepted. It travels with the history as
// trailers on the merge commit (Trailers) and as a git note under
// sandboxref.NotesRef (Note), which is also where acceptance is read from.
type Record struct {
	Action    Action
	Sandbox   string
	Agent     string
	Inspected string // the commit the gate inspected: the one that lands
	Base      string // the commit it was inspected against
	Counts    inspect.Counts
	Accepted  []string // rules of the high-severity findings accepted
	Time      time.Time
	Findings  []inspect.Finding
}

// Action is how a reviewed commit landed.
type Action int

const (
	ActionUnknown Action = iota
	ActionMerge
	ActionApply
	ActionPR
	// ActionAccept is an acceptance older versions kept in git config,
	// moved to a note (MigrateAcceptances).
	ActionAccept
)

var actionNames = [...]string{"unknown", "merge", "apply", "pr", "accept"}

// String is the action as the Airlock-Action trailer spells it.
func (a Action) String() string {
	if a < 0 || int(a) >= len(actionNames) {
		return actionNames[ActionUnknown]
	}
	return actionNames[a]
}

// ParseAction reads an Airlock-Action value; anything else is ActionUnknown.
func ParseAction(s string) Action {
	for i, n := range actionNames {
		if n == s {
			return Action(i)
		}
	}
	return ActionUnknown
}

// Trailer keys, in git's trailer form (`git interpret-trailers --parse`
// reads them back).
const (
	TrailerSandbox   = "Airlock-Sandbox"
	TrailerAgent     = "Airlock-Agent"
	TrailerInspected = "Airlock-Inspected"
	TrailerFindings  = "Airlock-Findings"
	TrailerAccepted  = "Airlock-Accepted"
	TrailerBase      = "Airlock-Base"
	TrailerAction    = "Airlock-Action"
	TrailerDate      = "Airlock-Date"
)

// NewRecord is the record of landing a report's commit. accepted says the
// user accepted its high-severity findings (there may be none).
func (g *Gate) NewRecord(action Action, sandbox, agent string, r Report, baseCommit string, accepted bool) Record {
	rec := Record{Action: action, Sandbox: sandbox, Agent: agent, Inspected: r.Commit, Base: baseCommit,
		Counts: inspect.Count(r.Findings), Time: g.now().UTC().Truncate(time.Second), Findings: r.Findings}
	if accepted {
		rec.Accepted = highRules(r)
	}
	return rec
}

func highRules(r Report) []string {
	var rules []string
	seen := map[string]bool{}
	for _, f := range r.OnlyHigh().Findings {
		if !seen[f.Rule] {
			seen[f.Rule] = true
			rules = append(rules, f.Rule)
		}
	}
	return rules
}

// oneLine keeps a value on one trailer line whatever it holds.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func countsValue(c inspect.Counts) string {
	return fmt.Sprintf("high %d, medium %d, low %d", c.High, c.Medium, c.Low)
}

// Trailers are the lines that end the merge commit's message.
func (rec Record) Trailers() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", TrailerSandbox, oneLine(rec.Sandbox))
	if rec.Agent != "" {
		fmt.Fprintf(&b, "%s: %s\n", TrailerAgent, oneLine(rec.Agent))
	}
	fmt.Fprintf(&b, "%s: %s\n", TrailerInspected, rec.Inspected)
	fmt.Fprintf(&b, "%s: %s\n", TrailerFindings, countsValue(rec.Counts))
	if len(rec.Accepted) > 0 {
		fmt.Fprintf(&b, "%s: %s\n", TrailerAccepted, strings.Join(rec.Accepted, ", "))
	}
	return b.String()
}

// Note is the full record: one line per finding (paths quoted, so that no
// file name the agent chose can start a line of its own), then the
// trailers, with the base, the action and the time added.
func (rec Record) Note() string {
	var b strings.Builder
	fmt.Fprintf(&b, "git-airlock %s of sandbox %q: inspected %s against %s\n", rec.Action, rec.Sandbox, rec.Inspected, rec.Base)
	for _, f := range rec.Findings {
		fmt.Fprintf(&b, "  %-6s %s %s", f.Level, f.Rule, strconv.Quote(f.Path))
		if f.OldPath != "" {
			fmt.Fprintf(&b, " (from %s)", strconv.Quote(f.OldPath))
		}
		fmt.Fprintf(&b, ": %s\n", oneLine(f.Why))
	}
	b.WriteString("\n")
	b.WriteString(rec.Trailers())
	fmt.Fprintf(&b, "%s: %s\n", TrailerBase, rec.Base)
	fmt.Fprintf(&b, "%s: %s\n", TrailerAction, rec.Action)
	fmt.Fprintf(&b, "%s: %s\n", TrailerDate, rec.Time.UTC().Format(time.RFC3339))
	return b.String()
}

// ParseRecords reads the records in a note: every paragraph made only of
// Airlock-* trailers that names an inspected commit. A note holds one
// record per landing of its object (git notes append adds a blank line
// between them).
func ParseRecords(note string) []Record {
	var out []Record
	for _, para := range strings.Split(strings.ReplaceAll(note, "\r\n", "\n"), "\n\n") {
		rec, ok := parseRecord(para)
		if ok {
			out = append(out, rec)
		}
	}
	return out
}

func parseRecord(para string) (Record, bool) {
	lines := strings.Split(strings.Trim(para, "\n"), "\n")
	var rec Record
	for _, l := range lines {
		k, v, ok := strings.Cut(l, ": ")
		if !ok || !strings.HasPrefix(k, "Airlock-") {
			return Record{}, false
		}
		switch k {
		case TrailerSandbox:
			rec.Sandbox = v
		case TrailerAgent:
			rec.Agent = v
		case TrailerInspected:
			rec.Inspected = v
		case TrailerBase:
			rec.Base = v
		case TrailerAction:
			rec.Action = ParseAction(v)
		case TrailerAccepted:
			for _, r := range strings.Split(v, ",") {
				if r = strings.TrimSpace(r); r != "" {
					rec.Accepted = append(rec.Accepted, r)
				}
			}
		case TrailerDate:
			rec.Time, _ = time.Parse(time.RFC3339, v)
		case TrailerFindings:
			for _, part := range strings.Split(v, ",") {
				f := strings.Fields(part)
				if len(f) == 2 {
					n, _ := strconv.Atoi(f[1])
					if s, ok := inspect.ParseSeverity(f[0]); ok {
						rec.Counts.Add(s, n)
					}
				}
			}
		}
	}
	return rec, rec.Inspected != ""
}

// Record writes the record as a note on each object (the inspected commit,
// and the merge commit when there is one). Acceptance is read from the
// note on the inspected commit.
func (g *Gate) Record(ctx context.Context, rec Record, objects ...string) error {
	for _, o := range objects {
		if err := g.Notes.AppendNote(ctx, sandboxref.NotesRef, o, rec.Note()); err != nil {
			return err
		}
	}
	return nil
}

// Accepted lists each sandbox's acceptances, by sandbox name: from the
// review notes (the note on each inspected commit; the same record on a
// merge commit is not counted twice), and from the config record of older
// versions until a merge, apply or pr moves it (MigrateAcceptances). The
// notes are parsed once, whatever the number of sandboxes.
func Accepted(notes map[string]string, entries []gitx.ConfigEntry) map[string][]sandboxref.Acceptance {
	out := map[string][]sandboxref.Acceptance{}
	for object, text := range notes {
		for _, rec := range ParseRecords(text) {
			if rec.Inspected != object || len(rec.Accepted) == 0 {
				continue
			}
			out[rec.Sandbox] = append(out[rec.Sandbox], sandboxref.Acceptance{Sandbox: rec.Sandbox, Commit: rec.Inspected, Time: rec.Time,
				Count: rec.Counts.High, Rules: rec.Accepted})
		}
	}
	for _, a := range legacyAccepted(entries) {
		if !migrated(notes, a) {
			out[a.Sandbox] = append(out[a.Sandbox], a)
		}
	}
	for _, list := range out {
		sort.SliceStable(list, func(i, j int) bool { return list[i].Time.Before(list[j].Time) })
	}
	return out
}

func legacyAccepted(entries []gitx.ConfigEntry) []sandboxref.Acceptance {
	var out []sandboxref.Acceptance
	key := strings.ToLower(sandboxref.AcceptedKey) // once, not per entry
	for _, e := range entries {
		if e.Key != key {
			continue
		}
		if a, ok := sandboxref.ParseAcceptance(e.Value); ok {
			out = append(out, a)
		}
	}
	return out
}

// AcceptedCommit reports whether the user accepted the risk of landing
// commit: a review note on that very object id with accepted rules, or an
// older config record. Nothing a sandbox sends can write either: commit
// messages are never read for it, and no fetch refspec of a sandbox
// remote reaches refs/notes/.
func (g *Gate) AcceptedCommit(commit string, entries []gitx.ConfigEntry) bool {
	notes, err := g.Notes.Notes(sandboxref.NotesRef)
	if err == nil {
		for _, rec := range ParseRecords(notes[commit]) {
			if rec.Inspected == commit && len(rec.Accepted) > 0 {
				return true
			}
		}
	}
	for _, a := range legacyAccepted(entries) {
		if a.Commit == commit {
			return true
		}
	}
	return false
}

// migrated reports whether a config record is already a note (a record
// of another commit kept the key, see MigrateAcceptances).
func migrated(notes map[string]string, a sandboxref.Acceptance) bool {
	for _, rec := range ParseRecords(notes[a.Commit]) {
		if rec.Action == ActionAccept && rec.Inspected == a.Commit && rec.Sandbox == a.Sandbox && rec.Time.Equal(a.Time) {
			return true
		}
	}
	return false
}

// MigrateAcceptances moves the acceptances older versions kept in git
// config (sandboxref.AcceptedKey) to review notes on their commits, then
// drops the config key. A record whose commit this repository no longer
// has cannot be a note; while one is left the key stays, and is read.
func (g *Gate) MigrateAcceptances(ctx context.Context, entries []gitx.ConfigEntry) (int, error) {
	old := legacyAccepted(entries)
	if len(old) == 0 {
		return 0, nil
	}
	notes, err := g.Notes.Notes(sandboxref.NotesRef)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, a := range old {
		if migrated(notes, a) {
			moved++
			continue
		}
		if c, err := g.Notes.ResolveCommit(a.Commit); err != nil || c != a.Commit {
			continue
		}
		rec := Record{Action: ActionAccept, Sandbox: a.Sandbox, Inspected: a.Commit, Base: "unknown", Time: a.Time,
			Counts: inspect.Counts{High: a.Count}, Accepted: a.Rules}
		if err := g.Record(ctx, rec, a.Commit); err != nil {
			return moved, err
		}
		moved++
	}
	if moved < len(old) {
		return moved, nil
	}
	return moved, g.Notes.ConfigUnset(ctx, sandboxref.AcceptedKey)
}

// LandingToken is the environment variable through which git airlock
// merge tells the hooks which commit it inspected: the landing recorded
// for that commit on the branch's current commit passes, nothing else.
const LandingToken = "GIT_AIRLOCK_LANDING"

// AcceptedCommits are the commits whose landing counts as decided: every
// commit with accepted rules in a review note or an older config record,
// and the token's commit when a review note records merging exactly it
// onto base (written by git airlock merge before its git merge runs). A
// token without that record adds nothing.
func (g *Gate) AcceptedCommits(entries []gitx.ConfigEntry, token, base string) []string {
	var out []string
	notes, err := g.Notes.Notes(sandboxref.NotesRef)
	if err != nil {
		notes = nil
	}
	for object, text := range notes {
		for _, rec := range ParseRecords(text) {
			accepted := rec.Inspected == object && len(rec.Accepted) > 0
			tokened := token != "" && object == token && rec.Inspected == token && rec.Base == base && rec.Action == ActionMerge
			if accepted || tokened {
				out = append(out, object)
				break
			}
		}
	}
	for _, a := range legacyAccepted(entries) {
		out = append(out, a.Commit)
	}
	sort.Strings(out)
	return out
}

// MergeRecordText is the text of the last record in note of merging
// commit (its findings paragraph and its trailers), as Note wrote it, to
// be copied to the merge commit; ok is false when the note holds none.
func MergeRecordText(note, commit string) (string, bool) {
	paras := strings.Split(strings.ReplaceAll(note, "\r\n", "\n"), "\n\n")
	for i := len(paras) - 1; i > 0; i-- {
		rec, ok := parseRecord(paras[i])
		if ok && rec.Inspected == commit && rec.Action == ActionMerge && strings.HasPrefix(paras[i-1], "git-airlock ") {
			return paras[i-1] + "\n\n" + strings.Trim(paras[i], "\n") + "\n", true
		}
	}
	return "", false
}

// HasMergeRecord reports whether note holds a record of merging commit.
func HasMergeRecord(note, commit string) bool {
	return slices.ContainsFunc(ParseRecords(note), func(r Record) bool { return r.Inspected == commit && r.Action == ActionMerge })
}
