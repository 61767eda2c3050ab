package machine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/workflow"
)

// Trust records the current .airlock.toml content as trusted.
func (s *Configurer) Trust(ctx context.Context) error {
	if err := requireRepo(s.Repo); err != nil {
		return err
	}
	content, err := os.ReadFile(filepath.Join(s.Root, config.FileName))
	if os.IsNotExist(err) {
		return hint.Errorf(nil, "there is no %s at %s", config.FileName, s.Root)
	}
	if err != nil {
		return err
	}
	values, warnings, err := config.ParseFile(content)
	if err != nil {
		return hint.With(err, "fix the file, then trust it")
	}
	for _, w := range warnings {
		s.UI.Warnf("%s", w)
	}
	if err := s.Repo.ConfigSet(ctx, config.TrustKey, config.Hash(content)); err != nil {
		return err
	}
	s.UI.Infof("trusted %s (%s); it sets %s", config.FileName, config.Hash(content)[:19], workflow.Plural(len(values), "setting", "settings"))
	for _, k := range config.Keys {
		if v, ok := values[k.Name]; ok {
			// The file's own strings, decoded: quoted as git quotes paths.
			s.UI.Infof("  airlock.%s = %s", k.Name, strings.Join(quote.Paths(v), ", "))
		}
	}
	s.UI.Hint("any change to the file makes it untrusted again")
	return nil
}

// ImportConfig migrates a code-airlock sandbox.conf into local git config.
func (s *Configurer) ImportConfig(ctx context.Context, path string) ([]config.ImportedValue, error) {
	if err := requireRepo(s.Repo); err != nil {
		return nil, err
	}
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, hint.With(err, "give the path of code-airlock's sandbox.conf")
	}
	values, notes, err := config.ParseSandboxConf(content)
	if err == nil {
		notes, err = s.reviewTool(ctx, values, notes)
	}
	if err != nil {
		return nil, hint.With(fmt.Errorf("%s: %w", path, err), "nothing was written; fix the file and import again")
	}
	for _, n := range notes {
		s.UI.Warnf("%s: %s", path, n)
	}
	for _, v := range values {
		key := "airlock." + v.Key.Name
		if err := s.Repo.ConfigUnset(ctx, key); err != nil {
			return nil, err
		}
		for _, val := range v.Values {
			if err := s.Repo.ConfigAdd(ctx, key, val); err != nil {
				return nil, err
			}
		}
	}
	if slices.Contains(notes, vscodeNote) {
		if err := s.Repo.ConfigSet(ctx, "difftool.vscode.cmd", vscodeCmd); err != nil {
			return nil, err
		}
	}
	_ = s.Repo.RecordSituation(workflow.SandboxConfKey, workflow.ConfDigest(content))
	return values, nil
}

// vscodeCmd is how git 2.46 and later run their own vscode difftool
// (mergetools/vscode); older gits have none and say "Unknown merge tool".
const vscodeCmd = `code --wait --diff "$LOCAL" "$REMOTE"`

var vscodeNote = "REVIEW_TOOL=vscode: this git has no vscode difftool; difftool.vscode.cmd is set to what newer gits run: " + vscodeCmd

// reviewTool checks REVIEW_TOOL against the tools git difftool knows here,
// so that review does not fail later with git's "Unknown merge tool".
// code-airlock's vscode, which older gits lack, is defined as newer gits
// define it (a note says so).
func (s *Configurer) reviewTool(ctx context.Context, values []config.ImportedValue, notes []string) ([]string, error) {
	for _, v := range values {
		if v.Key.Name != "reviewTool" {
			continue
		}
		tools, err := s.Repo.DiffTools(ctx)
		if err != nil {
			return nil, fmt.Errorf("REVIEW_TOOL: cannot list git's difftools: %w", err)
		}
		switch tool := v.Values[0]; {
		case slices.Contains(tools, tool):
		case tool == "vscode":
			notes = append(notes, vscodeNote)
		default:
			return nil, fmt.Errorf("REVIEW_TOOL: git difftool knows no tool %q (git difftool --tool-help lists them; define one with difftool.%s.cmd)", tool, tool)
		}
	}
	return notes, nil
}

// starterAgents is the AGENTS.md that `init` writes.
const starterAgents = `# Working in this repository

You run inside a Docker Sandboxes microVM started by git-airlock. The host's
repository is read-only to you; you work in a private clone, and a human
fetches, reviews and merges your commits with git.

- Work on a branch of your own: ` + "`git switch -c agent/<short-topic>`" + `.
- Commit early and often, with messages that say why. Only committed work
  comes back; uncommitted changes are lost when the sandbox is removed.
- Run the tests before each commit and say in the message if any fail.
- Do not change CI files, git hooks, install scripts, .airlock.toml or this
  file unless the task asks for it: such changes are flagged for review.
- Host commits handed to you arrive as branches named host/<branch>.
`

// Init writes a starter AGENTS.md; it never overwrites one.
func (s *Configurer) Init(ctx context.Context) error {
	if err := requireRepo(s.Repo); err != nil {
		return err
	}
	path := filepath.Join(s.Root, "AGENTS.md")
	if s.DryRun != nil {
		fmt.Fprintf(s.DryRun, "write %s\n", path)
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if os.IsExist(err) {
		return hint.Errorf([]string{"edit it by hand; git airlock init never overwrites"}, "%s already exists", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.WriteString(starterAgents); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	s.UI.Infof("wrote %s", path)
	s.UI.Hint("commit it so the sandbox's clone has it: git add AGENTS.md && git commit -m 'Add AGENTS.md'")
	return nil
}
