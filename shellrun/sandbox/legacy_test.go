package sandbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const legacyDir = "../../legacy-images"

// prepareLegacy copies legacy-images to a temp dir and runs GNU make's
// prepare goal for each image, returning the build directories by name.
func prepareLegacy(t testing.TB) map[string]string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(legacyDir, "images")); err != nil {
		t.Fatalf("the committed legacy-images/ is missing: %v", err)
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("SKIPPED: needs GNU make")
	}
	tmp := t.TempDir()
	if out, err := exec.Command("cp", "-a", legacyDir, tmp+"/repo").CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	ents, err := os.ReadDir(tmp + "/repo/images")
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(tmp, "repo/images", e.Name())
		os.RemoveAll(filepath.Join(dir, "build"))
		cmd := exec.Command("make", "-C", dir, "prepare")
		cmd.Env = append(os.Environ(), "DOCKER_HOME="+tmp+"/repo")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make -C images/%s prepare: %v\n%s", e.Name(), err, out)
		}
		dirs[e.Name()] = filepath.Join(dir, "build")
	}
	return dirs
}

// legacyImages makes the images of the build dirs, each with the image it
// is built FROM (its Dockerfile's FROM legacy/NAME) as parent.
func legacyImages(t testing.TB, dirs map[string]string, rootfs string) []Image {
	byName := map[string]*Image{}
	var names []string
	for name, dir := range dirs {
		img, err := BuildDirImage(name, filepath.Dir(filepath.Dir(filepath.Dir(dir))), dir) // the repository: dir is repo/images/NAME/build
		if err != nil {
			t.Fatal(err)
		}
		img.Rootfs = rootfs
		byName[name] = &img
		names = append(names, name)
	}
	sort.Strings(names)
	var imgs []Image
	for _, name := range names {
		img := byName[name]
		df, _ := os.ReadFile(filepath.Join(dirs[name], "Dockerfile"))
		for _, l := range strings.Split(string(df), "\n") {
			if from, ok := strings.CutPrefix(l, "FROM legacy/"); ok {
				img.Parent = byName[strings.TrimSpace(from)]
			}
		}
		imgs = append(imgs, *img)
	}
	return imgs
}

// TestLegacyImages dry-runs every image of legacy-images/ as its build
// directory describes it: there must be no errors.
func TestLegacyImages(t *testing.T) {
	dirs := prepareLegacy(t)
	imgs := legacyImages(t, dirs, "")
	reps, err := Check(context.Background(), imgs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reps {
		var b strings.Builder
		r.WriteText(&b)
		t.Log(b.String())
		if !r.OK() {
			t.Errorf("image %s: the dry run has errors:\n%s", r.Image, b.String())
		}
		if len(r.Packages) == 0 {
			t.Errorf("image %s: no packages predicted", r.Image)
		}
	}
}
