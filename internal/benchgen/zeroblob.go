package main

import (
	"bytes"
	"compress/flate"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// zeroBlob writes a loose object of size zero bytes into objects (a
// repository's .git/objects) and returns its id: the blob a hostile agent
// sends as a few MB on the wire that inflates to gigabytes. Compressing
// gigabytes takes git a minute; here the deflate stream is built from one
// byte-aligned block that encodes a chunk of zeros after a window of
// zeros, repeated, so only the SHA-1 reads every byte.
func zeroBlob(objects string, size int64) (string, error) {
	const chunk = 1 << 20
	header := fmt.Sprintf("blob %d\x00", size)

	// Deflate: a first chunk (header and zeros, no history), then repeats
	// of the block for a chunk of zeros after zeros, each ended by a sync
	// flush so that blocks are byte-aligned and can be concatenated.
	var first, repeat, last bytes.Buffer
	w, _ := flate.NewWriter(&first, flate.BestCompression)
	zeros := make([]byte, chunk)
	n := min(size, chunk-int64(len(header)))
	w.Write([]byte(header))
	w.Write(zeros[:n])
	w.Flush()
	done := n
	// The encoding of a chunk of zeros depends only on the window, which
	// is all zeros from here on: capture it once.
	w.Reset(&repeat)
	w.Write(zeros) // primes the window (not used)
	w.Flush()
	repeat.Reset()
	w.Write(zeros)
	w.Flush()
	var tail int64
	chunks := (size - done) / chunk
	tail = (size - done) % chunk
	w2, _ := flate.NewWriter(&last, flate.BestCompression)
	w2.Write(zeros)
	w2.Flush()
	last.Reset()
	w2.Write(zeros[:tail])
	w2.Close()

	h := sha1.New()
	h.Write([]byte(header))
	for left := size; left > 0; left -= int64(min(left, chunk)) {
		h.Write(zeros[:min(left, chunk)])
	}
	id := hex.EncodeToString(h.Sum(nil))

	dir := filepath.Join(objects, id[:2])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	f, err := os.Create(filepath.Join(dir, id[2:]))
	if err != nil {
		return "", err
	}
	defer f.Close()
	f.Write([]byte{0x78, 0xda}) // zlib header, best compression
	f.Write(first.Bytes())
	for i := int64(0); i < chunks; i++ {
		f.Write(repeat.Bytes())
	}
	f.Write(last.Bytes())
	// Adler-32 of the header and the zeros: a = 1 + sum of bytes, b the
	// sum of a after each byte.
	var a, b uint32 = 1, 0
	for _, c := range []byte(header) {
		a = (a + uint32(c)) % 65521
		b = (b + a) % 65521
	}
	b = uint32((uint64(b) + uint64(a)*uint64(size%65521)) % 65521)
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], b<<16|a)
	if _, err := f.Write(sum[:]); err != nil {
		return "", err
	}
	return id, f.Close()
}
