package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/legacybuild"
)

// TestLegacyProductionMode checks the permanent/temporary package records:
// the developer image (the default) keeps the packages installed with
// install_temporary and lists them; base built with PRODUCTION=1 has them
// removed by 99_cleanup.sh and keeps the permanent ones.
func TestLegacyProductionMode(t *testing.T) {
	im := legacybuild.Ensure(t, legacybuild.Prefix)

	inspect := `echo "permanent: $(sort /etc/legacy/packages.permanent | tr '\n' ' ')"
echo "temporary: $(sort /etc/legacy/packages.temporary | tr '\n' ' ')"
for p in less runit; do
	if dpkg-query -W -f '${Status}' $p 2>/dev/null | grep -q 'install ok installed'; then echo "$p: installed"; else echo "$p: absent"; fi
done`
	run := func(image string) string {
		t.Helper()
		return mustDocker(t, "run", "--rm", "--label", containerLabel, "--network", "none",
			image, "bash", "-c", inspect)
	}

	dev := run(im.Tag("base"))
	wantDev := "permanent: busybox cron iproute2 runit \ntemporary: less procps vim-tiny \nless: installed\nrunit: installed"
	if dev != wantDev {
		t.Errorf("developer image %s:\n%s\nwant\n%s", im.Tag("base"), dev, wantDev)
	}

	home := filepath.Join(t.TempDir(), "legacy-images")
	if err := legacybuild.CopyTree(im.Repo, home); err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("dmaketest-prod-%d/", os.Getpid())
	label := enginetest.Label + "=e2e-prod-" + fmt.Sprint(os.Getpid())
	t.Cleanup(func() { removeImages(t, prefix, label) })
	var out strings.Builder
	if err := legacybuild.Build(context.Background(), home, "base", &out,
		"IMAGE_PREFIX="+prefix, "LABELS="+label, "PRODUCTION=1"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	prod := run(prefix + "base")
	wantProd := "permanent: busybox cron iproute2 runit \ntemporary: \nless: absent\nrunit: installed"
	if prod != wantProd {
		t.Errorf("production image %sbase:\n%s\nwant\n%s", prefix, prod, wantProd)
	}
}
