package image

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const staticRepo = "../testdata/legacy-static"

// staticContext lays out the build context the 2014 static layout's web
// image has when docker build runs: the static Dockerfile beside build/
// with the component files hard-linked in (copied here, modes kept).
func staticContext(t *testing.T, dockerfile string) string {
	t.Helper()
	ctx := t.TempDir()
	for _, f := range []string{"scripts/00_init.sh", "scripts/20_cron.sh", "scripts/30_web.sh", "scripts/40_webconf.sh", "scripts/99_cleanup.sh", "boot/start.sh", "runit/cron/run", "runit/web/run"} {
		src := filepath.Join(staticRepo, "build", f)
		fi, err := os.Stat(src)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(src)
		dst := filepath.Join(ctx, "build", f)
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if err := os.WriteFile(dst, b, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// The static Dockerfile's loop over /build/scripts/*.sh becomes one cached
// layer per script: the rest of build/ first, then each script copied and,
// when executable, run as the loop ran it; the non-executable one is
// copied, never run.
func TestScriptLoopLayered(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(staticRepo, "build", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := staticContext(t, string(src))
	for _, tt := range []struct {
		golden string
		opts   PlanOptions
	}{
		{"static-web.Dockerfile", PlanOptions{}},
		{"static-web-bust.Dockerfile", PlanOptions{Bust: []string{"cron"}, Token: "T0K"}},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			p, err := MakePlan(ctx, filepath.Join(ctx, "Dockerfile"), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if p.Layout != "layered" {
				t.Fatalf("layout %q, want layered", p.Layout)
			}
			golden(t, tt.golden, p.Dockerfile)
			if got, want := strings.Join(p.Components, " "), "init cron web webconf cleanup"; got != want {
				t.Errorf("components %q, want %q", got, want)
			}
			var names []string
			for _, f := range p.Files {
				names = append(names, f.Name)
			}
			want := []string{"build/boot/start.sh", "build/runit/cron/run", "build/runit/web/run",
				".dmake-scripts/00_init.sh", ".dmake-scripts/20_cron.sh", ".dmake-scripts/30_web.sh", ".dmake-scripts/40_webconf.sh", ".dmake-scripts/99_cleanup.sh"}
			if !slices.Equal(names, want) {
				t.Errorf("context files %q, want %q", names, want)
			}
			if !slices.Equal(p.From, []string{"busybox:latest"}) {
				t.Errorf("FROM %q", p.From)
			}
		})
	}
}

// A loop dmake does not recognise as a run of each script (another test,
// another variable) keeps the Dockerfile as given: one layer, as legacy.
func TestScriptLoopNotRecognised(t *testing.T) {
	for _, run := range []string{
		`RUN for s in /build/scripts/*.sh; do [ -x $t ] && $s || : ; done`,
		`RUN for s in /build/scripts/*.sh; do sh $s; done`,
		`RUN for s in /elsewhere/*.sh; do [ -x $s ] && $s || : ; done`,
	} {
		ctx := staticContext(t, "FROM busybox:latest\nADD build /build\n"+run+"\n")
		p, err := MakePlan(ctx, filepath.Join(ctx, "Dockerfile"), PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Layout != "dockerfile" || !strings.Contains(string(p.Dockerfile), run) {
			t.Errorf("%s: layout %s, Dockerfile\n%s", run, p.Layout, p.Dockerfile)
		}
	}
}

// --bust words name the scripts of the 2014 layout, which live in the
// repository's build/scripts (not in a generated images/NAME/build).
func TestCheckBustStatic(t *testing.T) {
	r := Repo{Root: staticRepo}
	if err := r.CheckBust([]string{"cron", "20_cron.sh", "30_web"}); err != nil {
		t.Error(err)
	}
	if err := r.CheckBust([]string{"nosuch"}); err == nil || !strings.Contains(err.Error(), "20_cron.sh (cron)") {
		t.Errorf("--bust nosuch: %v", err)
	}
}
