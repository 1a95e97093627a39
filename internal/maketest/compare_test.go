package maketest

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestCompare checks the one comparison: GNU make against itself (under
// dmake's name) agrees; a runner that prints otherwise differs.
func TestCompare(t *testing.T) {
	c, err := ParseCase("x", []byte("args: -s\n-- Makefile --\nall: ; @echo hi\n"))
	if err != nil {
		t.Fatal(err)
	}
	asDmake := func(ctx context.Context, dir string, args, env []string, stdout, stderr io.Writer) int {
		var out, errb strings.Builder
		st := GNUMake(ctx, dir, args, env, &out, &errb)
		io.WriteString(stdout, strings.ReplaceAll(out.String(), "make", "dmake"))
		io.WriteString(stderr, strings.ReplaceAll(errb.String(), "make", "dmake"))
		return st
	}
	if d, err := c.Compare(context.Background(), t.TempDir(), asDmake); err != nil || d != "" {
		t.Errorf("make against itself: %q, %v", d, err)
	}
	other := func(ctx context.Context, dir string, args, env []string, stdout, stderr io.Writer) int {
		io.WriteString(stdout, "ho\n")
		return 0
	}
	if d, err := c.Compare(context.Background(), t.TempDir(), other); err != nil || !strings.Contains(d, "stdout:") {
		t.Errorf("a runner printing otherwise: %q, %v", d, err)
	}
}
