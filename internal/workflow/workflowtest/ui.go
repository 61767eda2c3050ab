// Package workflowtest holds the test doubles that the use-case packages'
// tests share. Nothing in the product imports it.
package workflowtest

import (
	"fmt"
	"sync"
)

// UI records what a use case tells the user and answers its questions.
type UI struct {
	Ask    bool // a terminal can answer
	Answer bool // what Confirm answers when asked

	mu                        sync.Mutex
	Infos, Warns, Hints, Asks []string
}

func (u *UI) Infof(format string, args ...any) { u.add(&u.Infos, fmt.Sprintf(format, args...)) }
func (u *UI) Warnf(format string, args ...any) { u.add(&u.Warns, fmt.Sprintf(format, args...)) }
func (u *UI) Hint(format string, args ...any)  { u.add(&u.Hints, fmt.Sprintf(format, args...)) }

// Confirm records the question and gives the configured answer.
func (u *UI) Confirm(question string) bool {
	u.add(&u.Asks, question)
	return u.Answer
}

func (u *UI) CanAsk() bool { return u.Ask }

func (u *UI) add(to *[]string, s string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	*to = append(*to, s)
}
