package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// HostError is a network pattern refused before it can reach sbx, from
// whichever source it came.
type HostError struct {
	Pattern string
	Reason  string
	// Host is what to give instead, when the pattern was a URL.
	Host string
	// Everything is set when the pattern matches every host: only the
	// command line's `allow --everything` accepts it, never a setting.
	Everything bool
}

func (e *HostError) Error() string {
	if e.Host != "" {
		return fmt.Sprintf("%q is not a host pattern (it holds a URL or a path); give its host: %s", e.Pattern, e.Host)
	}
	return fmt.Sprintf("host pattern %q %s", e.Pattern, e.Reason)
}

// CheckHost validates one network pattern, the one check every source
// goes through (flag, git config, .airlock.toml, environment). A pattern
// that matches every host ('**', '*.*', '?*', '**:443', '0.0.0.0/0',
// '::/0' …) passes only when everything is true, which only the command
// line's --everything may set.
func CheckHost(v string, everything bool) error {
	refuse := func(reason string) error { return &HostError{Pattern: v, Reason: reason} }
	switch {
	case v == "":
		return refuse("is empty")
	case strings.Contains(v, "://"):
		u, err := url.Parse(v)
		if err != nil || u.Host == "" {
			return refuse("is a URL; give only its host name")
		}
		return &HostError{Pattern: v, Host: u.Host}
	case strings.HasPrefix(v, "-"):
		return refuse("starts with '-'")
	case strings.ContainsFunc(v, func(r rune) bool { return !hostRune(r) }):
		return refuse("holds a character no host name has (give a host name, a pattern such as *.example.com, host:port or an address range)")
	case v == "*":
		return refuse("is a bare '*'; sbx rejects a bare '*' (use '*.example.com')")
	}
	wide, err := matchesEveryHost(v)
	var he *HostError
	if errors.As(err, &he) {
		return he
	}
	if err != nil {
		return refuse(err.Error())
	}
	if wide && !everything {
		return &HostError{Pattern: v, Reason: "would allow every host; never accepted as a setting ('git airlock allow --everything' applies it to one sandbox)", Everything: true}
	}
	return nil
}

// hostRune is a character of a host name, a wildcard, a port or an
// address range.
func hostRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("-.*?:/[]_", r)
}

// matchesEveryHost reports whether a syntactically plain pattern matches
// every host: every label of the host part is made of wildcards only, or
// an address range shorter than /8 (IPv4) or /16 (IPv6), which reaches as
// good as everything. A path after a host ("example.com/x") is a
// *HostError naming the host.
func matchesEveryHost(v string) (bool, error) {
	if host, _, ok := strings.Cut(v, "/"); ok {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			if _, aerr := netip.ParseAddr(host); aerr == nil {
				return false, fmt.Errorf("is not an address range (%v)", err)
			}
			return false, &HostError{Pattern: v, Host: host}
		}
		min := 8
		switch {
		case p.Addr().Is4In6():
			min = 96 + 8 // ::ffff:0:0/96 is every IPv4 address
		case p.Addr().Is6():
			min = 16
		}
		return p.Bits() < min, nil
	}
	if strings.ContainsAny(v, "[]") {
		if _, err := netip.ParseAddrPort(v); err != nil {
			return false, fmt.Errorf("is not an [address]:port")
		}
		return false, nil
	}
	if _, err := netip.ParseAddr(v); err == nil {
		return false, nil
	}
	host := v
	if h, port, ok := strings.Cut(v, ":"); ok {
		if strings.Contains(port, ":") || port != "*" && !isPort(port) {
			return false, fmt.Errorf("has an invalid port %q", port)
		}
		host = h
	}
	if host == "" {
		return false, fmt.Errorf("has no host")
	}
	for _, label := range strings.Split(host, ".") {
		if strings.Trim(label, "*?") != "" {
			return false, nil
		}
	}
	return true, nil
}

func isPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n > 0 && n < 65536 && strconv.Itoa(n) == s
}

// MatchesEveryHost reports whether a pattern that CheckHost accepts with
// everything set would allow every host.
func MatchesEveryHost(v string) bool {
	var he *HostError
	return errors.As(CheckHost(v, false), &he) && he.Everything
}

// policyRank orders sbx's network presets from narrowest to widest.
var policyRank = map[string]int{"deny-all": 0, "balanced": 1, "allow-all": 2}

// envWidening announces environment values that widen the network beyond
// what they replaced: ALLOW adding hosts, GLOBAL_NETWORK_POLICY naming a
// wider preset. An environment is easy to inherit unseen (a shell profile,
// a CI job, a parent process), so it is said, one line each, on every
// command that loads the settings.
func envWidening(before, after map[string]*Value) []Warning {
	var out []Warning
	if a := after["allow"]; a.Origin.Source == Env {
		var added []string
		for _, h := range a.Values {
			// Refused values fail the load on their own.
			if CheckHost(h, false) == nil && !slices.Contains(before["allow"].Values, h) && !slices.Contains(added, h) {
				added = append(added, h)
			}
		}
		if len(added) > 0 {
			out = append(out, Warning{Text: fmt.Sprintf("%s from the environment widens the network allowlist: adds %s", a.Origin.Where, strings.Join(added, ", "))})
		}
	}
	if p := after["networkPolicy"]; p.Origin.Source == Env {
		was := before["networkPolicy"].Scalar()
		if now, ok := policyRank[p.Scalar()]; ok && now > policyRank[was] {
			out = append(out, Warning{Text: fmt.Sprintf("%s=%s from the environment widens sbx's default network policy (instead of %s)", p.Origin.Where, p.Scalar(), was)})
		}
	}
	return out
}
