package inspect

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogueCoversTheCode: every rule id the code can report is in the
// catalogue, once.
func TestCatalogueCoversTheCode(t *testing.T) {
	known := map[string]Rule{}
	for _, r := range Catalogue() {
		if _, dup := known[r.ID]; dup {
			t.Errorf("rule %q listed twice", r.ID)
		}
		if r.Why == "" || r.Family == "" || r.Severity == 0 {
			t.Errorf("rule %q lacks a reason, family or severity", r.ID)
		}
		known[r.ID] = r
	}
	files, _ := filepath.Glob("*.go")
	emitted := regexp.MustCompile(`Rule: "([a-z-]+)"|f\.Rule = [A-Za-z]+, "([a-z-]+)"|add\([A-Za-z(), ]+"([a-z-]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range emitted.FindAllStringSubmatch(string(b), -1) {
			id := m[1] + m[2] + m[3]
			if _, ok := known[id]; !ok {
				t.Errorf("%s reports rule %q, which the catalogue does not list", f, id)
			}
		}
	}
}

var update = flag.Bool("update", false, "rewrite docs/inspect.md's catalogue from the code")

const (
	catalogueStart = "<!-- catalogue: generated from internal/inspect; go test ./internal/inspect -run TestDocCatalogue -update -->"
	catalogueEnd   = "<!-- end of catalogue -->"
)

// TestDocCatalogue: docs/inspect.md's catalogue is the code's, rule for
// rule, by trigger, with its sources (-update rewrites it).
func TestDocCatalogue(t *testing.T) {
	const file = "../../docs/inspect.md"
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start, end := strings.Index(doc, catalogueStart), strings.Index(doc, catalogueEnd)
	if start < 0 || end < start {
		t.Fatalf("%s has no catalogue markers", file)
	}
	want := catalogueStart + "\n" + renderCatalogue()
	if got := doc[start:end]; got != want {
		if *update {
			if err := os.WriteFile(file, []byte(doc[:start]+want+doc[end:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("%s's catalogue differs from the code; run go test ./internal/inspect -run TestDocCatalogue -update", file)
	}
}

// TestEveryRuleHasASource: a rule without the tool's own documentation
// behind it is a guess. Sources are web pages, or (for git-airlock's own
// settings) this project's documentation.
func TestEveryRuleHasASource(t *testing.T) {
	for _, r := range Catalogue() {
		if len(r.Sources) == 0 || r.Trigger == 0 {
			t.Errorf("rule %q has no source or no trigger", r.ID)
		}
		for _, src := range r.Sources {
			if !strings.HasPrefix(src, "https://") && !strings.HasPrefix(src, "docs/") {
				t.Errorf("rule %q: source %q is neither a web page nor our docs", r.ID, src)
			}
		}
	}
}

func renderCatalogue() string {
	var b strings.Builder
	for _, tr := range Triggers {
		fmt.Fprintf(&b, "\n### %s — %s\n\n| rule | severity | what | paths | sources |\n|---|---|---|---|---|\n", tr, tr.Title())
		for _, r := range Catalogue() {
			if r.Trigger != tr {
				continue
			}
			var paths, srcs []string
			for _, p := range r.Patterns {
				paths = append(paths, "`"+p+"`")
			}
			for i, src := range r.Sources {
				srcs = append(srcs, fmt.Sprintf("[%d](%s)", i+1, src))
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.ID, r.Severity, strings.ReplaceAll(r.Why, "|", "\\|"),
				strings.Join(paths, " "), strings.Join(srcs, " "))
		}
	}
	return b.String() + "\n"
}
