package sandbox

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/shellrun/sandbox/rootfs"
)

// realScriptsDir is the measured corpus of real install scripts (issue
// 21): public scripts with their origin, licence and checksum in
// INDEX.tsv, each run for real once by record.sh, its verdict in real.tsv.
// The scripts themselves are not in the repository (the look-up that
// found them allows no copies in commits): realScriptsFiles says where a
// developer keeps them.
const realScriptsDir = "../../testdata/shellrun/realscripts"

// realScriptsFiles is the directory holding the corpus's scripts/ and
// context/: $DMAKE_REALSCRIPTS, else dmake-realscripts/corpus in the
// user's cache directory (where record.sh reads them too).
func realScriptsFiles(t *testing.T) string {
	if d := os.Getenv("DMAKE_REALSCRIPTS"); d != "" {
		return d
	}
	c, err := os.UserCacheDir()
	if err != nil {
		t.Skipf("no user cache directory (%v): set DMAKE_REALSCRIPTS to the corpus's files", err)
	}
	return filepath.Join(c, "dmake-realscripts", "corpus")
}

// realEntry is one corpus script: INDEX.tsv's line and real.tsv's verdict.
type realEntry struct {
	id, file, role, repo, path, licence string
	context                             string // a directory under context/ copied to / first, or ""
	sha256                              string // the script's checksum as recorded
	real                                string // ok, error, unreachable, skipped; "" when not recorded
	status                              string // the real exit status of an error
	note                                string // the real run's last output line
}

// readRealCorpus reads INDEX.tsv and real.tsv.
func readRealCorpus(t *testing.T) []*realEntry {
	t.Helper()
	var entries []*realEntry
	byID := map[string]*realEntry{}
	readTSV(t, filepath.Join(realScriptsDir, "INDEX.tsv"), func(line int, f []string) {
		if line == 1 {
			return // the header
		}
		if len(f) != 9 {
			t.Fatalf("INDEX.tsv:%d: %d fields, want 9 (id file role repo path commit licence context sha256)", line, len(f))
		}
		e := &realEntry{id: f[0], file: f[1], role: f[2], repo: f[3], path: f[4], licence: f[6], context: f[7], sha256: f[8]}
		if byID[e.id] != nil {
			t.Fatalf("INDEX.tsv:%d: id %s twice", line, e.id)
		}
		if e.repo == "" || e.path == "" || e.licence == "" {
			t.Errorf("INDEX.tsv:%d: %s: origin (repository, path) and licence are required", line, e.id)
		}
		byID[e.id] = e
		entries = append(entries, e)
	})
	readTSV(t, filepath.Join(realScriptsDir, "real.tsv"), func(line int, f []string) {
		if len(f) < 2 {
			t.Fatalf("real.tsv:%d: %d fields, want id, verdict, status, note", line, len(f))
		}
		e := byID[f[0]]
		if e == nil {
			t.Errorf("real.tsv:%d: %s is not in INDEX.tsv", line, f[0])
			return
		}
		switch f[1] {
		case "ok", "error", "unreachable", "skipped":
		default:
			t.Errorf("real.tsv:%d: verdict %q, want ok, error, unreachable or skipped", line, f[1])
		}
		e.real = f[1]
		if len(f) > 2 {
			e.status = f[2]
		}
		if len(f) > 3 {
			e.note = f[3]
		}
	})
	for _, e := range entries {
		if e.real == "" {
			t.Errorf("%s has no recorded real run: run testdata/shellrun/realscripts/record.sh", e.id)
		}
	}
	return entries
}

func readTSV(t *testing.T, name string, line func(int, []string)) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if sc.Text() == "" {
			continue
		}
		line(n, strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// dryVerdict is what the dry run says of a script: the report's own
// verdict (Report.Verdict), the one dmake --check prints: "error" when it
// reports errors, "unknown" when it reports none but an outcome it cannot
// tell (a command it has no model of included), else "ok". It fails the
// test when the report says "ok" although a command without a model ran:
// the verdict must not hide what the dry run could not vouch for.
func dryVerdict(t *testing.T, id string, r *Report) string {
	t.Helper()
	if r.Verdict != r.verdict() {
		t.Errorf("%s: the report's verdict is %q, its errors and unknowns say %q", id, r.Verdict, r.verdict())
	}
	if r.Verdict == VerdictOK {
		for _, c := range r.Commands {
			if c.Kind == "unknown" && c.Exit == 0 {
				t.Errorf("%s: verdict ok, but %s ran without a model and was assumed to succeed (%s)", id, c.Argv[0], c.Pos)
			}
		}
	}
	return r.Verdict
}

// realRates are the corpus measures, as issue 21 defines them.
type realRates struct {
	scripts, skipped, unreachable int // all, and those left out of the rates
	counted                       int // real ok or error
	realOK, realErr               int
	falseAlarms                   int // dry error, real ok
	predicted                     int // dry error, real error
	unknown                       int // dry unknown (of counted)
	missed                        int // dry ok, real error
}

func (r realRates) pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// The targets, printed beside the measures.
const (
	targetFalseAlarms = 2.0  // % of scripts, at most
	targetRecall      = 80.0 // % of real failures predicted, at least
	targetUnknown     = 10.0 // % of scripts, at most
)

// TestRealScriptsCorpus dry-runs every script of the real-scripts corpus
// as dmake --check-scripts does (LooseImage, Check: one image per
// script, over the built-in base) and compares the verdicts with those of
// the recorded real runs on debian:bookworm: false alarms (dry run error,
// real run ok) as a share of the scripts, real failures predicted (recall;
// "unknown" is no prediction), and the unknown rate. Skipped scripts and
// failures caused only by an unreachable host are left out of the rates.
// The rates measured when the corpus was last recorded are the bounds in
// testdata/shellrun/realscripts/limits: a regression fails the test.
//
// The scripts are fetched by a developer from the origins INDEX.tsv
// names (see the corpus's README) into realScriptsFiles; without them the
// test is skipped, and a script whose checksum differs from INDEX.tsv's
// fails it.
func TestRealScriptsCorpus(t *testing.T) {
	entries := readRealCorpus(t)
	files := realScriptsFiles(t)
	if _, err := os.Stat(filepath.Join(files, "scripts")); err != nil {
		t.Skipf("the corpus's scripts are not here (%v): fetch them as testdata/shellrun/realscripts/README.md says, or set DMAKE_REALSCRIPTS", err)
	}
	var imgs []Image
	for _, e := range entries {
		script := filepath.Join(files, "scripts", e.file)
		src, err := os.ReadFile(script)
		if err != nil {
			t.Fatalf("%s: %v", e.id, err)
		}
		if sum := sha256.Sum256(src); hex.EncodeToString(sum[:]) != e.sha256 {
			t.Fatalf("%s: %s is not the recorded script (sha256 %x, INDEX.tsv says %s)", e.id, script, sum, e.sha256)
		}
		img, err := LooseImage(e.id, files, []string{script})
		if err != nil {
			t.Fatalf("%s: %v", e.id, err)
		}
		if e.context != "" {
			img.Files = append(img.Files, contextFiles(t, filepath.Join(files, "context", e.context))...)
		}
		imgs = append(imgs, img)
	}
	mode := ""
	if ref := os.Getenv("DMAKE_REALSCRIPTS_BASE"); ref != "" {
		tar, pkgs := corpusBase(t, ref, os.Getenv("DMAKE_REALSCRIPTS_NOINDEX") == "")
		for i := range imgs {
			imgs[i].Rootfs, imgs[i].Packages = tar, pkgs
		}
		mode = "base."
		if pkgs.IndexFile == "" {
			mode = "noindex."
		}
		t.Logf("over the base %s: its rootfs, its package set, command index %q", ref, pkgs.IndexFile)
	}
	reports, err := Check(t.Context(), imgs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var m realRates
	var alarms, misses, unknowns []string
	alarmCodes := map[string]int{} // false alarms by the code of the dry run's first error
	for i, e := range entries {
		r := reports[i]
		dry := dryVerdict(t, e.id, r)
		first := ""
		if len(r.Errors) > 0 {
			first = r.Errors[0].String()
		}
		if testing.Verbose() {
			if dry == VerdictUnknown {
				first = r.Unknowns[0].Code + ": " + r.Unknowns[0].String()
			}
			t.Logf("script %s: real %s %s, dry run %s %s", e.id, e.real, e.status, dry, first)
		}
		m.scripts++
		switch e.real {
		case "skipped":
			m.skipped++
			continue
		case "unreachable":
			m.unreachable++
			continue
		case "ok":
			m.realOK++
		case "error":
			m.realErr++
		default:
			continue
		}
		m.counted++
		switch {
		case dry == "error" && e.real == "ok":
			m.falseAlarms++
			alarms = append(alarms, fmt.Sprintf("%s: %s", e.id, first))
			alarmCodes[r.Errors[0].Code]++
		case dry == "error" && e.real == "error":
			m.predicted++
		case e.real == "error":
			m.missed++
			misses = append(misses, fmt.Sprintf("%s (dry run %s; real exit %s: %s)", e.id, dry, e.status, e.note))
		}
		if dry == "unknown" {
			m.unknown++
			unknowns = append(unknowns, e.id+": "+unknownCauses(r))
		}
	}
	fa, rec, unk := m.pct(m.falseAlarms, m.counted), m.pct(m.predicted, m.realErr), m.pct(m.unknown, m.counted)
	t.Logf("corpus: %d scripts; %d counted (real: %d ok, %d error), %d skipped, %d unreachable-host failures left out", m.scripts, m.counted, m.realOK, m.realErr, m.skipped, m.unreachable)
	t.Logf("false alarms: %d = %.1f%% of counted scripts (target <= %.0f%%)", m.falseAlarms, fa, targetFalseAlarms)
	t.Logf("real failures predicted: %d of %d = %.1f%% (target >= %.0f%%); missed %d", m.predicted, m.realErr, rec, targetRecall, m.missed)
	t.Logf("unknown: %d = %.1f%% of counted scripts (target <= %.0f%%)", m.unknown, unk, targetUnknown)
	if m.predicted+m.falseAlarms > 0 {
		t.Logf("precision: %.1f%% of dry-run errors are real failures", m.pct(m.predicted, m.predicted+m.falseAlarms))
	}
	if len(alarmCodes) > 0 {
		var codes []string
		for c, n := range alarmCodes {
			codes = append(codes, fmt.Sprintf("%s %d", c, n))
		}
		sort.Strings(codes)
		t.Logf("false alarms by code of the first error: %s", strings.Join(codes, ", "))
	}
	sort.Strings(alarms)
	sort.Strings(misses)
	sort.Strings(unknowns)
	if testing.Verbose() {
		for _, a := range alarms {
			t.Logf("false alarm: %s", a)
		}
		for _, x := range misses {
			t.Logf("missed: %s", x)
		}
		for _, u := range unknowns {
			t.Logf("unknown: %s", u)
		}
	}
	lim := readLimits(t)
	// The limits are written with one decimal: compare at that precision.
	fa, rec, unk = math.Round(fa*10)/10, math.Round(rec*10)/10, math.Round(unk*10)/10
	if fa > lim[mode+"falseAlarms"] {
		t.Errorf("false alarms %.1f%%, above the recorded ceiling %.1f%% (limits: %sfalseAlarms)", fa, lim[mode+"falseAlarms"], mode)
	}
	if rec < lim[mode+"recall"] {
		t.Errorf("real failures predicted %.1f%%, below the recorded floor %.1f%% (limits: %srecall)", rec, lim[mode+"recall"], mode)
	}
	if unk > lim[mode+"unknown"] {
		t.Errorf("unknown %.1f%%, above the recorded ceiling %.1f%% (limits: %sunknown)", unk, lim[mode+"unknown"], mode)
	}
	if m.counted < int(lim["counted"]) {
		t.Errorf("%d scripts counted, fewer than the %d of limits", m.counted, int(lim["counted"]))
	}
}

// corpusBase is what dmake --check gives the dry run of a script built
// FROM image ref (as the driver's basePackages reads it, through the
// engine): the base's root filesystem, its package set (apt lists and
// dpkg status) and, with index, its command index (the mirror's Contents
// files). The engine must answer.
func corpusBase(t *testing.T, ref string, index bool) (string, *Packages) {
	t.Helper()
	ctx := t.Context()
	c, err := engine.New(ctx)
	if err != nil {
		t.Fatalf("DMAKE_REALSCRIPTS_BASE=%s needs the engine: %v", ref, err)
	}
	t.Cleanup(func() { c.Close() })
	tar, err := rootfs.Export(ctx, c, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := rootfs.ReadApt(tar)
	if err != nil || !st.Lists {
		t.Fatalf("the apt lists of %s: %v (lists: %v; build it from base.Dockerfile)", ref, err, err == nil && st.Lists)
	}
	pkgs := &Packages{Base: ref, Available: st.Available, Installed: st.Installed}
	if index {
		if pkgs.IndexFile, err = rootfs.IndexFile(ctx, c, ref); err != nil {
			t.Fatal(err)
		}
	}
	return tar, pkgs
}

// contextFiles are the files of a script's context directory, placed at
// the same paths under / (as record.sh copies them before the real run).
func contextFiles(t *testing.T, dir string) []ContextFile {
	t.Helper()
	var files []ContextFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		cf := ContextFile{Dest: "/" + filepath.ToSlash(rel), Mode: fi.Mode(), Name: "context/" + filepath.ToSlash(rel)}
		if !d.IsDir() {
			if cf.Data, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		files = append(files, cf)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// unknownCauses says what made a report's verdict unknown: the
// commands without a model assumed to succeed, else the codes of its
// unknowns.
func unknownCauses(r *Report) string {
	seen := map[string]bool{}
	var names []string
	for _, c := range r.Commands {
		if c.Kind == "unknown" && c.Exit == 0 && len(c.Argv) > 0 && !seen[c.Argv[0]] {
			seen[c.Argv[0]] = true
			names = append(names, c.Argv[0])
		}
	}
	for _, u := range r.Unknowns {
		if u.Code != "unmodelled" && !seen[u.Code] {
			seen[u.Code] = true
			names = append(names, "("+u.Code+")")
		}
	}
	return strings.Join(names, " ")
}

// readLimits reads the limits file: "NAME VALUE" lines (falseAlarms,
// recall and unknown in %, counted a number of scripts), # comments.
func readLimits(t *testing.T) map[string]float64 {
	t.Helper()
	lim := map[string]float64{}
	b, err := os.ReadFile(filepath.Join(realScriptsDir, "limits"))
	if err != nil {
		t.Fatal(err)
	}
	for n, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Fields(l)
		if len(f) != 2 {
			t.Fatalf("limits:%d: want NAME VALUE", n+1)
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			t.Fatalf("limits:%d: %v", n+1, err)
		}
		lim[f[0]] = v
	}
	for _, k := range []string{"falseAlarms", "recall", "unknown", "counted",
		"base.falseAlarms", "base.recall", "base.unknown", "noindex.falseAlarms", "noindex.recall", "noindex.unknown"} {
		if _, ok := lim[k]; !ok {
			t.Fatalf("limits: no %s", k)
		}
	}
	return lim
}
