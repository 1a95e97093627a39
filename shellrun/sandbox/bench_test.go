package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// benchScripts generates n realistic install scripts with
// bench/shellrun-gen.sh.
func benchScripts(b *testing.B, n int) []Script {
	dir := b.TempDir()
	if out, err := exec.Command("../../bench/shellrun-gen.sh", dir, fmt.Sprint(n)).CombinedOutput(); err != nil {
		b.Skipf("generator: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(dir + "/*.sh")
	var ss []Script
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		ss = append(ss, Script{Path: filepath.Base(f), Source: src, Role: RoleInstall, Shell: "bash"})
	}
	return ss
}

// BenchmarkDryRunScript is the in-process dry run of one ~60-line install
// script (one image each).
func BenchmarkDryRunScript(b *testing.B) {
	ss := benchScripts(b, 100)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep := DryRunInProcess(context.Background(), Image{Name: "b", Scripts: ss[i%len(ss) : i%len(ss)+1]}, Options{})
		if !rep.OK() {
			b.Fatal(rep.Errors)
		}
	}
}

// BenchmarkCheck1000 is Check (sandbox child, two workers) on 1000
// scripts as 1000 images; it reports scripts per second.
func BenchmarkCheck1000(b *testing.B) {
	ss := benchScripts(b, 1000)
	imgs := make([]Image, len(ss))
	for i := range ss {
		imgs[i] = Image{Name: ss[i].Path, Scripts: ss[i : i+1]}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Check(context.Background(), imgs, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(imgs)*b.N)/b.Elapsed().Seconds(), "scripts/s")
}

// BenchmarkOneImage1000 is the in-process dry run of 1000 scripts as one
// image, as --check-scripts runs loose files.
func BenchmarkOneImage1000(b *testing.B) {
	ss := benchScripts(b, 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		DryRunInProcess(context.Background(), Image{Name: "b", Scripts: ss}, Options{Timeout: time.Minute})
	}
	b.ReportMetric(float64(len(ss)*b.N)/b.Elapsed().Seconds(), "scripts/s")
}

// BenchmarkCheckOneImage500 is Check (sandbox child) on 500 scripts as
// one image, as each of the two dmake --check-scripts of
// bench/shellrun.sh runs them.
func BenchmarkCheckOneImage500(b *testing.B) {
	ss := benchScripts(b, 500)
	img := []Image{{Name: "b", Scripts: ss}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		reps, err := Check(context.Background(), img, Options{Timeout: time.Minute})
		if err != nil {
			b.Fatal(err)
		}
		if !reps[0].OK() {
			b.Fatal(reps[0].Errors)
		}
	}
	b.ReportMetric(float64(len(ss)*b.N)/b.Elapsed().Seconds(), "scripts/s")
}
