package rootfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/shellrun/sandbox/debindex"
)

// indexScript fetches the mirror's Contents files with apt itself, in a
// throwaway container of the base: an IndexTargets entry (the mechanism
// apt-file uses) makes apt-get update download
// dists/SUITE/COMPONENT/Contents-ARCH for every deb line of the base's
// sources (Contents-all too, where the archive keeps arch-all packages
// apart), and apt-helper decompresses them. It prints the lines of files
// in a directory of $PATH or of a Java runtime's bin, then the fields of
// the package lists that debindex.ReadPackages reads. Exit status 100: no
// apt-get update (no network, no mirror); 101: no Contents file.
const indexScript = `cat > /etc/apt/apt.conf.d/99dmake-contents <<'EOF'
Acquire::IndexTargets::deb::Contents-dmake {
  MetaKey "$(COMPONENT)/Contents-$(ARCHITECTURE)";
  ShortDescription "Contents-$(ARCHITECTURE)";
  Description "$(RELEASE)/$(COMPONENT) $(ARCHITECTURE) Contents";
  KeepCompressed "true";
  PDiffs "false";
};
EOF
apt-get update -qq -o Acquire::Languages=none >/dev/null 2>&1 || exit 100
n=0
echo '# Contents'
for f in $(apt-get indextargets --format '$(FILENAME)' 'Identifier: Contents-dmake'); do
  for g in "$f"*; do
    [ -f "$g" ] || continue
    n=$((n+1))
    /usr/lib/apt/apt-helper cat-file "$g" | grep -E '^/?(usr/(local/)?)?(s?bin|games)/[^/]+[[:space:]]|^/?usr/lib/jvm/[^/]+/(jre/)?bin/[^/]+[[:space:]]'
  done
done
[ "$n" -gt 0 ] || exit 101
echo '# Packages'
for f in /var/lib/apt/lists/*_Packages; do
  [ -f "$f" ] && grep -h -E '^(Package|Provides|Depends|Pre-Depends|Recommends):|^$' "$f"
  echo
done`

// IndexFile returns the file of the command index of image ref's apt
// sources (debindex's form, for sandbox.Packages.IndexFile): which
// packages ship each command (from the mirror's Contents files) and which
// packages apt installs with each package (from its lists). Both are
// fetched by an apt-get update in a throwaway container of the base
// (network host, to reach its mirrors), once: the index is cached by image
// ID under Dir (IMAGE-ID.index), and so is a failure (IMAGE-ID.noindex,
// with the reason: no network, a mirror without Contents files) for a day
// (retryFailure), so that a check without network does not wait for apt
// each time; Clean forgets both.
func IndexFile(ctx context.Context, e *engine.Engine, ref string) (string, error) {
	img, found, err := e.InspectImage(ctx, ref)
	if err != nil || !found {
		return "", fmt.Errorf("command index of %s: no such image (%v)", ref, err)
	}
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	id := strings.TrimPrefix(img.ID, "sha256:")
	file, failed := filepath.Join(dir, id+".index"), filepath.Join(dir, id+".noindex")
	if why, ok := rememberedFailure(failed, time.Now()); ok {
		return "", fmt.Errorf("command index of %s: %s (remembered in %s)", ref, why, failed)
	}
	if !currentIndex(file) {
		if err := fetchIndex(ctx, e, ref, img.ID, file, failed); err != nil {
			return "", fmt.Errorf("command index of %s: %w", ref, err)
		}
	}
	return file, nil
}

// currentIndex says file is an index of the form this dmake writes.
func currentIndex(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(debindex.Header))
	_, err = io.ReadFull(f, b)
	return err == nil && string(b) == debindex.Header
}

// retryFailure is how long a failure to fetch the command index is
// remembered: a network that was down may be back.
const retryFailure = 24 * time.Hour

// rememberedFailure returns the reason remembered in file failed for
// not having the index, if it was written less than retryFailure before
// now; an older one is removed.
func rememberedFailure(failed string, now time.Time) (string, bool) {
	fi, err := os.Stat(failed)
	if err != nil {
		return "", false
	}
	if now.Sub(fi.ModTime()) >= retryFailure {
		os.Remove(failed)
		return "", false
	}
	why, err := os.ReadFile(failed)
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(why)), true
}

// fetchIndex runs indexScript in a container of image id and writes the
// index to file, or the reason there is none to failed.
func fetchIndex(ctx context.Context, e *engine.Engine, ref, id, file, failed string) error {
	dir := filepath.Dir(file)
	raw, err := os.CreateTemp(dir, filepath.Base(file)+".*.part")
	if err != nil {
		return err
	}
	defer os.Remove(raw.Name())
	defer raw.Close()
	res, err := e.Run(ctx, engine.RunOptions{Image: id, Entrypoint: []string{"/bin/sh", "-c", indexScript}, Cmd: []string{},
		Labels: map[string]string{"dev.dmake.contents": ref}, NetworkMode: "host", Streams: engine.Streams{Out: raw, Err: io.Discard}})
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		why := fmt.Sprintf("apt-get update with Contents files in a container of the base: exit status %d", res.ExitCode)
		switch res.ExitCode {
		case 100:
			why = "apt-get update failed in a container of the base (no network? no mirror?)"
		case 101:
			why = "the base's mirrors have no Contents files"
		}
		if ctx.Err() == nil {
			os.WriteFile(failed, []byte(why+"\n"), 0o644)
		}
		return errors.New(why)
	}
	if _, err := raw.Seek(0, io.SeekStart); err != nil {
		return err
	}
	idx := debindex.New()
	if err := readIndexOutput(raw, idx); err != nil {
		return err
	}
	out, err := os.CreateTemp(dir, filepath.Base(file)+".*.part")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	err = idx.Write(out)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(out.Name(), file)
}

// readIndexOutput reads what indexScript prints: the Contents lines after
// "# Contents", the package fields after "# Packages".
func readIndexOutput(r io.Reader, idx *debindex.Index) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, rest, ok := bytes.Cut(b, []byte("# Contents\n"))
	contents, packages, ok2 := bytes.Cut(rest, []byte("\n# Packages\n"))
	if !ok || !ok2 {
		return errors.New("no Contents lines and package lists in the output of apt-get update")
	}
	if err := debindex.ReadContents(bytes.NewReader(contents), idx); err != nil {
		return err
	}
	if idx.Len() == 0 {
		return errors.New("no command in the Contents files")
	}
	return debindex.ReadPackages(bytes.NewReader(packages), idx)
}
