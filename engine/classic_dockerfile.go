package engine

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"io"
	"time"
)

// DockerfileName is the name under which a BuildRequest's DockerfileText
// goes into the classic builder's context tar.
const DockerfileName = ".dmake.Dockerfile"

// withDockerfile returns the context tar ctxTar (uncompressed or gzip)
// with the Dockerfile df added as DockerfileName and that name added to
// the tar's .dockerignore (made, listing itself too, when there is none):
// the classic builder reads the Dockerfile, then takes what .dockerignore
// lists out of what COPY and ADD see, as it does for the Dockerfile the
// docker CLI adds when -f names one outside the context.
func withDockerfile(ctxTar io.Reader, df []byte) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(copyWithDockerfile(pw, ctxTar, df))
	}()
	return pr
}

func copyWithDockerfile(w io.Writer, ctxTar io.Reader, df []byte) error {
	br := bufio.NewReader(ctxTar)
	var r io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return err
		}
		defer gz.Close()
		r = gz
	}
	tr, tw := tar.NewReader(r), tar.NewWriter(w)
	ignore := false
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if hdr.Name == DockerfileName || hdr.Name == "./"+DockerfileName {
			continue // the context's own file of that name: ours wins
		}
		if hdr.Name == ".dockerignore" || hdr.Name == "./.dockerignore" {
			b, err := io.ReadAll(tr)
			if err != nil {
				return err
			}
			b = append(b, "\n"+DockerfileName+"\n"...)
			hdr.Size = int64(len(b))
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			if _, err := tw.Write(b); err != nil {
				return err
			}
			ignore = true
			continue
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return err
		}
	}
	add := func(name string, b []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b)), ModTime: time.Unix(0, 0), Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	if !ignore {
		if err := add(".dockerignore", []byte(DockerfileName+"\n.dockerignore\n")); err != nil {
			return err
		}
	}
	if err := add(DockerfileName, df); err != nil {
		return err
	}
	return tw.Close()
}
