package sbx

import (
	"os"
	"testing"
)

// BenchmarkParseList decodes `sbx ls --json` of 50 sandboxes (the
// simulator's answer), as ls and status do on every run.
func BenchmarkParseList(b *testing.B) {
	out, err := os.ReadFile("testdata/ls-50.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		list, err := ParseList(out)
		if err != nil || len(list) != 50 {
			b.Fatalf("%d rows, %v", len(list), err)
		}
	}
}
