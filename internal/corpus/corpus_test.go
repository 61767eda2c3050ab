package corpus

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/git-airlock/git-airlock/internal/inspect"
)

const (
	goModule   = "go"
	npmPackage = "npm"
)

// A pair is one real upgrade: a project's release and a later one, as an
// agent asked to upgrade the project would bring them.
type pair struct {
	kind     string // goModule or npmPackage
	name     string // module path or package name
	old, new version
	files    int // changed files (pinned, so that a change of the corpus shows)

	// high is every high finding expected, each naming the real trigger
	// that acts on the file; any other high fails the test, and so does
	// one of these that goes away.
	high []want
	// medium and low are pinned by count only: they are recorded in
	// docs/BENCHMARKS.md, and a change of a rule shows here as a new count.
	medium, low int
	// noise are mediums that name no real trigger, listed so that the
	// rule's fix shows here (remove the entry with the fix).
	noise []want
}

// version is a release and the hash its registry serves for it: the Go
// checksum database's h1: hash of the module zip, npm's integrity of the
// tarball.
type version struct{ v, sum string }

// want is one expected finding: the trigger inspect must name, its rule
// and path, a part of its text when one path has several findings of a
// rule, and why it is expected.
type want struct {
	trigger                inspect.Trigger
	rule, path, match, why string
}

// workflow is a changed GitHub Actions workflow, the corpus's commonest
// real trigger.
func workflow(path string) want {
	return want{inspect.CI, "ci", path, "", "GitHub Actions runs the changed workflow on the next push, with the repository's secrets"}
}

var corpus = []pair{
	{kind: goModule, name: "github.com/spf13/cobra",
		old:   version{"v1.7.0", "h1:hyqWnYt1ZQShIddO5kBpj3vu05/++x6tJ6dg8EC572I="},
		new:   version{"v1.8.0", "h1:7aJaZx1B85qltLMc546zn58BxxfZdR/W22ej9CFoEf0="},
		files: 36, medium: 1,
		high: []want{workflow(".github/workflows/test.yml")}},
	{kind: goModule, name: "github.com/stretchr/testify",
		old:   version{"v1.8.4", "h1:CcVxjf3Q8PM0mHUKJCdn+eZZtm5yQwehR5yeSVQQcUk="},
		new:   version{"v1.9.0", "h1:HtqpIVDClZ4nwg75+f6Lvsy/wHu+3BoSGCbBAcpTsTg="},
		files: 32,
		high:  []want{workflow(".github/workflows/main.yml"), workflow(".github/workflows/release.yml")}},
	{kind: goModule, name: "github.com/BurntSushi/toml",
		old:   version{"v1.3.2", "h1:o7IhLm0Msx3BaB+n3Ag7L8EVlByGnpq14C4YWiu/gL8="},
		new:   version{"v1.4.0", "h1:kuoIxZQy2WRRk1pttg9asf+WVv6tWQuBNVmK8+nqPr0="},
		files: 325, low: 4,
		high: []want{workflow(".github/workflows/cifuzz.yml"), workflow(".github/workflows/test.yml")}},
	{kind: goModule, name: "github.com/alecthomas/kong",
		old:   version{"v0.9.0", "h1:G5diXxc85KvoV2f0ZRVuMsi45IrBgx9zDNGNj165aPA="},
		new:   version{"v1.0.0", "h1:/2lnHsOPeCf3fkbaOAcEy0uLe6A8rQgIM6va67v8kaY="},
		files: 15, medium: 1},
	{kind: goModule, name: "github.com/go-git/go-git/v5",
		old:   version{"v5.11.0", "h1:XIZc1p+8YzypNr34itUfSvYJcv+eYdTnTvOZ2vD3cA4="},
		new:   version{"v5.12.0", "h1:7Md+ndsjrzZxbddRDZjF14qK+NN56sy6wkqaVrjZtys="},
		files: 45, medium: 1,
		high: []want{workflow(".github/workflows/cifuzz.yml"), workflow(".github/workflows/codeql.yml"),
			workflow(".github/workflows/git.yml"), workflow(".github/workflows/stale-issues-bot.yaml"),
			workflow(".github/workflows/test.yml")}},
	{kind: goModule, name: "github.com/evanw/esbuild",
		old:   version{"v0.23.0", "h1:PLUwTn2pzQfIBRrMKcD3M0g1ALOKIHMDefdFCk7avwM="},
		new:   version{"v0.24.0", "h1:GZ78naTLp7FKr+K7eNuM/SLs5maeiHYRPsTg6kmdsSE="},
		files: 56, medium: 1,
		high: []want{workflow(".github/workflows/ci.yml"), workflow(".github/workflows/validate.yml")}},
	{kind: goModule, name: "github.com/spf13/viper",
		old:   version{"v1.18.2", "h1:LUXCnvUvSM6FXAsj6nnfc8Q2tp1dIgUfY9Kc8GsSOiQ="},
		new:   version{"v1.19.0", "h1:RWq5SEjt8o25SROyN3z2OrDB9l7RPd3lwTWU8EcEdcI="},
		files: 11,
		high: []want{workflow(".github/workflows/checks.yaml"), workflow(".github/workflows/ci.yaml"),
			workflow(".github/workflows/codeql-analysis.yaml"),
			{inspect.Shell, "envrc-loads", "flake.nix", "", "the unchanged .envrc says `use flake`: nix-direnv evaluates the changed flake and its shellHook on the next cd, with no new `direnv allow`"},
			{inspect.Shell, "envrc-loads", "flake.lock", "", "the unchanged .envrc says `use flake`: the lock pins the nixpkgs whose dev shell nix-direnv builds and enters on the next cd"}}},
	{kind: goModule, name: "github.com/jackc/pgx/v5",
		old:   version{"v5.5.0", "h1:NxstgwndsTRy7eq9/kqYc/BZh5w2hHJV86wjvO+1xPw="},
		new:   version{"v5.6.0", "h1:SWJzexBzPL5jb0GEsrPMLIsi/3jOo7RHlzTjcAeDrPY="},
		files: 143,
		high:  []want{workflow(".github/workflows/ci.yml")}},
	{kind: goModule, name: "github.com/prometheus/client_golang",
		old:   version{"v1.19.0", "h1:ygXvpU1AoN1MhdzckN+PyD9QJOSD4x7kmXYlnfbA6JU="},
		new:   version{"v1.20.0", "h1:jBzTZ7B099Rg24tny+qngoynol8LtVYlA2bqx3vEloI="},
		files: 69, medium: 4,
		high: []want{workflow(".github/workflows/automerge-dependabot.yml"), workflow(".github/workflows/codeql-analysis.yml"),
			workflow(".github/workflows/container_description.yml"), workflow(".github/workflows/dagger-golangci-lint.yml"),
			workflow(".github/workflows/go.yml"), workflow(".github/workflows/golangci-lint.yml"),
			workflow(".github/workflows/update-go-versions.yml")}},
	{kind: goModule, name: "github.com/pocketbase/pocketbase",
		old:   version{"v0.21.3", "h1:pXNXYi1Ff/zt47DOASYbD6XCOYlqBqJVTgCWPHCQ++s="},
		new:   version{"v0.22.0", "h1:HIKXvpxo0may6SmrlJllVIJvBFwtFSrnOynLDwymCls="},
		files: 120, medium: 1, low: 1,
		high: []want{workflow(".github/workflows/release.yaml")}},
	{kind: npmPackage, name: "qs",
		old:   version{"6.11.2", "sha512-tDNIz22aBzCDxLtVH++VnTfzxlfeK5CbqohpSqpJgj1Wg/cQbStNAz3NuqCs5vV+pjBsK4x4pN9HlVh7rcYRiA=="},
		new:   version{"6.12.0", "sha512-trVZiI6RMOkO476zLGaBIzszOdFPnCCXHPG9kn0yuS1uz6xdVxPfZdB3vUig9pxPFDM9BRAgz/YUIVQ1/vuiUg=="},
		files: 10, medium: 2},
	{kind: npmPackage, name: "express",
		old:   version{"4.18.2", "sha512-5/PsL6iGPdfQ/lKM1UuielYgv3BUoJfz1aUwU9vHZ+J7gyvwdQXFEBIEIaxeGf0GIcreATNyBExtalisDbuMqQ=="},
		new:   version{"4.19.2", "sha512-5T6nhjsT+EOMzuck8JjBHARTHfMht0POzlA60WV2pMD3gyXw2LZnZ+ueGdNxG+0calOJcWKbpFcuzLZ91YWq9Q=="},
		files: 7},
	{kind: npmPackage, name: "esbuild",
		old:   version{"0.19.12", "sha512-aARqgq8roFBj054KvQr5f1sFu0D65G+miZRCuJyJ0G13Zwx7vRar5Zhn2tkQNzIXcBrNVsv/8stehpj+GAjgbg=="},
		new:   version{"0.20.0", "sha512-6iwE3Y2RVYCME1jLpBqq7LQWK3MW6vjV2bZy6gt/WrqkY+WE74Spyc0ThAOYpMtITvnjX09CrC6ym7A/m9mebA=="},
		files: 4},
	{kind: npmPackage, name: "bufferutil",
		old:   version{"4.0.7", "sha512-kukuqc39WOHtdxtw4UScxF/WVnMFVSQVKhtx3AjZJzhd0RGZZldcrfSEbVsWWe6KNH253574cq5F+wpv0G9pJw=="},
		new:   version{"4.0.8", "sha512-4T53u4PdgsXqKaIctwF8ifXlRTTmEPJ8iEPWFdGZvcf7sbwYo6FKFEX9eNNAnzFZ7EzJAQ3CJeOtCRA4rDp7Pw=="},
		files: 8, low: 4,
		high: []want{{inspect.Build, "package-manager-config", "binding.gyp", "",
			"the install script (node-gyp-build) has node-gyp build it where no prebuild fits, and gyp runs its <!(...) commands: this change adds `cc -v | perl`"}}},
	{kind: npmPackage, name: "sqlite3",
		old:   version{"5.1.6", "sha512-olYkWoKFVNSSSQNvxVUfjiVbz3YtBwTJj+mfV5zpHmqW3sELx2Cf4QCdirMelhM5Zh+KDVaKgQHqCxrqiWHybw=="},
		new:   version{"5.1.7", "sha512-GGIyOiFaG+TUra3JIfkI/zGP8yZYLPQ0pl1bH+ODjiX57sPhrLU5sQJn1y9bDKZUFYkX1crlrPfSYt0BKKdkog=="},
		files: 15, medium: 1, low: 1,
		high: []want{
			{inspect.Build, "install-script", "package.json", `"install"`, "npm runs the install script on `npm install`: it now downloads with prebuild-install, else runs node-gyp"},
			{inspect.Build, "package-manager-config", "binding.gyp", "", "the install script's `node-gyp rebuild` reads it, and gyp runs the commands it names"},
			{inspect.Build, "package-manager-config", "deps/common-sqlite.gypi", "", "binding.gyp includes it: gyp reads it as part of the build node-gyp runs on install"}}},
	{kind: npmPackage, name: "vite",
		old:   version{"5.1.0", "sha512-STmSFzhY4ljuhz14bg9LkMTk3d98IO6DIArnTY6MeBwiD1Za2StcQtz7fzOUnRCqrHSD5+OS2reg4HOz1eoLnw=="},
		new:   version{"5.2.0", "sha512-xMSLJNEjNk/3DJRgWlPADDwaU9AgYRodDH2t6oENhJnIlmU9Hx1Q6VpjyXua/JdMw1WJRbnAgHJ9xgET9gnIAg=="},
		files: 19},
}

func TestBenignCorpus(t *testing.T) {
	dirs := fetch(t, corpus)
	isolate(t)
	for _, p := range corpus {
		t.Run(p.kind+":"+p.name+"@"+p.old.v+".."+p.new.v, func(t *testing.T) {
			r := inspectRelease(t, buildRepo(t, dirs[key(p.kind, p.name, p.old.v)], dirs[key(p.kind, p.name, p.new.v)]))
			for _, f := range r.Findings {
				t.Logf("%-6s %-7s %-22s %s: %s", f.Severity, f.Trigger, f.Rule, f.Path, f.Why)
			}
			t.Logf("summary: files %d; high %d; medium %d (%s); low %d (%s)", r.ChangedFiles,
				r.Counts.High, r.Counts.Medium, byRule(r.Findings, inspect.Medium), r.Counts.Low, byRule(r.Findings, inspect.Low))
			check(t, p, r.ChangedFiles, r.Findings)
		})
	}
}

// check compares an inspection with the pair's expectations.
func check(t *testing.T, p pair, files int, findings []inspect.Finding) {
	t.Helper()
	if files != p.files {
		t.Errorf("%d files changed, the corpus pins %d", files, p.files)
	}
	var highs, mediums []inspect.Finding
	for _, f := range findings {
		switch f.Severity {
		case inspect.High:
			highs = append(highs, f)
		case inspect.Medium:
			mediums = append(mediums, f)
		}
	}
	for _, f := range unmatched(highs, p.high) {
		t.Errorf("unexpected high %s %s %s: %s\n(a high must name a real trigger: if this one does, add it to the pair's list with the trigger; if not, list it there as a FALSE POSITIVE)",
			f.Trigger, f.Rule, f.Path, f.Why)
	}
	for _, w := range missing(highs, p.high) {
		t.Errorf("the expected high %s is gone (%s): remove it from the pair's list", w, w.why)
	}
	for _, w := range missing(mediums, p.noise) {
		t.Errorf("the noise medium %s is gone (fixed?): remove it from the pair's noise list", w)
	}
	counts := inspect.Count(findings)
	if counts.Medium != p.medium || counts.Low != p.low {
		t.Errorf("medium %d, low %d; the corpus pins medium %d, low %d (the summary above lists them: update the pin and docs/BENCHMARKS.md)",
			counts.Medium, counts.Low, p.medium, p.low)
	}
}

func (w want) String() string {
	s := fmt.Sprintf("%s %s %s", w.trigger, w.rule, w.path)
	if w.match != "" {
		s += " " + w.match
	}
	return s
}

func (w want) matches(f inspect.Finding) bool {
	return f.Trigger == w.trigger && f.Rule == w.rule && f.Path == w.path && strings.Contains(f.Why, w.match)
}

// unmatched returns the findings no want matches.
func unmatched(findings []inspect.Finding, wants []want) []inspect.Finding {
	var out []inspect.Finding
	for _, f := range findings {
		if !slices.ContainsFunc(wants, func(w want) bool { return w.matches(f) }) {
			out = append(out, f)
		}
	}
	return out
}

// missing returns the wants no finding matches.
func missing(findings []inspect.Finding, wants []want) []want {
	var out []want
	for _, w := range wants {
		if !slices.ContainsFunc(findings, w.matches) {
			out = append(out, w)
		}
	}
	return out
}

// byRule summarises findings of one severity as "rule×n, …".
func byRule(findings []inspect.Finding, s inspect.Severity) string {
	n := map[string]int{}
	for _, f := range findings {
		if f.Severity == s {
			n[f.Rule]++
		}
	}
	var parts []string
	for _, rule := range slices.Sorted(maps.Keys(n)) {
		parts = append(parts, fmt.Sprintf("%s×%d", rule, n[rule]))
	}
	return strings.Join(parts, ", ")
}
