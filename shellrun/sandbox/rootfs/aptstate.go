package rootfs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dmake-dev/dmake/engine"
)

// aptStateHeader is the first line of the apt state BaseApt caches: a
// file without it (unfinished, or of another dmake's form) is no entry,
// and the state is read again from the image and the file remade.
const aptStateHeader = "# dmake apt state 1\n"

// BaseApt returns the apt state a dry run over image ref sees, from
// tarFile, ref's root filesystem as Export wrote it: ReadApt's, and, for
// a base with installed packages that keeps no package lists, the lists
// of UpdatedApt (Updated set). It is cached by image ID under Dir
// (IMAGE-ID.aptstate, written to a temporary file and renamed): a later
// dry run over the same image reads that small file, not the whole root
// filesystem and the lists. The ID is the engine's, inspected now, so an
// image changed under its name is read afresh; a state is cached only
// when tarFile is that ID's export.
func BaseApt(ctx context.Context, e *engine.Engine, ref, tarFile string) (*AptState, error) {
	img, found, err := e.InspectImage(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("apt state of %s: %w", ref, err)
	}
	if !found {
		return nil, fmt.Errorf("apt state of %s: no such image", ref)
	}
	dir, err := Dir()
	if err != nil {
		return nil, fmt.Errorf("apt state of %s: %w", ref, err)
	}
	return baseApt(dir, strings.TrimPrefix(img.ID, "sha256:"), tarFile, func() (*AptState, error) {
		return UpdatedApt(ctx, e, ref)
	})
}

// baseApt is BaseApt for the image with ID id, its cache in dir and its
// lists, when it keeps none, from updated.
func baseApt(dir, id, tarFile string, updated func() (*AptState, error)) (*AptState, error) {
	file := filepath.Join(dir, id+".aptstate")
	if st, err := readAptState(file); err == nil {
		return st, nil
	}
	st, err := ReadApt(tarFile)
	if err != nil {
		return nil, err
	}
	if len(st.Installed) > 0 && !st.Lists {
		up, err := updated()
		if err != nil {
			return nil, err
		}
		st.Available, st.Updated = up.Available, true
	}
	if tarFile == filepath.Join(dir, id+".tar") {
		writeAptState(file, st) // a cache: the state is had without it
	}
	return st, nil
}

// writeAptState writes st to file in the form readAptState reads: the
// header, the flags, then the installed and the available names, each
// section its count and one sorted name a line. The file appears whole
// or not at all (a temporary file renamed).
func writeAptState(file string, st *AptState) error {
	var b bytes.Buffer
	b.WriteString(aptStateHeader)
	fmt.Fprintf(&b, "lists %t\nupdated %t\n", st.Lists, st.Updated)
	for _, sec := range []struct {
		name string
		set  map[string]bool
	}{{"installed", st.Installed}, {"available", st.Available}} {
		var names []string
		for n, ok := range sec.set {
			if ok {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		fmt.Fprintf(&b, "%s %d\n", sec.name, len(names))
		for _, n := range names {
			b.WriteString(n)
			b.WriteByte('\n')
		}
	}
	b.WriteString("end\n")
	tmp, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".*.part")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(b.Bytes())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// readAptState reads the state writeAptState wrote to file; an error
// says where the file is not of that form.
func readAptState(file string) (*AptState, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	text, ok := strings.CutPrefix(string(data), aptStateHeader)
	if !ok {
		return nil, fmt.Errorf("%s:1: not an apt state of this dmake (no %q line)", file, strings.TrimSpace(aptStateHeader))
	}
	line := 1
	next := func() (string, bool) {
		l, rest, ok := strings.Cut(text, "\n")
		text = rest
		line++
		return l, ok
	}
	field := func(name string) (string, error) {
		l, ok := next()
		v, found := strings.CutPrefix(l, name+" ")
		if !ok || !found {
			return "", fmt.Errorf("%s:%d: want %q, have %q", file, line, name, l)
		}
		return v, nil
	}
	st := &AptState{}
	for _, f := range []struct {
		name string
		v    *bool
	}{{"lists", &st.Lists}, {"updated", &st.Updated}} {
		v, err := field(f.name)
		if err != nil {
			return nil, err
		}
		if *f.v, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %w", file, line, f.name, err)
		}
	}
	for _, sec := range []struct {
		name string
		set  *map[string]bool
	}{{"installed", &st.Installed}, {"available", &st.Available}} {
		v, err := field(sec.name)
		if err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s:%d: %s: bad count %q", file, line, sec.name, v)
		}
		set := make(map[string]bool, n)
		for range n {
			name, ok := next()
			if !ok || name == "" {
				return nil, fmt.Errorf("%s:%d: %s: %d names announced, fewer there", file, line, sec.name, n)
			}
			set[name] = true
		}
		*sec.set = set
	}
	if l, ok := next(); !ok || l != "end" || text != "" {
		return nil, fmt.Errorf("%s:%d: want the end line, have %q", file, line, l)
	}
	return st, nil
}
