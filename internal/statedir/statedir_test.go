package statedir

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Make creates .dmake with a .gitignore that keeps all of it, itself
// included, out of git status; it leaves an existing .gitignore alone.
func TestMakeIgnoresItself(t *testing.T) {
	root := t.TempDir()
	dir, err := Make(root)
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(root, ".dmake") || dir != Path(root) {
		t.Fatalf("Make = %q, Path = %q", dir, Path(root))
	}
	if err := os.WriteFile(filepath.Join(dir, "lock"), nil, 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("git"); err == nil {
		if out, err := exec.Command("git", "-C", root, "init", "-q").CombinedOutput(); err != nil {
			t.Fatalf("git init: %v\n%s", err, out)
		}
		out, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=all").CombinedOutput()
		if err != nil {
			t.Fatalf("git status: %v\n%s", err, out)
		}
		if len(out) != 0 {
			t.Errorf("git status shows dmake's state:\n%s", out)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if err != nil || !strings.Contains(string(data), "\n*\n") {
		t.Fatalf(".gitignore: %q, %v", data, err)
	}

	mine := "lock\n"
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(mine), 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := Make(root); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, ".gitignore")); string(data) != mine {
		t.Errorf("Make rewrote an existing .gitignore: %q", data)
	}
}
