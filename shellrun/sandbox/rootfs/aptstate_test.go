package rootfs

import (
	"archive/tar"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeRootfs writes a root filesystem tar to file holding the given
// files (name → content).
func writeRootfs(t *testing.T, file string, files map[string]string) {
	t.Helper()
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	for _, name := range []string{"bin/sh", "var/lib/apt/lists/x_main_binary-amd64_Packages", "var/lib/dpkg/status"} {
		body, ok := files[name]
		if !ok {
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// BaseApt's cache gives what reading the image gives (ReadApt, and the
// updated lists of a base that keeps none), keyed by image ID: another ID
// is never served the entry of the first, an entry of another form or
// cut short is remade, and a tar that is not the ID's export is read but
// not cached.
func TestBaseAptCache(t *testing.T) {
	dir := t.TempDir()
	idA, idB := strings.Repeat("a", 64), strings.Repeat("b", 64)
	tarA, tarB := filepath.Join(dir, idA+".tar"), filepath.Join(dir, idB+".tar")
	writeRootfs(t, tarA, map[string]string{
		"bin/sh": strings.Repeat("x", 5000),
		"var/lib/apt/lists/x_main_binary-amd64_Packages": "Package: openssh-server\nProvides: ssh-server\n\nPackage: bash\n\n",
		"var/lib/dpkg/status":                            "Package: bash\nStatus: install ok installed\n\nPackage: gone\nStatus: deinstall ok config-files\n\n",
	})
	// B keeps no lists: its available packages are those of updated.
	writeRootfs(t, tarB, map[string]string{
		"var/lib/dpkg/status": "Package: dash\nStatus: install ok installed\n\n",
	})
	updates := 0
	updated := func() (*AptState, error) {
		updates++
		return &AptState{Available: map[string]bool{"curl": true, "dash": true}, Installed: map[string]bool{}, Lists: true}, nil
	}
	noUpdate := func() (*AptState, error) { return nil, errors.New("updated called for a base with lists") }

	wantA, err := ReadApt(tarA)
	if err != nil {
		t.Fatal(err)
	}
	if !wantA.Lists || !wantA.Installed["bash"] || wantA.Installed["gone"] || !wantA.Available["ssh-server"] {
		t.Fatalf("ReadApt(A) = %+v", wantA)
	}
	for i := range 2 { // read, then cached
		got, err := baseApt(dir, idA, tarA, noUpdate)
		if err != nil || !reflect.DeepEqual(got, wantA) {
			t.Errorf("run %d: baseApt(A) = %+v, %v; want %+v", i, got, err, wantA)
		}
	}
	// Served from the cache: the tar is not read again.
	os.Rename(tarA, tarA+".away")
	if got, err := baseApt(dir, idA, tarA, noUpdate); err != nil || !reflect.DeepEqual(got, wantA) {
		t.Errorf("baseApt(A) without its tar = %+v, %v; want the cached state", got, err)
	}
	os.Rename(tarA+".away", tarA)

	wantB, _ := ReadApt(tarB)
	wantB.Available, wantB.Updated = map[string]bool{"curl": true, "dash": true}, true
	for i := range 2 {
		got, err := baseApt(dir, idB, tarB, updated)
		if err != nil || !reflect.DeepEqual(got, wantB) {
			t.Errorf("run %d: baseApt(B) = %+v, %v; want %+v (not A's)", i, got, err, wantB)
		}
	}
	if updates != 1 {
		t.Errorf("the lists of B were fetched %d times, want once", updates)
	}

	// An entry of another form, or cut short, is no entry: remade.
	file := filepath.Join(dir, idA+".aptstate")
	good, _ := os.ReadFile(file)
	for _, bad := range []string{
		strings.Replace(string(good), aptStateHeader, "# dmake apt state 0\n", 1),
		string(good[:len(good)-len("end\n")]),
		string(good[:len(good)/2]),
		strings.Replace(string(good), "installed 1\n", "installed 7\n", 1),
	} {
		if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readAptState(file); err == nil {
			t.Errorf("readAptState of %.60q: no error", bad)
		}
		if got, err := baseApt(dir, idA, tarA, noUpdate); err != nil || !reflect.DeepEqual(got, wantA) {
			t.Errorf("over a bad entry: baseApt(A) = %+v, %v", got, err)
		}
		if now, _ := os.ReadFile(file); string(now) != string(good) {
			t.Errorf("the bad entry %.60q was not remade", bad)
		}
	}

	// A tar that is not the ID's export: read, never cached.
	other := filepath.Join(t.TempDir(), "rootfs.tar")
	writeRootfs(t, other, map[string]string{"var/lib/dpkg/status": "Package: zsh\nStatus: install ok installed\n\n"})
	idC := strings.Repeat("c", 64)
	if got, err := baseApt(dir, idC, other, updated); err != nil || !got.Installed["zsh"] {
		t.Errorf("baseApt(other) = %+v, %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(dir, idC+".aptstate")); err == nil {
		t.Error("the state of a tar not named by its ID was cached")
	}
	// No temporary file is left behind.
	if parts, _ := filepath.Glob(filepath.Join(dir, "*.part")); len(parts) > 0 {
		t.Errorf("left behind: %q", parts)
	}
}
