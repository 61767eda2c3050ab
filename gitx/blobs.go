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
// compresses to kilobytes. Sizes come from the object header (git's
// cat-file, see catfile.go); a blob up to streamThreshold is read whole
// through cat-file, a larger one is streamed from the pack in process and
// never inflated past what is asked, so memory stays flat whatever the
// size. The in-process store is opened only for such blobs (it loads the
// pack index whole) and keeps its pack files open across reads.

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

// BlobSize returns a blob's size from its header.
func (r *Repo) BlobSize(hash string) (int64, error) {
	o, err := r.objectInfo(hash)
	if err != nil {
		return 0, fmt.Errorf("read blob %s: %w", hash, err)
	}
	return o.size, nil
}

// BlobHead returns up to max bytes of a blob, reading no more of it than
// that when it is large.
func (r *Repo) BlobHead(hash string, max int64) ([]byte, error) {
	size, err := r.BlobSize(hash)
	if err != nil {
		return nil, err
	}
	if size <= streamThreshold {
		b, err := r.blobContents(hash, max)
		if err != nil {
			return nil, fmt.Errorf("read blob %s: %w", hash, err)
		}
		return b, nil
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
