package gitx

import (
	"fmt"
	"io"
	"sync"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Blob reads are bounded: a sandbox can hand over a blob of gigabytes that
// compresses to kilobytes. Sizes come from the object header; a blob over
// streamThreshold is streamed from the pack in process and never inflated
// past what is asked, so memory stays flat whatever the size.
//
// Cost follows the change: the first inProcessAfter reads of a Repo go
// through git's cat-file (catfile.go), which reads the pack index in
// place; a Repo that reads more (a change of thousands of files) loads the
// index once into the in-process store, where a read is a lookup rather
// than a round trip to another process. The store keeps its pack files
// open across reads.

const streamThreshold = 1 << 20

// inProcessAfter is where a pipe round trip per object (about 0.1 ms)
// starts to cost more than loading the pack index once (about 0.1 s for
// 200,000 objects).
const inProcessAfter = 256

var blobStores sync.Map // *Repo → *filesystem.Storage

func (r *Repo) blobStore() *filesystem.Storage {
	if s, ok := blobStores.Load(r); ok {
		return s.(*filesystem.Storage)
	}
	s := filesystem.NewStorageWithOptions(osfs.New(r.CommonDir), cache.NewObjectLRU(8*cache.MiByte),
		filesystem.Options{LargeObjectThreshold: streamThreshold, KeepDescriptors: true, AlternatesFS: alternatesFS})
	actual, _ := blobStores.LoadOrStore(r, s)
	return actual.(*filesystem.Storage)
}

// inProcess counts a blob read and says whether it is read in process.
func (r *Repo) inProcess() bool { return r.cat.reads.Add(1) > inProcessAfter }

// BlobSize returns a blob's size from its header.
func (r *Repo) BlobSize(hash string) (int64, error) {
	if r.inProcess() {
		// Packs first (go-git's EncodedObjectSize looks for a loose
		// object, one lstat per call, before them); a small object read
		// here stays in the store's cache for the BlobHead that follows.
		o, err := r.blobStore().EncodedObject(plumbing.AnyObject, plumbing.NewHash(hash))
		if err != nil {
			return 0, fmt.Errorf("read blob %s: %w", hash, err)
		}
		return o.Size(), nil
	}
	o, err := r.objectInfo(hash)
	if err != nil {
		return 0, fmt.Errorf("read blob %s: %w", hash, err)
	}
	return o.size, nil
}

// BlobHead returns up to max bytes of a blob, reading no more of it than
// that when it is large.
func (r *Repo) BlobHead(hash string, max int64) ([]byte, error) {
	if !r.inProcess() {
		o, err := r.objectInfo(hash)
		if err != nil {
			return nil, fmt.Errorf("read blob %s: %w", hash, err)
		}
		if o.size <= streamThreshold {
			b, err := r.blobContents(hash, max)
			if err != nil {
				return nil, fmt.Errorf("read blob %s: %w", hash, err)
			}
			return b, nil
		}
	}
	o, err := r.blobStore().EncodedObject(plumbing.BlobObject, plumbing.NewHash(hash))
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", hash, err)
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", hash, err)
	}
	defer rd.Close()
	return io.ReadAll(io.LimitReader(rd, max))
}
