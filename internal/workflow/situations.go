package workflow

// Situations is a repository's memory of what its one-time hints were
// shown for (gitx.Repo keeps it beside the repository lock).
type Situations interface {
	Situation(key string) string
	RecordSituation(key, situation string) error
}

// SituationChanged reports whether situation differs from the one last
// recorded under key, and records it. Nudges about the repository's setup
// (no AGENTS.md, no review tool) are shown when their situation first
// arises and again only when it changed, not on every run; a command's
// next-step hints are not recorded. A dry run records nothing; a record
// that cannot be written shows the hint once more next time.
func SituationChanged(m Situations, dryRun bool, key, situation string) bool {
	if m.Situation(key) == situation {
		return false
	}
	if !dryRun {
		_ = m.RecordSituation(key, situation)
	}
	return true
}
