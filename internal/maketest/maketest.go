// Package maketest is the differential harness that runs GNU make and dmake
// on the same Makefile cases and compares what they print, their exit
// status and the files they leave.
//
// A case is a txtar archive (testdata/make/<feature>/<name>.txtar). Its
// comment holds "key: value" lines:
//
//	args: -s all        make's command line (split on blanks)
//	shell: sh           run under make's default SHELL (/bin/sh, dash);
//	                    the default is "bash": SHELL=/bin/bash is added
//	                    to the command line
//	nonl: Makefile      write these files without their final newline
//	crlf: Makefile      write these files with CRLF line ends
//	print-db: true      compare the -p data base semantically instead of
//	                    stdout as text
//	setup: CMD          run CMD with /bin/sh in the directory before make
//	                    (e.g. touch -d to order modification times)
//	runs: N             run make N times in the same directory (no-op
//	                    re-runs); the outputs are joined with a marker
//	env: NAME=value …   add these variables to the environment
//	wait: FILE …        files a background job of the run writes after
//	                    make has exited: each program's files are taken
//	                    once these exist (or after WaitLimit, when the
//	                    job died with make: the files are then missing)
//
// The archive's files are written into a fresh temporary directory, and
// both programs run there. The dmake side is a Runner, so the executor can
// plug in a real one; ParseOnly is the runner of the makefile package alone.
package maketest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dmake-dev/dmake/internal/txtar"
)

// Case is one differential case.
type Case struct {
	Name    string
	Args    []string
	Shell   string // "sh" or "bash"
	PrintDB bool
	Files   []txtar.File
	NoNL    map[string]bool
	CRLF    map[string]bool
	// SetupCmd is run by /bin/sh in the case directory before make.
	SetupCmd string
	// Runs is how many times make runs in the same directory (0 means 1).
	Runs int
	// ExtraEnv is added to the environment of both programs.
	ExtraEnv []string
	// Wait are files that background jobs write after make exits.
	Wait []string
}

// WaitLimit bounds the wait for a case's Wait files: reaching it is a
// failure (a file is missing), never the normal course.
const WaitLimit = 15 * time.Second

// ParseCase parses a case archive.
func ParseCase(name string, data []byte) (*Case, error) {
	a := txtar.Parse(data)
	c := &Case{Name: name, Shell: "bash", Files: a.Files, NoNL: map[string]bool{}, CRLF: map[string]bool{}}
	for _, line := range strings.Split(string(a.Comment), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%s: bad comment line %q", name, line)
		}
		v = strings.TrimSpace(v)
		switch k {
		case "args":
			c.Args = strings.Fields(v)
		case "shell":
			if v != "sh" && v != "bash" {
				return nil, fmt.Errorf("%s: shell must be sh or bash", name)
			}
			c.Shell = v
		case "nonl":
			for _, f := range strings.Fields(v) {
				c.NoNL[f] = true
			}
		case "crlf":
			for _, f := range strings.Fields(v) {
				c.CRLF[f] = true
			}
		case "print-db":
			c.PrintDB = v == "true"
		case "setup":
			c.SetupCmd = v
		case "runs":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%s: runs must be a positive number", name)
			}
			c.Runs = n
		case "env":
			c.ExtraEnv = append(c.ExtraEnv, strings.Fields(v)...)
		case "wait":
			c.Wait = append(c.Wait, strings.Fields(v)...)
		case "note":
		default:
			return nil, fmt.Errorf("%s: unknown key %q", name, k)
		}
	}
	return c, nil
}

// Setup writes the case's files into dir.
func (c *Case) Setup(dir string) error {
	for _, f := range c.Files {
		if strings.HasPrefix(f.Name, "/") || strings.Contains("/"+f.Name+"/", "/../") {
			return fmt.Errorf("%s: file name %q leaves the case directory", c.Name, f.Name)
		}
		data := f.Data
		if c.NoNL[f.Name] {
			data = bytes.TrimSuffix(data, []byte("\n"))
		}
		if c.CRLF[f.Name] {
			data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(f.Name, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(p, data, mode); err != nil {
			return err
		}
	}
	return nil
}

// CommandLine returns the arguments of the case's make invocation.
func (c *Case) CommandLine() []string {
	args := append([]string(nil), c.Args...)
	if c.Shell == "bash" {
		args = append(args, "SHELL=/bin/bash")
	}
	return args
}

// Env is the environment both programs get.
func Env(dir string) []string {
	return []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + dir, "LANG=C", "LC_ALL=C"}
}

// Result is what one program did.
type Result struct {
	Stdout, Stderr string
	Status         int
	Files          map[string]string
}

// Runner runs a make-like program in dir with args and env.
type Runner func(ctx context.Context, dir string, args, env []string, stdout, stderr io.Writer) int

// GNUMake runs /usr/bin/make.
func GNUMake(ctx context.Context, dir string, args, env []string, stdout, stderr io.Writer) int {
	cmd := exec.CommandContext(ctx, "/usr/bin/make", args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// Run runs c with r in a fresh directory under tmp and collects the result.
func (c *Case) Run(ctx context.Context, tmp string, r Runner) (*Result, error) {
	dir, err := os.MkdirTemp(tmp, "case")
	if err != nil {
		return nil, err
	}
	if err := c.Setup(dir); err != nil {
		return nil, err
	}
	if c.SetupCmd != "" {
		cmd := exec.Command("/bin/sh", "-c", c.SetupCmd)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("%s: setup: %v: %s", c.Name, err, out)
		}
	}
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	env := append(Env(dir), c.ExtraEnv...)
	status := r(ctx, dir, c.CommandLine(), env, &out, &errb)
	for i := 2; i <= c.Runs; i++ {
		// A later run must see the earlier run's files as older.
		time.Sleep(20 * time.Millisecond)
		fmt.Fprintf(&out, "--- run %d (previous status %d)\n", i, status)
		fmt.Fprintf(&errb, "--- run %d\n", i)
		status = r(ctx, dir, c.CommandLine(), env, &out, &errb)
	}
	res := &Result{Stdout: strings.ReplaceAll(out.String(), dir, "$DIR"), Stderr: strings.ReplaceAll(errb.String(), dir, "$DIR"), Status: status}
	waitFiles(dir, c.Wait)
	res.Files, err = snapshot(dir)
	return res, err
}

// waitFiles waits until the named files of dir exist and are not empty,
// for WaitLimit at most.
func waitFiles(dir string, names []string) {
	deadline := time.Now().Add(WaitLimit)
	for _, n := range names {
		for {
			fi, err := os.Stat(filepath.Join(dir, n))
			if err == nil && fi.Size() > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func snapshot(dir string) (map[string]string, error) {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			t, _ := os.Readlink(p)
			files[rel] = "symlink " + t
		case d.IsDir():
			files[rel] = "dir"
			if fi, err := d.Info(); err == nil && fi.Mode().Perm() != 0o755 {
				files[rel] = fmt.Sprintf("dir %v", fi.Mode().Perm())
			}
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files[rel] = string(data)
			// Modes are compared too; the common ones stay implicit so
			// that contents read plainly in diffs.
			if fi, err := d.Info(); err == nil && fi.Mode().Perm() != 0o644 {
				files[rel] = fmt.Sprintf("[mode %v] %s", fi.Mode().Perm(), data)
			}
		}
		return nil
	})
	return files, err
}

// Normalize replaces the program name in dmake's output.
func Normalize(s, prog string) string {
	if prog == "" || prog == "make" {
		return s
	}
	return strings.ReplaceAll(s, prog, "make")
}

// debugBanners match the version banner -d and --debug print first:
// GNU make's, and dmake's (its name normalised to make).
var debugBanners = []*regexp.Regexp{
	regexp.MustCompile(`(?m)^GNU Make [0-9.]+\nBuilt for .*\nCopyright .*\nLicense GPLv3\+.*\nThis is free software.*\nThere is NO WARRANTY.*\n`),
	regexp.MustCompile(`(?m)^d?make \S+\ncommit: .*\n`),
}

// sameBanner replaces the version banners of -d in s with one line: the
// two programs' versions differ, not their debugging output.
func sameBanner(s string) string {
	if !strings.Contains(s, "\nUpdating ") && !strings.Contains(s, "Reading makefiles...") {
		return s
	}
	for _, re := range debugBanners {
		s = re.ReplaceAllString(s, "<version banner>\n")
	}
	return s
}

// Diff compares two results and describes the differences; "" if equal.
// The version banners of -d count as the same.
func Diff(c *Case, want, got *Result) string {
	if ws, gs := sameBanner(want.Stdout), sameBanner(got.Stdout); ws != want.Stdout || gs != got.Stdout {
		w, g := *want, *got
		w.Stdout, g.Stdout = ws, gs
		want, got = &w, &g
	}
	var b strings.Builder
	if c.PrintDB {
		w, g := ParseDB(want.Stdout), ParseDB(got.Stdout)
		if d := w.Diff(g); d != "" {
			fmt.Fprintf(&b, "data base differs:\n%s", d)
		}
	} else if want.Stdout != got.Stdout {
		fmt.Fprintf(&b, "stdout:\n--- make\n%s--- dmake\n%s", want.Stdout, got.Stdout)
	}
	if want.Stderr != got.Stderr {
		fmt.Fprintf(&b, "stderr:\n--- make\n%s--- dmake\n%s", want.Stderr, got.Stderr)
	}
	if want.Status != got.Status {
		fmt.Fprintf(&b, "exit status: make %d, dmake %d\n", want.Status, got.Status)
	}
	var names []string
	for n := range want.Files {
		names = append(names, n)
	}
	for n := range got.Files {
		if _, ok := want.Files[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		w, wok := want.Files[n]
		g, gok := got.Files[n]
		switch {
		case !gok:
			fmt.Fprintf(&b, "file %s: left by make, not by dmake\n", n)
		case !wok:
			fmt.Fprintf(&b, "file %s: left by dmake, not by make\n", n)
		case w != g:
			fmt.Fprintf(&b, "file %s differs:\n--- make\n%s\n--- dmake\n%s\n", n, w, g)
		}
	}
	return b.String()
}

// LoadCases reads every .txtar case under root, named by their path.
func LoadCases(root string) ([]*Case, error) {
	var cases []*Case
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".txtar") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		c, err := ParseCase(strings.TrimSuffix(filepath.ToSlash(rel), ".txtar"), data)
		if err != nil {
			return err
		}
		cases = append(cases, c)
		return nil
	})
	return cases, err
}

// KnownDifferences reads the known-differences file: lines "case-name:
// reason"; blank lines and # comments are ignored. Every entry must have
// a reason.
func KnownDifferences(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return map[string]string{}, nil
		}
		return nil, err
	}
	m := map[string]string{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("%s:%d: want \"case: reason\"", path, i+1)
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m, nil
}

// LoadCorpus reads the whole differential corpus under testdata: the cases
// of testdata/make under their own names and those of testdata/make-exec
// named "exec/…", the way both KNOWN_DIFFERENCES files name them.
func LoadCorpus(testdata string) ([]*Case, error) {
	cases, err := LoadCases(filepath.Join(testdata, "make"))
	if err != nil {
		return nil, err
	}
	exec, err := LoadCases(filepath.Join(testdata, "make-exec"))
	if err != nil {
		return nil, err
	}
	for _, c := range exec {
		c.Name = "exec/" + c.Name
	}
	return append(cases, exec...), nil
}

// UnknownNames returns the entries of known that name no case of cases,
// sorted: a stale or misspelt known-differences line.
func UnknownNames(cases []*Case, known map[string]string) []string {
	names := make(map[string]bool, len(cases))
	for _, c := range cases {
		names[c.Name] = true
	}
	var unknown []string
	for k := range known {
		if !names[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	return unknown
}
