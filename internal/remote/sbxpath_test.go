package remote

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSbxProgramLooksWhereInstallersPutIt(t *testing.T) {
	home := t.TempDir()
	t.Setenv("PATH", t.TempDir())
	if got := sbxProgram(home); got != "" {
		t.Fatalf("no sbx anywhere: got %q", got)
	}
	bin := filepath.Join(home, ".local", "bin", "sbx")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := sbxProgram(home); got != bin && got != "/opt/homebrew/bin/sbx" && got != "/usr/local/bin/sbx" {
		t.Fatalf("sbxProgram = %q, want %q", got, bin)
	}
}
