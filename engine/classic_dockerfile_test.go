package engine

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"testing"
)

// withDockerfile adds the Dockerfile under DockerfileName and lists it in
// the .dockerignore (the context's, or a new one that lists itself too),
// keeping every other entry as it was, from a plain or a gzip tar.
func TestWithDockerfile(t *testing.T) {
	mk := func(files map[string]string, gz bool) []byte {
		var b bytes.Buffer
		var w io.Writer = &b
		var zw *gzip.Writer
		if gz {
			zw = gzip.NewWriter(&b)
			w = zw
		}
		tw := tar.NewWriter(w)
		for _, n := range []string{"Dockerfile", ".dockerignore", "src/a", DockerfileName} {
			if c, ok := files[n]; ok {
				tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(c))})
				tw.Write([]byte(c))
			}
		}
		tw.Close()
		if zw != nil {
			zw.Close()
		}
		return b.Bytes()
	}
	read := func(r io.Reader) map[string]string {
		out := map[string]string{}
		tr := tar.NewReader(r)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(tr)
			out[h.Name] = string(b)
		}
	}
	for _, tt := range []struct {
		name string
		in   map[string]string
		gz   bool
		want map[string]string
	}{
		{"no .dockerignore", map[string]string{"Dockerfile": "FROM theirs\n", "src/a": "a"}, false,
			map[string]string{"Dockerfile": "FROM theirs\n", "src/a": "a", ".dockerignore": DockerfileName + "\n.dockerignore\n", DockerfileName: "FROM ours\n"}},
		{".dockerignore", map[string]string{".dockerignore": "*.log", "src/a": "a"}, true,
			map[string]string{".dockerignore": "*.log\n" + DockerfileName + "\n", "src/a": "a", DockerfileName: "FROM ours\n"}},
		{"a file of that name", map[string]string{DockerfileName: "old", "src/a": "a"}, false,
			map[string]string{"src/a": "a", ".dockerignore": DockerfileName + "\n.dockerignore\n", DockerfileName: "FROM ours\n"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := read(withDockerfile(bytes.NewReader(mk(tt.in, tt.gz)), []byte("FROM ours\n")))
			if len(got) != len(tt.want) {
				t.Errorf("entries %q, want %q", got, tt.want)
			}
			for n, c := range tt.want {
				if got[n] != c {
					t.Errorf("%s = %q, want %q", n, got[n], c)
				}
			}
		})
	}
}
