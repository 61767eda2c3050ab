package remote

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSbxProgramLooksWhereInstallersPutIt(t *testing.T) {
	home := t.TempDir()
	t.Setenv("PATH", t.TempDir())
	if got := sbxProgram(home, func() string { return "" }); got != "" {
		t.Fatalf("no sbx anywhere: got %q", got)
	}
	bin := filepath.Join(home, ".local", "bin", "sbx")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := sbxProgram(home, func() string { return "" }); got != bin && got != "/opt/homebrew/bin/sbx" && got != "/usr/local/bin/sbx" {
		t.Fatalf("sbxProgram = %q, want %q", got, bin)
	}
}

// The path recorded at registration is used when PATH lacks sbx, but only
// while it is still an executable file.
func TestSbxProgramPrefersTheRecordedPath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("PATH", t.TempDir())
	rec := filepath.Join(t.TempDir(), "sbx")
	if got := sbxProgram(home, func() string { return rec }); got == rec {
		t.Fatalf("a recorded path that does not exist was used")
	}
	if err := os.WriteFile(rec, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := sbxProgram(home, func() string { return rec }); got != rec {
		t.Fatalf("sbxProgram = %q, want the recorded %q", got, rec)
	}
	if got := sbxProgram(home, func() string { return "sbx" }); got == "sbx" {
		t.Fatalf("a relative recorded path was used")
	}
}
