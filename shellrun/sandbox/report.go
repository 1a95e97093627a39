package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// SchemaVersion is the version of the JSON report format documented in
// shellrun/sandbox/testdata/report.schema.json (2: the document's tool and
// summary, diagnostics' file, line and column; 3: the verdicts — each
// image's and the summary's verdict, the unknowns, scripts of status
// "unknown", the summary's unmodelled count).
const SchemaVersion = 3

// The verdicts of a dry run (Report.Verdict, Summary.Verdict).
const (
	// VerdictOK: the scripts run as the models predict, without error.
	VerdictOK = "ok"
	// VerdictError: the dry run found an error the real build would
	// meet (or a script it could not run).
	VerdictError = "error"
	// VerdictUnknown: no error found, but the outcome of some command
	// depends on what the models do not cover (an archive's contents,
	// a package's files, a command no package is known to provide):
	// the check cannot tell (Report.Unknowns says what and where).
	VerdictUnknown = "unknown"
)

// Report is what the dry run of one image's scripts found: the record of
// what a build would do. Its JSON form is documented by
// shellrun/testdata/report.schema.json.
type Report struct {
	SchemaVersion int    `json:"schemaVersion"`
	Image         string `json:"image"`
	// Verdict is VerdictError when there are Errors, else VerdictUnknown
	// when there are Unknowns, else VerdictOK (set by NewDocument and
	// the dry run; Verdict() computes it).
	Verdict  string         `json:"verdict"`
	Base     string         `json:"base,omitempty"` // the rootfs used as lower layer, "" for the built-in skeleton
	From     string         `json:"from,omitempty"` // the image Base was read from (Image.From)
	Scripts  []ScriptResult `json:"scripts"`
	Commands []Command      `json:"commands"`
	Packages []Package      `json:"packages"`
	Files    []FileChange   `json:"files"`
	Services []Service      `json:"services"`
	Network  []Fetch        `json:"network"`
	Warnings []Diagnostic   `json:"warnings"`
	Errors   []Diagnostic   `json:"errors"`
	// Unknowns are the outcomes the dry run cannot tell: a command that
	// fails in the models only for want of what they do not cover (a
	// directory an archive unpacks, a file a package installs), assumed
	// to succeed.
	Unknowns  []Diagnostic    `json:"unknowns"`
	Contained []Containment   `json:"contained,omitempty"`
	seenDiag  map[string]bool `json:"-"`
}

// ScriptResult is how one script ended.
type ScriptResult struct {
	Path   string `json:"path"`
	Role   Role   `json:"role"`
	Shell  string `json:"shell"`
	Status string `json:"status"` // "ok", "failed", "unknown" (ok but for Unknowns met), "not-run"
	Exit   int    `json:"exit"`
	Steps  int    `json:"steps"` // simple commands run
}

// Command is one simple command the dry run met (external commands and the
// builtins that matter: cd, source, eval, exec, exit, trap).
type Command struct {
	Pos   string   `json:"pos"` // file:line:col
	Argv  []string `json:"argv"`
	Kind  string   `json:"kind"` // "model", "network", "unknown", "builtin", "function", "script"
	Exit  int      `json:"exit"`
	Model string   `json:"model,omitempty"`
}

// Package is one package-manager action.
type Package struct {
	Name      string `json:"name"`
	Manager   string `json:"manager"` // "apt", "dpkg", "pip"
	Action    string `json:"action"`  // "install", "remove", "purge"
	BuildOnly bool   `json:"buildOnly,omitempty"`
	Pos       string `json:"pos"`
}

// FileChange is one path changed relative to the base.
type FileChange struct {
	Path   string `json:"path"`
	Change string `json:"change"` // "created", "changed", "removed"
	Type   string `json:"type"`   // "file", "dir", "symlink"
	Mode   string `json:"mode,omitempty"`
	Script string `json:"script,omitempty"`
	// Package names the package whose model predicted the file (its own
	// files, which a real install may lay out differently).
	Package string `json:"package,omitempty"`
}

// Service is a runit service the image declares.
type Service struct {
	Name string `json:"name"`
	Run  string `json:"run"` // path of the run script in the image, or the checked file
}

// Fetch is a network access that cannot be verified offline.
type Fetch struct {
	Pos  string   `json:"pos"`
	Tool string   `json:"tool"`
	URLs []string `json:"urls"`
}

// Diagnostic is a warning or error at a position.
type Diagnostic struct {
	Pos  string `json:"pos"` // file:line:col, or file alone
	Code string `json:"code"`
	Msg  string `json:"msg"`
}

// located is a position taken apart, as the JSON report adds it to Pos.
type located struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

func locate(pos string) located {
	var l located
	l.File, l.Line, l.Column = SplitPos(pos)
	return l
}

// MarshalJSON writes d with its position also taken apart: file, line and
// column (1-based; absent when Pos has none), for tools.
func (d Diagnostic) MarshalJSON() ([]byte, error) {
	type plain Diagnostic
	return json.Marshal(struct {
		plain
		located
	}{plain(d), locate(d.Pos)})
}

func (d Diagnostic) String() string {
	if d.Pos == "" {
		return d.Msg
	}
	return d.Pos + ": " + d.Msg
}

// Containment is a verdict of the sandbox: something a script tried that
// was kept from the host or stopped.
type Containment struct {
	Pos  string `json:"pos,omitempty"`
	What string `json:"what"` // e.g. "refused-exec", "loop-budget", "timeout", "memory-limit"
	Msg  string `json:"msg"`
}

// MarshalJSON writes c with its position also taken apart, as Diagnostic.
func (c Containment) MarshalJSON() ([]byte, error) {
	type plain Containment
	return json.Marshal(struct {
		plain
		located
	}{plain(c), locate(c.Pos)})
}

// SplitPos takes a position apart: "file:line:col", "file:line" or a file
// alone (line and column 0).
func SplitPos(pos string) (file string, line, col int) {
	file = pos
	for range 2 {
		i := strings.LastIndexByte(file, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(file[i+1:])
		if err != nil || n < 1 {
			break
		}
		file = file[:i]
		line, col = n, line
	}
	if col != 0 && line == 0 {
		line, col = col, 0
	}
	return file, line, col
}

func newReport(image string) *Report {
	return &Report{SchemaVersion: SchemaVersion, Image: image, seenDiag: map[string]bool{},
		Scripts: []ScriptResult{}, Commands: []Command{}, Packages: []Package{}, Files: []FileChange{},
		Services: []Service{}, Network: []Fetch{}, Warnings: []Diagnostic{}, Errors: []Diagnostic{}, Unknowns: []Diagnostic{}}
}

// verdict computes the report's verdict (see Report.Verdict).
func (r *Report) verdict() string {
	switch {
	case len(r.Errors) > 0:
		return VerdictError
	case len(r.Unknowns) > 0:
		return VerdictUnknown
	}
	return VerdictOK
}

// fillEmpty makes the lists a gob stream left nil empty again, as the
// JSON schema has them ([] rather than null).
func (r *Report) fillEmpty() {
	if r.Scripts == nil {
		r.Scripts = []ScriptResult{}
	}
	if r.Commands == nil {
		r.Commands = []Command{}
	}
	for i := range r.Commands {
		if r.Commands[i].Argv == nil {
			r.Commands[i].Argv = []string{}
		}
	}
	if r.Packages == nil {
		r.Packages = []Package{}
	}
	if r.Files == nil {
		r.Files = []FileChange{}
	}
	if r.Services == nil {
		r.Services = []Service{}
	}
	if r.Network == nil {
		r.Network = []Fetch{}
	}
	for i := range r.Network {
		if r.Network[i].URLs == nil {
			r.Network[i].URLs = []string{}
		}
	}
	if r.Warnings == nil {
		r.Warnings = []Diagnostic{}
	}
	if r.Errors == nil {
		r.Errors = []Diagnostic{}
	}
	if r.Unknowns == nil {
		r.Unknowns = []Diagnostic{}
	}
}

func (r *Report) diag(list *[]Diagnostic, pos, code, format string, args ...any) {
	d := Diagnostic{Pos: pos, Code: code, Msg: fmt.Sprintf(format, args...)}
	key := d.Pos + "\x00" + d.Code + "\x00" + d.Msg
	if r.seenDiag == nil {
		r.seenDiag = map[string]bool{}
	}
	if r.seenDiag[key] {
		return
	}
	r.seenDiag[key] = true
	*list = append(*list, d)
}

// Warnf adds a warning.
func (r *Report) warnf(pos, code, format string, args ...any) {
	r.diag(&r.Warnings, pos, code, format, args...)
}

// Errorf adds an error.
func (r *Report) errorf(pos, code, format string, args ...any) {
	r.diag(&r.Errors, pos, code, format, args...)
}

// unknownf adds an unknown outcome.
func (r *Report) unknownf(pos, code, format string, args ...any) {
	r.diag(&r.Unknowns, pos, code, format, args...)
}

func (r *Report) contain(pos, what, format string, args ...any) {
	c := Containment{Pos: pos, What: what, Msg: fmt.Sprintf(format, args...)}
	key := "c\x00" + c.Pos + "\x00" + c.What + "\x00" + c.Msg
	if r.seenDiag == nil {
		r.seenDiag = map[string]bool{}
	}
	if r.seenDiag[key] || len(r.Contained) >= 1000 {
		return
	}
	r.seenDiag[key] = true
	r.Contained = append(r.Contained, c)
}

// OK reports whether the dry run found no errors.
func (r *Report) OK() bool { return len(r.Errors) == 0 }

// Installed returns the names of the packages left installed, in order of
// installation, and whether each is build-only.
func (r *Report) Installed() []Package {
	var out []Package
	idx := map[string]int{}
	for _, p := range r.Packages {
		key := p.Manager + ":" + p.Name
		switch p.Action {
		case "install":
			if i, ok := idx[key]; ok {
				out[i].BuildOnly = out[i].BuildOnly && p.BuildOnly
				continue
			}
			idx[key] = len(out)
			out = append(out, p)
		case "remove", "purge":
			if i, ok := idx[key]; ok {
				out = append(out[:i], out[i+1:]...)
				delete(idx, key)
				for k, j := range idx {
					if j > i {
						idx[k] = j - 1
					}
				}
			}
		}
	}
	return out
}

// WriteJSON writes reports as one JSON document (Document) of an unnamed
// tool version.
func WriteJSON(w io.Writer, reports []*Report) error {
	return NewDocument(Tool{Name: "dmake"}, reports).WriteJSON(w)
}

// Tool names the program that wrote a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	Commit  string `json:"commit,omitempty"`
}

// Summary counts what the reports of a Document found.
type Summary struct {
	OK bool `json:"ok"` // no errors
	// Verdict is the worst of the images' verdicts: VerdictError, else
	// VerdictUnknown, else VerdictOK.
	Verdict       string `json:"verdict"`
	Images        int    `json:"images"`
	Scripts       int    `json:"scripts"`
	ScriptsFailed int    `json:"scriptsFailed"`
	Errors        int    `json:"errors"`
	Warnings      int    `json:"warnings"`
	// Unknown counts the unknown outcomes (Report.Unknowns).
	Unknown int `json:"unknown"`
	// ScriptsUnknown counts the scripts of status "unknown".
	ScriptsUnknown int `json:"scriptsUnknown"`
	// Unmodelled counts the commands the dry run has no model of
	// (assumed to succeed with no output).
	Unmodelled int `json:"unmodelled"`
	// Contained counts the sandbox's limitations met: things a script
	// tried that were kept from the host or stopped.
	Contained int `json:"contained"`
	// Network counts the network accesses that cannot be verified offline.
	Network int `json:"network"`
}

// Document is the JSON check report: the tool, a summary, and each
// image's report (shellrun/sandbox/testdata/report.schema.json).
type Document struct {
	SchemaVersion int       `json:"schemaVersion"`
	Tool          Tool      `json:"tool"`
	Summary       Summary   `json:"summary"`
	Images        []*Report `json:"images"`
}

// NewDocument makes the report document of reports.
func NewDocument(tool Tool, reports []*Report) Document {
	d := Document{SchemaVersion: SchemaVersion, Tool: tool, Images: reports}
	if d.Images == nil {
		d.Images = []*Report{}
	}
	d.Summary = Summary{OK: true, Images: len(reports)}
	for _, r := range reports {
		r.Verdict = r.verdict()
		d.Summary.Scripts += len(r.Scripts)
		for _, sc := range r.Scripts {
			switch sc.Status {
			case "failed":
				d.Summary.ScriptsFailed++
			case "unknown":
				d.Summary.ScriptsUnknown++
			}
		}
		d.Summary.Errors += len(r.Errors)
		d.Summary.Warnings += len(r.Warnings)
		d.Summary.Unknown += len(r.Unknowns)
		for _, c := range r.Commands {
			if c.Kind == "unknown" {
				d.Summary.Unmodelled++
			}
		}
		d.Summary.Contained += len(r.Contained)
		d.Summary.Network += len(r.Network)
	}
	d.Summary.OK = d.Summary.Errors == 0
	switch {
	case !d.Summary.OK:
		d.Summary.Verdict = VerdictError
	case d.Summary.Unknown > 0:
		d.Summary.Verdict = VerdictUnknown
	default:
		d.Summary.Verdict = VerdictOK
	}
	return d
}

// WriteJSON writes the document, indented.
func (d Document) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// WriteText writes a report for people.
//
// Every text that comes from a script (names, paths, URLs, messages) is
// written with its control characters escaped (see termSafe): a script
// cannot move the cursor or rewrite lines of the report.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "image %s", termSafe(r.Image))
	switch {
	case r.From != "":
		fmt.Fprintf(w, " (FROM %s)", termSafe(r.From))
	case r.Base != "":
		fmt.Fprintf(w, " (base %s)", termSafe(r.Base))
	}
	fmt.Fprintln(w, ":")
	for _, s := range r.Scripts {
		fmt.Fprintf(w, "  script %-40s %-7s %-4s %s", termSafe(s.Path), termSafe(string(s.Role)), termSafe(s.Shell), termSafe(s.Status))
		if s.Exit != 0 {
			fmt.Fprintf(w, " (exit %d)", s.Exit)
		}
		fmt.Fprintln(w)
	}
	var inst, tmp, rem []string
	for _, p := range r.Packages {
		switch {
		case p.Action == "install" && p.BuildOnly:
			tmp = append(tmp, p.Name)
		case p.Action == "install":
			inst = append(inst, p.Name)
		default:
			rem = append(rem, p.Name)
		}
	}
	list := func(title string, xs []string) {
		if len(xs) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", title, termSafe(strings.Join(uniq(xs), " ")))
		}
	}
	list("packages installed", inst)
	list("packages build-only (stripped in prod mode)", tmp)
	list("packages removed", rem)
	var svcs []string
	for _, s := range r.Services {
		svcs = append(svcs, s.Name)
	}
	list("services", svcs)
	counts := map[string]int{}
	for _, f := range r.Files {
		counts[f.Change]++
	}
	if len(r.Files) > 0 {
		fmt.Fprintf(w, "  files: %d created, %d changed, %d removed\n", counts["created"], counts["changed"], counts["removed"])
	}
	fmt.Fprintf(w, "  commands: %d\n", len(r.Commands))
	for _, f := range r.Network {
		fmt.Fprintf(w, "  network (not verifiable offline): %s: %s %s\n", termSafe(f.Pos), termSafe(f.Tool), termSafe(strings.Join(f.URLs, " ")))
	}
	for _, c := range r.Contained {
		if c.Pos != "" {
			fmt.Fprintf(w, "  contained: %s: %s: %s\n", termSafe(c.Pos), termSafe(c.What), termSafe(c.Msg))
		} else {
			fmt.Fprintf(w, "  contained: %s: %s\n", termSafe(c.What), termSafe(c.Msg))
		}
	}
	for _, d := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", termSafe(d.String()))
	}
	for _, d := range r.Unknowns {
		fmt.Fprintf(w, "  unknown: %s\n", termSafe(d.String()))
	}
	for _, d := range r.Errors {
		fmt.Fprintf(w, "  error: %s\n", termSafe(d.String()))
	}
	switch {
	case r.OK() && len(r.Unknowns) > 0:
		fmt.Fprintf(w, "  UNKNOWN: no errors, %d outcomes the check cannot tell, %d warnings\n", len(r.Unknowns), len(r.Warnings))
	case r.OK():
		fmt.Fprintf(w, "  ok: %d warnings\n", len(r.Warnings))
	default:
		fmt.Fprintf(w, "  FAILED: %d errors, %d warnings\n", len(r.Errors), len(r.Warnings))
	}
}

// termSafe returns s with the characters a terminal acts on or hides
// (C0 controls but tab, newline included; DEL; C1 controls; Unicode
// format characters such as bidirectional overrides) written as Go
// escapes (\x1b, \n, \u202e).
func termSafe(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 || unicode.Is(unicode.Cf, r)
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func splitPos(p string) (string, int, int) {
	var l, c int
	parts := strings.Split(p, ":")
	if len(parts) >= 3 {
		fmt.Sscan(parts[len(parts)-2], &l)
		fmt.Sscan(parts[len(parts)-1], &c)
		return strings.Join(parts[:len(parts)-2], ":"), l, c
	}
	return p, 0, 0
}
