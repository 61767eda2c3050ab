// Package corpus holds inspect's benign corpus (issue 21): real projects'
// own changes between two released versions, fetched from the Go module
// proxy and the npm registry with the go and npm clients, committed as a
// branch of a throwaway repository and inspected as the gate inspects an
// agent's branch. Every high finding must name a real trigger; the
// expectations are in corpus_test.go, the findings per change in
// docs/BENCHMARKS.md. The package has no code outside its tests.
package corpus
