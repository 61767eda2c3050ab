package inspect

// Checks are the rules decided by a file's content, by where a link leads
// or by the merge itself rather than by a path pattern. With Rules they
// are the catalogue: every finding's rule is one of them (a test holds
// the code and the README's table to it).
var Checks = []Rule{
	{ID: "unseen-change", Family: "merge", Severity: High, Source: "https://git-scm.com/docs/merge-strategies",
		Why: "lands through the virtual merge base of a criss-cross history, unlike the branch's diff against its merge base"},
	{ID: "criss-cross", Family: "merge", Severity: High, Source: "https://git-scm.com/docs/git-merge-tree",
		Why: "several merge bases that git older than 2.38 cannot preview"},
	{ID: "merge-conflict", Family: "merge", Severity: Medium, Source: "https://git-scm.com/docs/git-merge",
		Why: "the merge conflicts; what is resolved is what lands"},
	{ID: "git-attributes-driver", Family: "git", Severity: High, Source: "https://git-scm.com/docs/gitattributes",
		Why: "assigns a filter, diff or merge driver, whose command git runs"},
	{ID: "git-attributes", Family: "git", Severity: Medium, Source: "https://git-scm.com/docs/gitattributes",
		Why: "changes how git treats files"},
	{ID: "submodule-url", Family: "git", Severity: High, Source: "https://git-scm.com/docs/gitmodules",
		Why: "changes a submodule's url, path, branch or update command"},
	{ID: "gitmodules", Family: "git", Severity: Medium, Source: "https://git-scm.com/docs/gitmodules",
		Why: "changes other submodule settings"},
	{ID: "gitmodules-unparsable", Family: "git", Severity: High, Source: "https://git-scm.com/docs/git-config#_syntax",
		Why: "git's config parser rejects .gitmodules"},
	{ID: "submodule", Family: "git", Severity: Medium, Source: "https://git-scm.com/docs/git-submodule",
		Why: "moves a submodule to an unreviewed commit"},
	{ID: "hooks-path", Family: "hooks", Severity: High, Source: "https://git-scm.com/docs/githooks",
		Why: "a file in your tracked core.hooksPath, which git runs"},
	{ID: "install-script", Family: "build", Severity: High, Source: "https://docs.npmjs.com/cli/using-npm/scripts#life-cycle-scripts",
		Why: "sets a package.json lifecycle script the package manager runs on install"},
	{ID: "manifest-duplicate-key", Family: "build", Severity: High, Source: "https://docs.npmjs.com/cli/configuring-npm/package-json",
		Why: "a manifest repeats a key, so tools may disagree on which copy counts"},
	{ID: "manifest-unparsable", Family: "build", Severity: High, Source: "https://docs.npmjs.com/cli/configuring-npm/package-json",
		Why: "a manifest that runs code does not parse, so it cannot be checked"},
	{ID: "too-large-to-check", Family: "build", Severity: High, Source: "https://docs.npmjs.com/cli/using-npm/scripts",
		Why: "a manifest or lockfile larger than inspect reads"},
	{ID: "dependency-source", Family: "build", Severity: Medium, Source: "https://docs.npmjs.com/cli/configuring-npm/package-json#dependencies",
		Why: "adds dependencies from outside the registry"},
	{ID: "lockfile-source", Family: "build", Severity: High, Source: "https://docs.npmjs.com/cli/configuring-npm/package-lock-json",
		Why: "a lockfile downloads from a host it did not use before"},
	{ID: "build-backend", Family: "build", Severity: High, Source: "https://peps.python.org/pep-0517/",
		Why: "changes the Python build system or build hooks pip runs"},
	{ID: "editor-exec-setting", Family: "editor", Severity: High, Source: "https://code.visualstudio.com/docs/python/settings-reference",
		Why: "an editor setting names a program the editor starts"},
	{ID: "symlink-escape", Family: "symlink", Severity: High, Source: "https://man7.org/linux/man-pages/man7/path_resolution.7.html",
		Why: "a symlink leaves the checkout once every link along it is followed, or loops"},
	{ID: "symlink-git-dir", Family: "symlink", Severity: High, Source: "https://git-scm.com/docs/gitrepository-layout",
		Why: "a symlink into .git"},
	{ID: "symlink", Family: "symlink", Severity: Medium, Source: "https://man7.org/linux/man-pages/man7/symlink.7.html",
		Why: "a dangling symlink, one to the top level, or one judged without the merge result"},
	{ID: "executable", Family: "mode", Severity: Medium, Why: "a file becomes executable"},
	{ID: "large-file", Family: "size", Severity: Medium, Why: "a file too large to review"},
	{ID: "binary", Family: "binary", Severity: Low, Why: "binary content cannot be reviewed as text"},
	{ID: "file-name", Family: "names", Severity: High, Source: "https://trojansource.codes/",
		Why: "a name with invisible or direction-changing characters"},
	{ID: "protected", Family: "protect", Severity: High, Why: "a path listed in airlock.protect"},
}

// Catalogue is every rule a finding can name, path rules first.
func Catalogue() []Rule {
	return append(append([]Rule(nil), Rules...), Checks...)
}
