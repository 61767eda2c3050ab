package gitx

import (
	"context"
	"strings"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// DiffTools lists the tools `git difftool --tool=<tool>` accepts in this
// repository, as `git difftool --tool-help` names them: git's own, whether
// installed here or not, and those defined in config (difftool.<tool>.cmd).
func (r *Repo) DiffTools(ctx context.Context) ([]string, error) {
	out, err := r.run.Output(ctx, parsed(xec.Cmd{Argv: r.git("difftool", "--tool-help")}))
	if err != nil {
		return nil, err
	}
	return parseToolHelp(string(out)), nil
}

// parseToolHelp reads the tool names of `git difftool --tool-help`: every
// line indented by two tabs starts with one ("meld   Use Meld …"), a
// user-defined one as "<tool>.cmd <command>". The headings between them
// are not read: they are translated, and changed between git releases.
func parseToolHelp(s string) []string {
	var tools []string
	for _, line := range strings.Split(s, "\n") {
		rest, ok := strings.CutPrefix(line, "\t\t")
		if f := strings.Fields(rest); ok && len(f) > 0 {
			tools = append(tools, strings.TrimSuffix(f[0], ".cmd"))
		}
	}
	return tools
}
