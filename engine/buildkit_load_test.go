package engine

import (
	"archive/tar"
	"bytes"
	"io"
	"strings"
	"testing"
)

// skipKnownLayers leaves out of the archive the files of the layers the
// engine has (by digest, 1 MiB or more) and copies everything else, bytes
// and all.
func TestSkipKnownLayers(t *testing.T) {
	big, small := strings.Repeat("x", minSkippedLayer), "tiny layer"
	files := []struct{ name, body string }{
		{"blobs/sha256/aaaa", big},   // the FROM image's: left out
		{"blobs/sha256/bbbb", big},   // a new layer: sent
		{"blobs/sha256/cccc", small}, // the FROM image's, but tiny: sent
		{"blobs/sha256/dddd", "{}"},  // a config
		{"manifest.json", `[{"Layers":["blobs/sha256/aaaa"]}]`},
		{"other/aaaa", big}, // not a blob
	}
	var in bytes.Buffer
	tw := tar.NewWriter(&in)
	for _, f := range files {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(f.body))
	}
	tw.Close()
	have := map[string]bool{"sha256:aaaa": true, "sha256:cccc": true}
	var out bytes.Buffer
	skipped, err := skipKnownLayers(&out, &in, have)
	if err != nil || skipped != int64(len(big)) {
		t.Fatalf("%d bytes skipped, %v; want %d (one big layer)", skipped, err, len(big))
	}
	tr := tar.NewReader(&out)
	got := map[string]string{}
	var names []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		got[hdr.Name] = string(b)
		names = append(names, hdr.Name)
	}
	if want := "blobs/sha256/bbbb blobs/sha256/cccc blobs/sha256/dddd manifest.json other/aaaa"; strings.Join(names, " ") != want {
		t.Errorf("archive sent: %v, want %s", names, want)
	}
	for _, f := range files[1:] {
		if got[f.name] != f.body {
			t.Errorf("%s: %d bytes sent, want %d as they came", f.name, len(got[f.name]), len(f.body))
		}
	}
	// A stream that is no archive is an error, not an empty load.
	if _, err := skipKnownLayers(io.Discard, strings.NewReader(strings.Repeat("not a tar ", 100)), have); err == nil {
		t.Error("a stream that is no tar archive: no error")
	}
}
