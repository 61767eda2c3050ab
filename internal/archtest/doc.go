// Package archtest holds no code, only a test: the import rules of
// DESIGN.md section 2 (one exec choke point, layers that run one way),
// checked on every .go file of the module by parsing its imports, so that a
// rule that lives in prose cannot leak; and what the two binaries may not
// link at all, through any dependency (no network stack: `go list -deps`);
// and how wide the use cases' interfaces and types may grow (sizes_test.go).
// `make lint` runs it.
package archtest
