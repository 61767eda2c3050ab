// Command benchgen writes `git fast-import` streams for the benchmarks in
// docs/BENCHMARKS.md: a long history of incompressible blobs (fetch), or
// one commit of many files followed by a commit touching them all
// (inspect); with -zeroblob it writes one all-zero loose object and
// prints its id (inspect's memory bound).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
)

func main() {
	commits := flag.Int("commits", 20000, "history: number of commits")
	blob := flag.Int("blob", 5200, "history: bytes of random data per commit")
	files := flag.Int("files", 0, "wide mode: number of files (base commit, then a commit touching all)")
	zero := flag.Int64("zeroblob", 0, "write an all-zero blob of this many bytes into -objects and print its id")
	objects := flag.String("objects", ".git/objects", "zeroblob: the object directory")
	flag.Parse()
	if *zero > 0 {
		id, err := zeroBlob(*objects, *zero)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchgen:", err)
			os.Exit(1)
		}
		fmt.Println(id)
		return
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	rng := rand.New(rand.NewPCG(1, 2))
	when := int64(1700000000)
	commit := func(n int, msg string, body func()) {
		when++
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\ndata %d\n%s\n", n, when, len(msg), msg)
		if n > 1 {
			fmt.Fprintf(w, "from :%d\n", n-1)
		}
		body()
	}
	data := func(path string, b []byte) {
		fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n", path, len(b))
		w.Write(b)
		w.WriteByte('\n')
	}
	if *files > 0 {
		for round := 1; round <= 2; round++ {
			commit(round, fmt.Sprintf("round %d", round), func() {
				for i := 0; i < *files; i++ {
					data(fmt.Sprintf("src/pkg%03d/file%05d.go", i%500, i), []byte(fmt.Sprintf("package p\n\n// round %d file %d\nvar X = %d\n", round, i, rng.Int())))
				}
			})
		}
		return
	}
	buf := make([]byte, *blob)
	for i := 1; i <= *commits; i++ {
		for j := range buf {
			buf[j] = byte(rng.Uint32())
		}
		commit(i, fmt.Sprintf("commit %d", i), func() { data(fmt.Sprintf("data/%03d/blob%05d.bin", i%1000, i), buf) })
	}
}
