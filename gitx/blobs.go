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
// compresses to kilobytes. Sizes come from the object header, and objects
// above streamThreshold are streamed from the pack, never inflated whole,
// so memory stays flat whatever the size. The store is opened once per
// Repo and keeps its pack files open across reads (inspect reads
// thousands of blobs); they close when the process ends.

const streamThreshold = 1 << 20

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

// BlobSize returns a blob's size from its header, in process. It asks
// the packs first (go-git's EncodedObjectSize looks for a loose object,
// one lstat per call, before them); a small object read here stays in
// the store's cache for the BlobHead that usually follows.
func (r *Repo) BlobSize(hash string) (int64, error) {
	o, err := r.blobStore().EncodedObject(plumbing.AnyObject, plumbing.NewHash(hash))
	if err != nil {
		return 0, fmt.Errorf("read blob %s: %w", hash, err)
	}
	return o.Size(), nil
}

// BlobHead returns up to max bytes of a blob, in process, reading no more
// of it than that.
func (r *Repo) BlobHead(hash string, max int64) ([]byte, error) {
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
