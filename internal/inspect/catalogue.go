package inspect

import "sync"

// Checks are the rules decided by a file's content, by where a link leads,
// by the host's own configuration or by the merge itself rather than by a
// path pattern. With Rules they are the catalogue: every finding's rule is
// one of them (a test holds the code and docs/inspect.md to it).
var Checks = []Rule{
	// the merge itself
	{ID: "unseen-change", Trigger: Merge, Family: "merge", Severity: High, Sources: []string{"https://git-scm.com/docs/merge-strategies#Documentation/merge-strategies.txt-ort"},
		Why: "lands through the virtual merge base of a criss-cross history, unlike the branch's diff against its merge base"},
	{ID: "criss-cross", Trigger: Merge, Family: "merge", Severity: High, Sources: []string{"https://git-scm.com/docs/git-merge-tree"},
		Why: "several merge bases that git older than 2.38 cannot preview"},
	{ID: "merge-conflict", Trigger: Merge, Family: "merge", Severity: Medium, Sources: []string{"https://git-scm.com/docs/git-merge#_how_conflicts_are_presented"},
		Why: "the merge conflicts; what is resolved is what lands"},

	// git
	{ID: "git-attributes-driver", Trigger: Git, Family: "git", Severity: High, Sources: []string{"https://git-scm.com/docs/gitattributes#_defining_a_custom_merge_driver", "https://git-scm.com/docs/gitattributes#_filter"},
		Why: "assigns a filter, diff or merge driver, whose command git runs"},
	{ID: "git-attributes", Trigger: Git, Family: "git", Severity: Medium, Sources: []string{"https://git-scm.com/docs/gitattributes"},
		Why: "changes how git treats files"},
	{ID: "git-config-include", Trigger: Git, Family: "git", Severity: High, Sources: []string{"https://git-scm.com/docs/git-config#_includes", "https://git-scm.com/docs/git-config#Documentation/git-config.txt-corefsmonitor"},
		Why: "a tracked file your git config includes (include.path, includeIf, core.attributesFile, core.excludesFile): git reads it on every command, and settings such as core.fsmonitor, core.pager or diff.*.textconv name programs it runs"},
	{ID: "submodule-url", Trigger: Git, Family: "git", Severity: High, Sources: []string{"https://git-scm.com/docs/gitmodules"},
		Why: "changes a submodule's url, path, branch or update command"},
	{ID: "gitmodules", Trigger: Git, Family: "git", Severity: Medium, Sources: []string{"https://git-scm.com/docs/gitmodules"},
		Why: "changes other submodule settings"},
	{ID: "gitmodules-unparsable", Trigger: Git, Family: "git", Severity: High, Sources: []string{"https://git-scm.com/docs/git-config#_syntax"},
		Why: "git's config parser rejects .gitmodules"},
	{ID: "submodule", Trigger: Git, Family: "git", Severity: Low, Sources: []string{"https://git-scm.com/docs/git-submodule#Documentation/git-submodule.txt-update"},
		Why: "moves a submodule to another commit; what its history brings is judged at the submodule's paths"},
	{ID: "submodule-unreviewable", Trigger: Git, Family: "git", Severity: High, Sources: []string{"https://git-scm.com/docs/git-submodule#Documentation/git-submodule.txt-update"},
		Why: "moves a submodule to a commit whose objects are not here, so what it brings cannot be reviewed"},
	{ID: "hooks-path", Trigger: Git, Family: "hooks", Severity: High, Sources: []string{"https://git-scm.com/docs/githooks", "https://git-scm.com/docs/git-config#Documentation/git-config.txt-corehooksPath"},
		Why: "a file in your tracked core.hooksPath, which git runs"},

	// the shell
	{ID: "envrc-loads", Trigger: Shell, Family: "env", Severity: High, Sources: []string{"https://direnv.net/man/direnv-stdlib.1.html", "https://github.com/nix-community/nix-direnv#usage"},
		Why: "a file an .envrc loads (use flake, use nix, source_env, dotenv, PATH_add, …): direnv runs it on cd without asking again, since the .envrc itself did not change"},
	{ID: "mise-hook", Trigger: Shell, Family: "env", Severity: High, Sources: []string{"https://mise.jdx.dev/hooks.html", "https://mise.jdx.dev/environments/#env-source", "https://mise.jdx.dev/templates.html#exec"},
		Why: "mise hooks, sourced env scripts, PATH entries or exec() templates, which mise runs when you enter the directory"},
	{ID: "tool-version-path", Trigger: Shell, Family: "env", Severity: High, Sources: []string{"https://asdf-vm.com/manage/configuration.html#tool-versions", "https://mise.jdx.dev/cli/trust.html"},
		Why: "a .tool-versions entry names a path: the asdf and mise shims run the program there"},
	{ID: "env-loads-code", Trigger: Runtime, Family: "env", Severity: High, Sources: []string{"https://nodejs.org/api/cli.html#node_optionsoptions", "https://man7.org/linux/man-pages/man8/ld.so.8.html#ENVIRONMENT"},
		Why: "an env file sets a variable that makes programs load other code (NODE_OPTIONS, LD_PRELOAD, BASH_ENV, PYTHONSTARTUP, …)"},

	// the package manager and build tools
	{ID: "install-script", Trigger: Build, Family: "build", Severity: High, Sources: []string{"https://docs.npmjs.com/cli/using-npm/scripts#life-cycle-scripts", "https://getcomposer.org/doc/articles/scripts.md#event-names", "https://pdm-project.org/latest/usage/scripts/#hook-scripts"},
		Why: "sets a script the package manager runs on its own during install (npm lifecycle scripts, Composer events and plugins, PDM hooks)"},
	{ID: "package-script", Trigger: Build, Family: "build", Severity: Medium, Sources: []string{"https://docs.npmjs.com/cli/commands/npm-run-script", "https://getcomposer.org/doc/articles/scripts.md#writing-custom-commands"},
		Why: "changes a script that runs when called by name (npm run, composer run)"},
	{ID: "manifest-duplicate-key", Trigger: Build, Family: "build", Severity: High, Sources: []string{"https://docs.npmjs.com/cli/configuring-npm/package-json"},
		Why: "a manifest repeats a key, so tools may disagree on which copy counts"},
	{ID: "manifest-unparsable", Trigger: Build, Family: "build", Severity: High, Sources: []string{"https://docs.npmjs.com/cli/configuring-npm/package-json"},
		Why: "a file that names programs does not parse as its tool reads it, so it cannot be checked"},
	{ID: "too-large-to-check", Trigger: Build, Family: "build", Severity: High, Sources: []string{"https://docs.npmjs.com/cli/using-npm/scripts"},
		Why: "a manifest or lockfile larger than inspect reads"},
	{ID: "dependency-source", Trigger: Build, Family: "build", Severity: Medium, Sources: []string{"https://docs.npmjs.com/cli/configuring-npm/package-json#dependencies"},
		Why: "adds dependencies from outside the registry"},
	{ID: "lockfile-source", Trigger: Build, Family: "build", Severity: High, Sources: []string{"https://docs.npmjs.com/cli/configuring-npm/package-lock-json#packages"},
		Why: "a lockfile entry downloads from a host it did not use before, or resolves to another package's download"},
	{ID: "lockfile-integrity", Trigger: Build, Family: "build", Severity: High, Sources: []string{"https://docs.npmjs.com/cli/configuring-npm/package-lock-json#packages", "https://go.dev/ref/mod#go-sum-files"},
		Why: "a lockfile entry keeps its version but changes its content hash or reference"},
	{ID: "build-backend", Trigger: Build, Family: "build", Severity: High, Sources: []string{"https://peps.python.org/pep-0517/", "https://hatch.pypa.io/latest/plugins/build-hook/reference/", "https://hatch.pypa.io/latest/config/environment/overview/#commands"},
		Why: "changes the Python build system, build hooks or environment commands pip or hatch runs"},

	// the editor
	{ID: "editor-exec-setting", Trigger: Editor, Family: "editor", Severity: High, Sources: []string{"https://code.visualstudio.com/docs/editor/workspace-trust#_restricted-mode", "https://zed.dev/docs/configuring-languages#configuring-language-servers"},
		Why: "an editor setting names a program, its arguments or environment, which the editor starts"},

	{ID: "gradle-distribution", Trigger: Editor, Family: "build", Severity: High, Sources: []string{"https://docs.gradle.org/current/userguide/gradle_wrapper.html#sec:verification"},
		Why: "the Gradle wrapper names a distribution from elsewhere than services.gradle.org, or drops its checksum"},

	// CI
	{ID: "ci-include", Trigger: CI, Family: "ci", Severity: High, Sources: []string{"https://docs.gitlab.com/ci/yaml/includes/", "https://docs.gitlab.com/ci/yaml/#includelocal"},
		Why: "a file the CI configuration includes, which CI runs with the repository's secrets"},

	// agents
	{ID: "instruction-hidden", Trigger: Agent, Family: "agent", Severity: High, Sources: []string{"https://embracethered.com/blog/posts/2024/hiding-and-finding-text-with-unicode-tags/", "https://www.pillar.security/blog/new-vulnerability-in-github-copilot-and-cursor-how-hackers-can-weaponize-code-agents"},
		Why: "an agent file gains text a reader does not see (Unicode tags, zero-width or direction characters, HTML comments)"},

	// the host's ignored files
	{ID: "ignored-path", Trigger: Ignored, Family: "ignored", Severity: High, Sources: []string{"https://git-scm.com/docs/gitignore", "https://git-scm.com/docs/git-checkout#Documentation/git-checkout.txt---no-overwrite-ignore"},
		Why: "a tracked file added where your ignore rules keep files outside git (node_modules, a virtualenv): git's checkout replaces your copy"},

	// links
	{ID: "symlink-escape", Trigger: Review, Family: "symlink", Severity: High, Sources: []string{"https://man7.org/linux/man-pages/man7/path_resolution.7.html"},
		Why: "a symlink leaves the checkout once every link along it is followed, or loops"},
	{ID: "symlink-git-dir", Trigger: Git, Family: "symlink", Severity: High, Sources: []string{"https://git-scm.com/docs/gitrepository-layout"},
		Why: "a symlink into .git"},
	{ID: "symlink-nul", Trigger: Review, Family: "symlink", Severity: High, Sources: []string{"https://man7.org/linux/man-pages/man2/symlink.2.html"},
		Why: "a symlink whose stored target holds a NUL byte: git writes the link cut there, so it points somewhere the diff does not show"},
	{ID: "symlink", Trigger: Review, Family: "symlink", Severity: Medium, Sources: []string{"https://man7.org/linux/man-pages/man7/symlink.7.html"},
		Why: "a dangling symlink, one to the top level, or one judged without the merge result"},

	// what hides a change from review
	{ID: "executable", Trigger: Review, Family: "mode", Severity: Medium, Sources: []string{"https://git-scm.com/docs/git-update-index#Documentation/git-update-index.txt---chmod-x"},
		Why: "a file becomes executable"},
	{ID: "large-file", Trigger: Review, Family: "size", Severity: Medium, Sources: []string{"https://docs.github.com/en/repositories/working-with-files/managing-large-files/about-large-files-on-github"},
		Why: "a file too large to review"},
	{ID: "binary", Trigger: Review, Family: "binary", Severity: Low, Sources: []string{"https://git-scm.com/docs/gitattributes#_marking_files_as_binary"},
		Why: "binary content cannot be reviewed as text"},
	{ID: "file-name", Trigger: Review, Family: "names", Severity: High, Sources: []string{"https://trojansource.codes/"},
		Why: "a name with invisible or direction-changing characters"},
	{ID: "commit-identity", Trigger: Review, Family: "identity", Severity: Medium, Sources: []string{"https://git-scm.com/docs/git-commit#_commit_information"},
		Why: "agent commits carry your own name or email, so in the history they read as yours"},
	{ID: "commit-signature", Trigger: Review, Family: "identity", Severity: Medium, Sources: []string{"https://docs.docker.com/ai/sandboxes/", "https://git-scm.com/docs/git-commit#Documentation/git-commit.txt--S"},
		Why: "agent commits are signed: the sandbox signed with a key it was lent (sbx forwards the SSH agent), and they verify as the key's owner"},

	// unknown tool configuration
	{ID: "unknown-config", Trigger: Unknown, Family: "unknown", Severity: Medium, Sources: []string{"docs/inspect.md#tool-configuration-no-rule-knows"},
		Why: "a file that looks like a tool's configuration (a dot-directory or dotfile, *rc, *.config.*, a settings or manifest file) that no rule knows"},

	// yours
	{ID: "protected", Trigger: Yours, Family: "protect", Severity: High, Sources: []string{"docs/inspect.md#airlockprotect"},
		Why: "a path listed in airlock.protect"},
}

// Catalogue is every rule a finding can name, path rules first.
func Catalogue() []Rule {
	return append(append([]Rule(nil), Rules...), Checks...)
}

var catalogueByID = sync.OnceValue(func() map[string]Rule {
	m := map[string]Rule{}
	for _, r := range Catalogue() {
		m[r.ID] = r
	}
	return m
})
