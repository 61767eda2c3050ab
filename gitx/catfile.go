package gitx

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// Object reads go through git's own `cat-file --batch-check` and
// `--batch`, one long-lived process each per Repo, started on first use:
// git reads the packs through their index in place, where an in-process
// reader would load the whole index (every object id in the repository)
// before the first read, so that one object of a 100,000-file repository
// cost what the repository costs. The answers are git's own, quarantined
// objects (GIT_OBJECT_DIRECTORY in a hook) and alternates included.
//
// Every write through the Repo ends both processes (see wrote), so that
// what they answer is never older than the last write.

// objectInfo is cat-file's header for one object.
type objectInfo struct {
	hash, kind string
	size       int64
}

// batch is one `git cat-file --batch-check` or `--batch` process.
type batch struct {
	mu      sync.Mutex
	in      *os.File
	outFile *os.File
	out     *bufio.Reader
	done    chan struct{}
	err     error // why the process ended, once done is closed
}

// batches holds a Repo's two cat-file processes.
type batches struct {
	mu            sync.Mutex
	check, values *batch
	reads         atomic.Int64 // blob reads so far (see inProcessAfter)
}

// batchFormat is every header's shape: cat-file prints "<input> missing"
// (or "ambiguous") instead for what it does not find.
const batchFormat = "%(objectname) %(objecttype) %(objectsize)"

// batch returns the Repo's --batch-check (contents false) or --batch
// process, starting it if need be.
func (r *Repo) batch(contents bool) *batch {
	r.cat.mu.Lock()
	defer r.cat.mu.Unlock()
	slot, mode := &r.cat.check, "--batch-check="
	if contents {
		slot, mode = &r.cat.values, "--batch="
	}
	if *slot != nil && !(*slot).ended() {
		return *slot
	}
	b := &batch{done: make(chan struct{})}
	// Operating-system pipes, handed to cat-file as they are (no copying
	// goroutine between, unless the Runner records output).
	inR, inW, err := os.Pipe()
	if err != nil {
		b.err = err
		close(b.done)
		return b
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		b.err = err
		close(b.done)
		return b
	}
	b.in, b.outFile, b.out = inW, outR, bufio.NewReaderSize(outR, 64<<10)
	go func() {
		// Not the caller's context: the process outlives the call that
		// started it and ends when its input closes (or this process
		// does). Its ends of the pipes are closed here once it has ended
		// (and, under a Runner that records output, once its output was
		// copied), so that a read then ends.
		err := r.run.Run(context.Background(), parsed(xec.Cmd{Argv: r.git("cat-file", mode+batchFormat),
			Stdin: inR, Stdout: outW}))
		inR.Close()
		outW.Close()
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		b.err = err
		close(b.done)
	}()
	*slot = b
	return b
}

func (b *batch) ended() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

// endBatches closes both processes' pipes once no read is under way;
// they end on their own.
func (r *Repo) endBatches() {
	r.cat.mu.Lock()
	defer r.cat.mu.Unlock()
	for _, b := range []*batch{r.cat.check, r.cat.values} {
		if b != nil && b.in != nil {
			b.mu.Lock()
			_ = b.in.Close()
			_ = b.outFile.Close()
			b.mu.Unlock()
		}
	}
	r.cat.check, r.cat.values = nil, nil
}

// errMissing is cat-file's answer for a name it does not find.
var errMissing = errors.New("missing")

// info asks for one object by name (anything `git help revisions`
// names: cat-file takes the whole line as the name).
func (b *batch) info(name string) (objectInfo, error) {
	if strings.ContainsAny(name, "\x00\n") || name == "" {
		return objectInfo{}, errMissing
	}
	if _, err := io.WriteString(b.in, name+"\n"); err != nil {
		return objectInfo{}, b.failed(err)
	}
	line, err := b.out.ReadString('\n')
	if err != nil {
		return objectInfo{}, b.failed(err)
	}
	line = strings.TrimSuffix(line, "\n")
	if rest, ok := strings.CutPrefix(line, name+" "); ok && (rest == "missing" || rest == "ambiguous") {
		return objectInfo{}, errMissing
	}
	f := strings.Fields(line)
	if len(f) != 3 || (len(f[0]) != 40 && len(f[0]) != 64) {
		return objectInfo{}, fmt.Errorf("git cat-file: unexpected answer %q", line)
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return objectInfo{}, fmt.Errorf("git cat-file: unexpected answer %q", line)
	}
	return objectInfo{hash: f[0], kind: f[1], size: size}, nil
}

// failed is the process's own end when it has one.
func (b *batch) failed(err error) error {
	<-b.done
	if b.err != nil {
		err = b.err
	}
	return fmt.Errorf("git cat-file: %w", err)
}

// objectInfo asks git for the object a name names.
func (r *Repo) objectInfo(name string) (objectInfo, error) {
	b := r.batch(false)
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.info(name)
}

// blobContents reads a blob of at most maxBlob bytes whole, through the
// --batch process: the first max bytes of it.
func (r *Repo) blobContents(hash string, max int64) ([]byte, error) {
	b := r.batch(true)
	b.mu.Lock()
	defer b.mu.Unlock()
	o, err := b.info(hash)
	if err != nil {
		return nil, err
	}
	body := make([]byte, o.size+1) // the contents and cat-file's newline
	if _, err := io.ReadFull(b.out, body); err != nil {
		return nil, b.failed(err)
	}
	if o.kind != "blob" {
		return nil, fmt.Errorf("object %s is a %s, not a blob", hash, o.kind)
	}
	return body[:min(o.size, max)], nil
}
