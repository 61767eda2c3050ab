package corpus

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-airlock/git-airlock/internal/xec"
)

// fetchTimeout bounds each client call: a cold cache downloads every
// release once (about 20 s for the npm tarballs here), a warm one answers
// from the Go module cache and npm's own cache.
const fetchTimeout = 5 * time.Minute

// fetchHint is what a failed download tells the reader: the corpus is real
// releases, so the test needs the registries (it is never skipped).
const fetchHint = "hint: the benign corpus downloads real releases through the go and npm clients (Debian: apt-get install nodejs npm); " +
	"check the network and the clients' registry settings (go env GOPROXY, npm config get registry), then rerun " +
	"go test ./internal/corpus"

// fetch downloads every release of the corpus, checks it against its
// pinned hash and returns the directory holding each one's files, by
// key(kind, name, version).
func fetch(t *testing.T, pairs []pair) map[string]string {
	t.Helper()
	var mods, pkgs []release
	for _, p := range pairs {
		for _, v := range []version{p.old, p.new} {
			r := release{name: p.name, version: v.v, sum: v.sum}
			if p.kind == goModule {
				mods = append(mods, r)
			} else {
				pkgs = append(pkgs, r)
			}
		}
	}
	dirs := fetchModules(t, mods)
	maps.Copy(dirs, fetchPackages(t, pkgs))
	return dirs
}

type release struct{ name, version, sum string }

func key(kind, name, version string) string { return kind + ":" + name + "@" + version }

// fetchModules runs one `go mod download -json` for every module: the
// go command verifies each zip against the checksum database, extracts it
// into the module cache (read-only, and kept there for the next run) and
// names the directory.
func fetchModules(t *testing.T, mods []release) map[string]string {
	t.Helper()
	args := []string{"go", "mod", "download", "-json"}
	for _, m := range mods {
		args = append(args, m.name+"@"+m.version)
	}
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	// Outside any module, so that nothing here touches this module's
	// go.mod or go.sum.
	out, runErr := (&xec.Runner{}).Output(ctx, xec.Cmd{Argv: args, Dir: t.TempDir(), Env: []string{"GOWORK=off"}})
	type info struct{ Path, Version, Error, Dir, Sum string }
	got := map[string]info{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var i info
		if err := dec.Decode(&i); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go mod download: %v (output unreadable: %v)\n%s", runErr, err, fetchHint)
		}
		got[i.Path+"@"+i.Version] = i
	}
	dirs := map[string]string{}
	for _, m := range mods {
		i, ok := got[m.name+"@"+m.version]
		switch {
		case !ok || i.Error != "":
			t.Fatalf("go mod download %s@%s failed: %s %v\n%s", m.name, m.version, i.Error, runErr, fetchHint)
		case i.Sum != m.sum:
			t.Fatalf("%s@%s has the hash %s; the corpus pins %s", m.name, m.version, i.Sum, m.sum)
		}
		dirs[key(goModule, m.name, m.version)] = i.Dir
	}
	if runErr != nil {
		t.Fatalf("go mod download: %v\n%s", runErr, fetchHint)
	}
	return dirs
}

// fetchPackages runs one `npm pack` for every package (npm keeps the
// tarballs in its own cache; --prefer-offline answers from it without
// asking the registry again), checks each tarball's integrity against the
// pinned one and unpacks it as npm would install it.
func fetchPackages(t *testing.T, pkgs []release) map[string]string {
	t.Helper()
	dest := t.TempDir()
	args := []string{"npm", "pack", "--json", "--ignore-scripts", "--prefer-offline", "--pack-destination", dest}
	for _, p := range pkgs {
		args = append(args, p.name+"@"+p.version)
	}
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	out, err := (&xec.Runner{}).Output(ctx, xec.Cmd{Argv: args, Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("npm pack: %v\n%s", err, fetchHint)
	}
	var packed []struct{ Name, Version, Filename, Integrity string }
	if err := json.Unmarshal(out, &packed); err != nil {
		t.Fatalf("npm pack --json printed what is not JSON: %v\n%s", err, out)
	}
	byKey := map[string]int{}
	for i, p := range packed {
		byKey[p.Name+"@"+p.Version] = i
	}
	dirs := map[string]string{}
	for _, p := range pkgs {
		i, ok := byKey[p.name+"@"+p.version]
		if !ok {
			t.Fatalf("npm pack did not report %s@%s\n%s", p.name, p.version, fetchHint)
		}
		if packed[i].Integrity != p.sum {
			t.Fatalf("%s@%s has the integrity %s; the corpus pins %s", p.name, p.version, packed[i].Integrity, p.sum)
		}
		dir := t.TempDir()
		if err := untar(filepath.Join(dest, packed[i].Filename), dir); err != nil {
			t.Fatalf("unpack %s@%s: %v", p.name, p.version, err)
		}
		dirs[key(npmPackage, p.name, p.version)] = dir
	}
	return dirs
}

// untar unpacks an npm tarball into dir without its first path component
// ("package/" by convention), as npm installs it: regular files keep
// their executable bit, directories are made as needed.
func untar(tarball, dir string) error {
	f, err := os.Open(tarball)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "/"))
		_, rest, ok := strings.Cut(name, "/")
		if !ok || rest == "" {
			continue
		}
		if !filepath.IsLocal(rest) {
			return fmt.Errorf("entry %q leaves the package", h.Name)
		}
		dst := filepath.Join(dir, filepath.FromSlash(rest))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(dst, 0o755)
		case tar.TypeReg:
			err = writeFile(dst, tr, 0o644|os.FileMode(h.Mode)&0o111)
		default:
			err = fmt.Errorf("entry %q of type %q: npm packs only files and directories", h.Name, h.Typeflag)
		}
		if err != nil {
			return err
		}
	}
}

func writeFile(dst string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
