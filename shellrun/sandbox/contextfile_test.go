package sandbox

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestContextFileAt checks how a host file becomes a context file: a small
// one with its contents, a large one by its path and size only; a link out
// of the repository and a FIFO are refused (the FIFO without waiting on it).
func TestContextFileAt(t *testing.T) {
	root := t.TempDir()
	small := filepath.Join(root, "small.txt")
	big := filepath.Join(root, "big.bin")
	must(t, os.WriteFile(small, []byte("hi\n"), 0o640))
	must(t, os.WriteFile(big, bytes.Repeat([]byte("x"), lazyContextMin+1), 0o755))
	must(t, os.Symlink("/etc/passwd", filepath.Join(root, "out")))
	must(t, syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644))

	cf, err := ContextFileAt(root, small, "/app/small.txt", "small.txt")
	if err != nil || string(cf.Data) != "hi\n" || cf.Src != "" || cf.Mode != 0o640 {
		t.Errorf("small file: %+v, %v; want its contents, mode 0640", cf, err)
	}
	cf, err = ContextFileAt(root, big, "/app/big.bin", "big.bin")
	if err != nil || cf.Data != nil || cf.Src != big || cf.Size != lazyContextMin+1 || cf.Mode != 0o755 {
		t.Errorf("large file: Data %d bytes, Src %q, Size %d, Mode %v, %v; want no data, Src %s, Size %d, mode 0755", len(cf.Data), cf.Src, cf.Size, cf.Mode, err, big, lazyContextMin+1)
	}
	for _, name := range []string{"out", "fifo"} {
		done := make(chan error, 1)
		go func() { _, err := ContextFileAt(root, filepath.Join(root, name), "/app/"+name, name); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s: error %v, want one naming it", name, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: ContextFileAt still blocked after 20 s", name)
		}
	}
}

// TestLazyContextFile dry-runs, in the sandbox's child process, a script
// that reads a large context file placed by path: its size is known
// without reading it, its contents are the host file's when read, and a
// write replaces them.
func TestLazyContextFile(t *testing.T) {
	root := t.TempDir()
	big := filepath.Join(root, "big.bin")
	data := append([]byte("hello\n"), bytes.Repeat([]byte("y"), 2*lazyContextMin)...)
	must(t, os.WriteFile(big, data, 0o644))
	cf, err := ContextFileAt(root, big, "/app/big.bin", "big.bin")
	if err != nil || cf.Src == "" {
		t.Fatalf("ContextFileAt: %+v, %v; want a file by path", cf, err)
	}
	src := `set -e
[ -s /app/big.bin ]
[ "$(stat -c %s /app/big.bin)" = ` + strconv.Itoa(len(data)) + ` ]
[ "$(head -n 1 /app/big.bin)" = hello ]
[ "$(wc -c < /app/big.bin)" = ` + strconv.Itoa(len(data)) + ` ]
echo short > /app/big.bin
[ "$(cat /app/big.bin)" = short ]
`
	reps, err := Check(context.Background(), []Image{{Name: "lazy", Root: root, Files: []ContextFile{cf},
		Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}}, Options{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r := reps[0]; r.Verdict != VerdictOK {
		t.Errorf("verdict %s, want %s\n%s", r.Verdict, VerdictOK, render(r))
	}
	if b, _ := os.ReadFile(big); !bytes.Equal(b, data) {
		t.Error("the dry run changed the host file")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkLargeContext dry-runs a script over a context of 32 files of
// 1 MiB, one of which it reads, placed as ContextFileAt places them: the
// bytes allocated per run follow what is read, not the context's size
// (before the files went by path, every byte was read and sent whole).
func BenchmarkLargeContext(b *testing.B) {
	root := b.TempDir()
	var files []ContextFile
	blob := bytes.Repeat([]byte("z"), 1<<20)
	for i := range 32 {
		p := filepath.Join(root, "blob"+strconv.Itoa(i))
		if err := os.WriteFile(p, blob, 0o644); err != nil {
			b.Fatal(err)
		}
		cf, err := ContextFileAt(root, p, "/app/"+filepath.Base(p), filepath.Base(p))
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, cf)
	}
	img := Image{Name: "ctx", Root: root, Files: files,
		Scripts: []Script{{Path: "t.sh", Source: []byte("set -e\nls -l /app\nwc -c < /app/blob3\n"), Role: RoleInstall, Shell: "bash"}}}
	b.ReportAllocs()
	for b.Loop() {
		reps, err := Check(context.Background(), []Image{img}, Options{Timeout: 20 * time.Second})
		if err != nil || reps[0].Verdict != VerdictOK {
			b.Fatalf("%v\n%s", err, render(reps[0]))
		}
	}
}
