package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// makeTree writes files files of about 1 KiB under dir, 100 per directory,
// in directories two levels deep, and returns the top directory.
func makeTree(tb testing.TB, dir string, files int) string {
	tb.Helper()
	top := filepath.Join(dir, "tree")
	body := strings.Repeat("echo 'a line of an install script'\n", 30)
	for i := range files {
		p := filepath.Join(top, fmt.Sprintf("img%02d", i/1000), fmt.Sprintf("d%02d", i/100%10), fmt.Sprintf("f%03d.sh", i%100))
		if i%100 == 0 {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				tb.Fatal(err)
			}
		}
		if err := os.WriteFile(p, []byte(body+fmt.Sprint(i)), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return top
}

// BenchmarkWatchStartup10k measures New on a tree of 10 000 files: walking
// it, adding a watch per directory and hashing every file.
func BenchmarkWatchStartup10k(b *testing.B) {
	top := makeTree(b, tempDir(b), 10000)
	in := &Static{Watch: []string{top}}
	var st Stats
	var heap uint64
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		w, err := New(in, Options{})
		if err != nil {
			b.Fatal(err)
		}
		st = w.Stats()
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc)
		w.Close()
	}
	b.ReportMetric(float64(st.Watches), "watches")
	b.ReportMetric(float64(st.Files), "files")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
}

// BenchmarkWatchLatency measures, over 50 edits with the real clock and
// the default debounce, the time from a file write to the Rebuild call,
// minus the debounce: the watcher's own delay. It reports the median, the
// 90th percentile and the maximum, and the same median computed from the
// JSON event timestamps (rebuild request minus last file event).
func BenchmarkWatchLatency(b *testing.B) {
	const edits = 50
	top := makeTree(b, tempDir(b), 1000)
	var lat, evLat []time.Duration
	for range b.N {
		calls := make(chan time.Time, 1)
		events := make(chan Event, 16)
		ctx, cancel := context.WithCancel(context.Background())
		ret := make(chan error, 1)
		go func() {
			ret <- Run(ctx, Config{
				Inputs:  &Static{Watch: []string{top}},
				Rebuild: func(context.Context, Batch) error { calls <- time.Now(); return nil },
				OnEvent: func(e Event) {
					if e.Type == EventRebuild || e.Type == EventDone || e.Type == EventStart {
						events <- e
					}
				},
			})
		}()
		<-events // start
		for i := range edits {
			p := filepath.Join(top, "img00", fmt.Sprintf("d%02d", i%10), fmt.Sprintf("f%03d.sh", i))
			t0 := time.Now()
			if err := os.WriteFile(p, []byte(fmt.Sprintf("edit %d\n", i)), 0o644); err != nil {
				b.Fatal(err)
			}
			t1 := <-calls
			lat = append(lat, t1.Sub(t0)-DefaultDebounce)
			rb := <-events
			evLat = append(evLat, time.Duration(rb.TimeNs-rb.LastChangeNs)-DefaultDebounce)
			<-events // done
		}
		cancel()
		if err := <-ret; err != nil {
			b.Fatal(err)
		}
	}
	slices.Sort(lat)
	slices.Sort(evLat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "ms-median")
	b.ReportMetric(ms(lat[len(lat)*9/10]), "ms-p90")
	b.ReportMetric(ms(lat[len(lat)-1]), "ms-max")
	b.ReportMetric(ms(evLat[len(evLat)/2]), "ms-event-median")
}
