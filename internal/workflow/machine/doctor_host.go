package machine

import (
	"errors"

	"github.com/git-airlock/git-airlock/sbx"
)

// serverChecks are doctor's first checks when sbx runs on another
// machine: ssh reaches it without a prompt, and its secrets are its own.
// false: it cannot be reached, and nothing else can be checked.
func (s *Diagnoser) serverChecks(p Platform, add func(name, level, detail, hint string)) bool {
	var ue *sbx.UnreachableError
	switch {
	case errors.As(p.Err, &ue):
		add("ssh", "FAIL", ue.Error(), "make 'ssh "+p.Host+" true' work without a prompt (key in your agent, host key in known_hosts); git-airlock runs ssh in batch mode")
		return false
	case p.Err != nil:
		add("ssh", "FAIL", "cannot read the server's platform: "+p.Err.Error(), "")
		return false
	}
	add("ssh", "OK", "reachable as "+p.Host+" (batch mode, host key checked by your ssh config)", "")
	add("secrets", "OK", "sbx on "+p.Host+" uses its own login and secrets; nothing of this machine's is copied", "")
	return true
}
