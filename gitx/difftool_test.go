package gitx

import (
	"slices"
	"testing"
)

func TestParseToolHelp(t *testing.T) {
	help := "'git difftool --tool=<tool>' may be set to one of the following:\n" +
		"\t\tvimdiff          Use Vim\n\n\tuser-defined:\n\t\tmytool.cmd x $LOCAL\n\n" +
		"The following tools are valid, but not currently available:\n" +
		"\t\tmeld             Use Meld (requires a graphical session)\n\n" +
		"Some of the tools listed above only work in a windowed\nenvironment.\n"
	if got, want := parseToolHelp(help), []string{"vimdiff", "mytool", "meld"}; !slices.Equal(got, want) {
		t.Errorf("parseToolHelp = %q; want %q", got, want)
	}
}
