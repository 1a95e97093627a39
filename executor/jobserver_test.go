package executor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dmake-dev/dmake/makefile"
)

// fakeJobserver is a jobserver of n tokens that counts what is taken and
// given back.
type fakeJobserver struct {
	tokens chan byte
	mu     sync.Mutex
	held   int
	taken  int
}

func newFakeJobserver(n int) *fakeJobserver {
	f := &fakeJobserver{tokens: make(chan byte, n)}
	for range n {
		f.tokens <- '+'
	}
	return f
}

func (f *fakeJobserver) Acquire(ctx context.Context) (byte, error) {
	select {
	case b := <-f.tokens:
		f.mu.Lock()
		f.held++
		f.taken++
		f.mu.Unlock()
		return b, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (f *fakeJobserver) Release(b byte) error {
	f.mu.Lock()
	f.held--
	f.mu.Unlock()
	f.tokens <- b
	return nil
}

// TestJobserverTokens runs independent targets with no limit of the
// executor's own under jobservers of 0 to 3 tokens: every target is made
// (with no token the first job's free slot runs them one by one, and no
// wait hangs), and every token taken is given back.
func TestJobserverTokens(t *testing.T) {
	for n := range 4 {
		dir := t.TempDir()
		mk := "all: a b c d e\n\t@echo done\na b c d e:\n\t@echo $@ > $@\n"
		if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mk), 0o644); err != nil {
			t.Fatal(err)
		}
		db, err := makefile.Load(context.Background(), makefile.Config{Dir: dir, Env: os.Environ()})
		if err != nil {
			t.Fatal(err)
		}
		js := newFakeJobserver(n)
		var out, errs strings.Builder
		st, err := Run(context.Background(), db, nil, Options{Dir: dir, Jobs: -1, Jobserver: js, Stdout: &out, Stderr: &errs})
		if st != 0 || err != nil {
			t.Fatalf("%d tokens: status %d, %v\n%s", n, st, err, errs.String())
		}
		for _, f := range []string{"a", "b", "c", "d", "e"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%d tokens: %s was not made", n, f)
			}
		}
		if !strings.HasSuffix(out.String(), "done\n") {
			t.Errorf("%d tokens: output %q does not end with the goal's recipe", n, out.String())
		}
		if js.held != 0 || len(js.tokens) != n {
			t.Errorf("%d tokens: %d still held, %d in the pipe at the end", n, js.held, len(js.tokens))
		}
		t.Logf("%d tokens: %d taken", n, js.taken)
	}
}
