package workflow

import (
	"fmt"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/internal/xec"
)

// Policy compares the default network policy git-airlock is asked for
// with the one sbx has in force. sbx sets its default once and prints no
// preset, so what is in force is known only when git-airlock set it.
type Policy struct {
	Want    string        // airlock.networkPolicy
	From    config.Origin // where Want came from
	InForce string        // the preset sbx has; "" when not known
	Host    string        // the machine whose sbx it is; "" for this one
}

// PolicyOf reads what is asked from the settings.
func PolicyOf(s *config.Settings, inForce, host string) Policy {
	v := s.Get("networkPolicy")
	return Policy{Want: v.Scalar(), From: v.Origin, InForce: inForce, Host: host}
}

// Asked reports whether the user asked for a policy (anything but the
// built-in default).
func (p Policy) Asked() bool { return p.From.Source != config.Default }

// Gap reports whether what was asked may not be what is in force.
func (p Policy) Gap() bool { return p.Asked() && p.Want != p.InForce }

// Differs says what was asked and what is in force, both, when they may
// differ: the message is the whole truth the user needs.
func (p Policy) Differs() string {
	if p.InForce != "" {
		return fmt.Sprintf("git-airlock asked sbx for %s (%s), but sbx's default network policy is %s, as git-airlock set it earlier: sbx sets it once, so %s stays in force",
			p.Want, p.From, p.InForce, p.InForce)
	}
	return fmt.Sprintf("git-airlock asked sbx for %s (%s), but sbx already has a default network policy, set outside git-airlock: sbx sets it once and does not print it, so %s may not be in force",
		p.Want, p.From, p.Want)
}

// Closer is the command that makes the asked policy sbx's default:
// lockdown and unlock for deny-all and balanced, sbx itself for allow-all
// (init is the installed sbx's verb). Each resets sbx's network rules and
// stops running sandboxes, and says so before it does.
func (p Policy) Closer(initCommand []string) string {
	host := ""
	if p.Host != "" {
		host = "--host " + xec.Quote(p.Host) + " "
	}
	// --reset: the message around the command says what a reset does, so
	// the command runs as printed, also where nobody can answer a prompt.
	switch p.Want {
	case "deny-all":
		return "git airlock " + host + "lockdown --reset"
	case "balanced":
		return "git airlock " + host + "unlock --reset"
	}
	return "sbx policy reset --force, then " + xec.Quote(initCommand...)
}
