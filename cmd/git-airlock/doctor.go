package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/ui"
	"github.com/git-airlock/git-airlock/internal/workflow/machine"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

type doctorCmd struct {
	JSON  bool `name:"json" help:"Print the checks as JSON."`
	Probe bool `name:"probe" help:"Check every sbx behaviour git-airlock relies on with a throwaway sandbox, and write a transcript."`
}

func (c *doctorCmd) Run(ctx context.Context, svc *machine.Diagnoser, l *Loaded, u *ui.UI) error {
	if c.Probe {
		return c.probe(ctx, svc, l, u)
	}
	sandbox, _ := l.target() // the credential check is about it, when there is one
	checks := svc.Doctor(ctx, l.platform(ctx), string(sandbox))
	if c.JSON {
		if err := u.JSON(checks); err != nil {
			return err
		}
	} else {
		printChecks(u, checks)
	}
	return machine.Failed(checks)
}

func printChecks(u *ui.UI, checks []machine.Check) {
	for _, c := range checks {
		fmt.Fprintf(u.Out, "%s %-13s %s\n", u.Status(c.Level), c.Name, c.Detail)
		if c.Hint != "" && c.Level != "OK" {
			fmt.Fprintf(u.Out, "     %-13s hint: %s\n", "", c.Hint)
		}
	}
}

// probe makes a temporary repository with one commit, runs the probe
// against it, and writes every command it ran (argv, exit code, stdout and
// stderr apart) to a transcript that can be attached to a bug report.
func (c *doctorCmd) probe(ctx context.Context, svc *machine.Diagnoser, l *Loaded, u *ui.UI) error {
	if l.Run.DryRun != nil {
		// The calls are printed; no repository is made for them.
		name := sbx.ProbeName(time.Now())
		// The repository is named when made; on a server, its copy there.
		repoDir := filepath.Join(os.TempDir(), "git-airlock-probe-XXXXXX", "repo")
		if l.sbx.Remote != nil {
			repoDir = l.sbx.Host() + ":~/.cache/git-airlock/repos/repo-XXXXXXXXXXXX"
		}
		u.Infof("probing sbx with throwaway sandbox %q from %s", name, repoDir)
		svc.Probe(ctx, machine.ProbeRequest{Name: name, Repo: repoDir, HostRemote: func(context.Context) (string, error) { return "", nil }})
		return nil
	}
	dir, err := os.MkdirTemp("", "git-airlock-probe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	repoDir := filepath.Join(dir, "repo")
	if err := os.Mkdir(repoDir, 0o755); err != nil {
		return err
	}
	var transcript bytes.Buffer
	record := func(r xec.Record) {
		fmt.Fprintf(&transcript, "$ %s\nexit %d\n--- stdout\n%s--- stderr\n%s\n", xec.Quote(r.Argv...), r.Code, ensureNL(r.Stdout), ensureNL(r.Stderr))
	}
	run := &xec.Runner{Record: record}
	if err := gitx.Init(ctx, run, repoDir); err != nil {
		return err
	}
	name := sbx.ProbeName(time.Now())
	hostRemote := func(ctx context.Context) (string, error) {
		repo, err := gitx.Open(ctx, run, repoDir)
		if err != nil {
			return "", err
		}
		url, _, err := repo.ConfigGet(ctx, "remote.sandbox-"+name+".url")
		return url, err
	}
	l.Run.Record = record
	var checks []machine.Check
	if l.sbx.Remote != nil { // sbx on a server: the repository goes there first
		local, err := gitx.Open(ctx, run, repoDir)
		if err != nil {
			return err
		}
		head, err := local.Head()
		if err != nil {
			return err
		}
		server := &gitx.ServerRepo{Run: l.Run, Transport: l.sbx.Remote, ID: sandboxref.ServerRepoID(repoDir), Local: local}
		u.Infof("probing sbx on %s with throwaway sandbox %q from a copy of %s (%s)", server.Host(), name, repoDir, server.DisplayPath())
		checks = svc.ProbeServer(ctx, machine.ProbeRequest{Name: name}, server, head.Hash, head.Branch)
	} else {
		u.Infof("probing sbx with throwaway sandbox %q from %s", name, repoDir)
		hostCommit := func(ctx context.Context) error {
			return gitx.CommitOnNewBranch(ctx, run, repoDir, "airlock-probe-host", "a host commit for sbx to fetch")
		}
		checks = svc.Probe(ctx, machine.ProbeRequest{Name: name, Repo: repoDir, HostRemote: hostRemote, HostCommit: hostCommit})
	}
	l.Run.Record = nil
	if c.JSON {
		if err := u.JSON(checks); err != nil {
			return err
		}
	} else {
		for _, ch := range checks {
			fmt.Fprintf(u.Out, "%-8s %-12s %s\n", ch.Level, ch.Name, ch.Detail)
			printSeen(u, ch.Seen)
		}
	}
	path := filepath.Join(os.TempDir(), "git-airlock-probe-"+time.Now().UTC().Format("20060102T150405")+".txt")
	if err := os.WriteFile(path, transcript.Bytes(), 0o644); err != nil {
		u.Warnf("cannot write the transcript: %v", err)
	} else {
		u.Infof("transcript of every command: %s (attach it to a bug report)", path)
	}
	return machine.Failed(checks)
}

// printSeen shows the sbx commands behind a MISMATCH under its line, as
// the transcript has them.
func printSeen(u *ui.UI, seen []machine.SeenCommand) {
	for _, c := range seen {
		fmt.Fprintf(u.Out, "%-21s $ %s\n%-21s exit %d\n", "", xec.Quote(c.Argv...), "", c.Exit)
		for _, stream := range [][2]string{{"stdout", c.Stdout}, {"stderr", c.Stderr}} {
			if stream[1] == "" {
				continue
			}
			fmt.Fprintf(u.Out, "%-21s --- %s\n", "", stream[0])
			for _, line := range strings.Split(strings.TrimRight(stream[1], "\n"), "\n") {
				fmt.Fprintf(u.Out, "%-21s %s\n", "", line)
			}
		}
	}
}

func ensureNL(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(b, '\n')
	}
	return b
}
