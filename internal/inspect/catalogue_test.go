package inspect

import (
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

// TestReadmeTableMatchesTheCatalogue: the README's rule table names every
// rule of the catalogue at its severity, and nothing else.
func TestReadmeTableMatchesTheCatalogue(t *testing.T) {
	b, err := os.ReadFile("../../docs/review.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "| family | rules")
	end := strings.Index(readme[start:], "\n\n")
	table := readme[start : start+end]
	known := map[string]Severity{}
	for _, r := range Catalogue() {
		known[r.ID] = max(known[r.ID], r.Severity)
		if !strings.Contains(table, "`"+r.ID+"`") {
			t.Errorf("the README's table does not list rule %q", r.ID)
		}
	}
	for _, m := range regexp.MustCompile("`([a-z-]+)` \\((high|medium|low)").FindAllStringSubmatch(table, -1) {
		sev, ok := known[m[1]]
		if !ok {
			t.Errorf("the README lists %q, which is not a rule", m[1])
		} else if sev.String() != m[2] {
			t.Errorf("the README gives %q as %s, the catalogue as %s", m[1], m[2], sev)
		}
	}
}
