package workflowtest

import "sync"

// Situations is an in-memory workflow.Situations for a fake repository to
// embed.
type Situations struct {
	mu   sync.Mutex
	seen map[string]string
}

// Situation answers what was recorded under key.
func (s *Situations) Situation(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[key]
}

// RecordSituation records situation under key.
func (s *Situations) RecordSituation(key, situation string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]string{}
	}
	s.seen[key] = situation
	return nil
}
