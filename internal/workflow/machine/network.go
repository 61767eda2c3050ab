package machine

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/workflow"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// NetEntry is one host in the network log; field names are the documented
// output of `net --json`.
type NetEntry struct {
	Host    string `json:"host"`
	Blocked bool   `json:"blocked"`
	Count   string `json:"count,omitempty"`         // as sbx prints it; a number in JSON
	Allow   string `json:"allow_command,omitempty"` // for blocked hosts
}

// MarshalJSON writes count as a number (sbx's table holds digits); a count
// sbx printed in another form is left out rather than given as a string.
func (e NetEntry) MarshalJSON() ([]byte, error) {
	type wire struct {
		Host    string `json:"host"`
		Blocked bool   `json:"blocked"`
		Count   *int64 `json:"count,omitempty"`
		Allow   string `json:"allow_command,omitempty"`
	}
	w := wire{Host: e.Host, Blocked: e.Blocked, Allow: e.Allow}
	if n, err := strconv.ParseInt(strings.ReplaceAll(e.Count, ",", ""), 10, 64); err == nil {
		w.Count = &n
	}
	return json.Marshal(w)
}

// AllowRequest adds hosts to the allowlist.
type AllowRequest struct {
	Name       string
	Hosts      []string
	Everything bool // accept patterns that match every host ("**", "*.*", "0.0.0.0/0" …)
}

// Allow validates the patterns, adds them to airlock.allow in local git
// config, and applies them to the sandbox.
func (s *Warden) Allow(ctx context.Context, req AllowRequest) error {
	if err := requireRepo(s.Repo); err != nil {
		return err
	}
	for _, h := range req.Hosts {
		var he *config.HostError
		err := config.CheckHost(h, req.Everything)
		switch {
		case err == nil:
		case errors.As(err, &he) && he.Everything:
			return hint.Errorf([]string{"if you mean it, add --everything"}, "%q would let the sandbox reach every host", h)
		case errors.As(err, &he) && he.Host != "":
			return hint.With(err, workflow.Suggest(s.Entries, req.Name, "allow "+xec.Quote(he.Host)))
		default:
			return hint.With(err, "give host names or patterns such as api.example.com, *.example.com or **.example.com")
		}
	}
	current := s.Settings.Allow()
	v := s.Settings.Get("allow")
	var added []string
	for _, h := range req.Hosts {
		// A pattern that matches every host goes to the sandbox only: as a
		// setting it is refused, and writing it would make every later
		// command fail to load.
		if !config.MatchesEveryHost(h) && !slices.Contains(current, h) && !slices.Contains(added, h) {
			added = append(added, h)
		}
	}
	switch {
	case !slices.ContainsFunc(req.Hosts, func(h string) bool { return !config.MatchesEveryHost(h) }):
		// only patterns that match every host: nothing to record
	case len(added) == 0:
		s.UI.Infof("already allowed: %s", strings.Join(req.Hosts, ", "))
	default:
		// A list set in a lower layer (defaults, .airlock.toml) is replaced
		// as a whole by git config; carry it over so nothing is dropped.
		if v.Origin.Source != config.GitConfig {
			for _, h := range current {
				if err := s.Repo.ConfigAdd(ctx, "airlock.allow", h); err != nil {
					return err
				}
			}
		}
		for _, h := range added {
			if err := s.Repo.ConfigAdd(ctx, "airlock.allow", h); err != nil {
				return err
			}
		}
		s.UI.Infof("added to airlock.allow: %s", strings.Join(added, ", "))
	}
	if !s.registered(req.Name) {
		if i := slices.IndexFunc(req.Hosts, config.MatchesEveryHost); i >= 0 {
			return hint.Errorf([]string{"start the sandbox first ('git airlock up'), then allow it again"},
				`%q is applied to a sandbox only and never saved in airlock.allow; sandbox %q is not registered here`, req.Hosts[i], req.Name)
		}
		s.UI.Hint("new sandboxes get it when the network is locked down ('git airlock lockdown')")
		return nil
	}
	if err := s.Sbx.PolicyAllow(ctx, req.Name, req.Hosts); err != nil {
		return workflow.SbxError(err)
	}
	s.UI.Infof("sandbox %q may now reach %s", req.Name, strings.Join(req.Hosts, ", "))
	return nil
}

// LockdownRequest makes deny-all sbx's default and applies the allowlist.
type LockdownRequest struct {
	Reset bool // allowed to run `sbx policy reset` when a default exists
}

// Lockdown sets deny-all as sbx's default network policy (with whichever
// verb the installed sbx has), records it in airlock.networkPolicy so that
// `up` keeps it and re-applies the allowlist to new sandboxes, and applies
// the allowlist to this repository's sandboxes.
func (s *Warden) Lockdown(ctx context.Context, req LockdownRequest) error {
	if err := requireRepo(s.Repo); err != nil {
		return err
	}
	if err := s.setDefaultPolicy(ctx, "deny-all", req.Reset); err != nil {
		return err
	}
	if err := s.Repo.ConfigSet(ctx, "airlock.networkPolicy", "deny-all"); err != nil {
		return err
	}
	allow := s.Settings.Allow()
	for _, sb := range workflow.Registered(s.Entries, s.Records) {
		if sb.Host != s.Host { // the policy is that machine's; others keep theirs
			continue
		}
		if err := s.Sbx.PolicyAllow(ctx, sb.Name, allow); err != nil {
			return workflow.SbxError(err)
		}
		s.UI.Infof("sandbox %q allowed: %s", sb.Name, strings.Join(allow, ", "))
	}
	// Not "may reach only": under deny-all sbx's built-in agent kits still
	// allow each agent's model API (sbx 0.45+ `policy init` help).
	s.UI.Infof("locked down: deny-all is sbx's default for every sandbox on %s; new sandboxes of this repository get airlock.allow", s.machine())
	s.UI.Infof("sbx's agent kits still allow each agent's own model API, whatever the allowlist")
	s.UI.Hint("see what was blocked with 'git airlock net'; allow a host with 'git airlock allow <host>'; undo with 'git airlock unlock'")
	return nil
}

// setDefaultPolicy changes sbx's default network policy. The old CLI
// overwrites with `policy set-default`; the new one's `policy init` is
// one-time, so changing an existing default means `policy reset`, which
// deletes every local rule and stops running sandboxes: asked first.
// Whether a default exists is read first (`policy ls`, a read that runs
// under dry-run too), so that a dry run lists the same reset and init as
// the real run, and refuses where it refuses.
func (s *Warden) setDefaultPolicy(ctx context.Context, preset string, reset bool) error {
	caps, err := s.Sbx.Probe(ctx)
	if err != nil {
		return workflow.SbxError(err)
	}
	if caps.PolicyInit == sbx.PolicyVerbSetDefault {
		return workflow.SbxError(s.Sbx.PolicyInit(ctx, preset))
	}
	initialised, err := s.Sbx.PolicyInitialised(ctx)
	if err != nil {
		return workflow.SbxError(err)
	}
	if !initialised {
		// Set since the read, by someone else: sbx refuses, and the
		// reset below is asked for as if it had been read.
		err = s.Sbx.PolicyInit(ctx, preset)
		if !errors.Is(err, sbx.ErrPolicyAlreadyInitialised) {
			return workflow.SbxError(err)
		}
	}
	s.UI.Warnf("sbx already has a default network policy; changing it to %s needs 'sbx policy reset',\nwhich deletes every local network rule and stops running sandboxes (their clones are kept)", preset)
	if !reset && !s.UI.Confirm("reset sbx's network policy now?") {
		return hint.Errorf([]string{"run again with --reset to allow it"}, "sbx's default network policy was not changed")
	}
	if err := s.Sbx.PolicyReset(ctx); err != nil {
		return workflow.SbxError(err)
	}
	return workflow.SbxError(s.Sbx.PolicyInit(ctx, preset))
}

// Unlock returns sbx to its balanced default, after saying what changes.
func (s *Warden) Unlock(ctx context.Context, reset bool) error {
	if err := requireRepo(s.Repo); err != nil {
		return err
	}
	s.UI.Infof("unlock: sbx's default network policy becomes balanced (AI APIs, package registries and code hosts allowed) for every sandbox on %s", s.machine())
	if err := s.setDefaultPolicy(ctx, "balanced", reset); err != nil {
		return err
	}
	if err := s.Repo.ConfigUnset(ctx, "airlock.networkPolicy"); err != nil {
		return err
	}
	s.UI.Infof("unlocked; lock down again with 'git airlock lockdown'")
	return nil
}

// Net reads sbx's network log for the sandbox, blocked hosts first, each
// with the command that would allow it.
func (s *Warden) Net(ctx context.Context, name string) ([]NetEntry, string, error) {
	if err := requireRepo(s.Repo); err != nil {
		return nil, "", err
	}
	if _, err := workflow.MustFind(workflow.Registered(s.Entries, s.Records), name); err != nil {
		return nil, "", err
	}
	out, err := s.Sbx.PolicyLog(ctx, name)
	if err != nil {
		return nil, "", workflow.SbxError(err)
	}
	var entries []NetEntry
	for _, r := range sbx.ParsePolicyLog(out) {
		e := NetEntry{Host: r.Host, Blocked: r.Blocked, Count: r.Count}
		if e.Blocked {
			e.Allow = xec.Quote("git", "airlock", "allow", "--name", name, e.Host)
		}
		entries = append(entries, e)
	}
	slices.SortStableFunc(entries, func(a, b NetEntry) int {
		if a.Blocked != b.Blocked {
			if a.Blocked {
				return -1
			}
			return 1
		}
		return 0
	})
	return entries, out, nil
}
