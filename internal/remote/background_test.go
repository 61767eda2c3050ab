package remote

import (
	"context"
	"errors"
	"testing"
)

func TestBackgroundFetchReadsTheFetchAboveTheHelper(t *testing.T) {
	helper := []string{"/usr/libexec/git-core/git", "remote-airlock", "airlock-x", "airlock://x/p"}
	for _, tc := range []struct {
		name  string
		chain [][]string // the helper's parent first
		want  bool
	}{
		{"maintenance prefetch", [][]string{helper, {"/usr/libexec/git-core/git", "fetch", "airlock-x", "--prefetch", "--prune", "--no-tags"}, {"git", "maintenance", "run", "--task=prefetch"}}, true},
		{"scheduled maintenance", [][]string{helper, {"git", "fetch", "airlock-x", "--prefetch"}, {"git", "for-each-repo", "--config=maintenance.repo", "maintenance", "run"}}, true},
		{"user fetch", [][]string{helper, {"git", "fetch", "airlock-x"}, {"bash"}}, false},
		{"fetch --all under maintenance of another kind", [][]string{helper, {"git", "fetch", "--all"}, {"git", "maintenance", "run"}}, false},
		{"ls-remote", [][]string{helper, {"git", "ls-remote", "airlock-x"}, {"zsh"}}, false},
		{"not git", [][]string{{"python3", "--prefetch"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lookup := func(_ context.Context, pid int) (Process, error) {
				i := 100 - pid
				if i < 0 || i >= len(tc.chain) {
					return Process{}, errors.New("no such process")
				}
				return Process{Parent: pid - 1, Args: tc.chain[i]}, nil
			}
			if got := backgroundFetch(context.Background(), lookup, 100); got != tc.want {
				t.Fatalf("backgroundFetch = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestStatParentSurvivesSpacesInTheName(t *testing.T) {
	if got := statParent("4242 (git remote-air) S 4200 4242 4200 0 -1"); got != 4200 {
		t.Fatalf("statParent = %d", got)
	}
}
