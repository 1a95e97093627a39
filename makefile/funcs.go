package makefile

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/dmake-dev/dmake/internal/strerror"
)

// funcInfo describes a built-in function: make's function_table_entry.
type funcInfo struct {
	name       string
	minArgs    int
	maxArgs    int // 0: no limit
	expandArgs bool
	stripArgs  bool // if/or/and: conditions are stripped before expansion
	// fn is called with expanded arguments (expandArgs) or lazy ones.
	fn func(ev *evaluator, buf []byte, args []string) ([]byte, error)
	// lazy is called with unexpanded arguments.
	lazy func(ev *evaluator, buf []byte, args []node, raw []string) ([]byte, error)
}

var funcTable map[string]*funcInfo

func init() {
	fs := []*funcInfo{
		{name: "abspath", maxArgs: 1, expandArgs: true, fn: fnAbspath},
		{name: "addprefix", minArgs: 2, maxArgs: 2, expandArgs: true, fn: fnAddprefix},
		{name: "addsuffix", minArgs: 2, maxArgs: 2, expandArgs: true, fn: fnAddsuffix},
		{name: "basename", maxArgs: 1, expandArgs: true, fn: fnBasename},
		{name: "dir", maxArgs: 1, expandArgs: true, fn: fnDir},
		{name: "notdir", maxArgs: 1, expandArgs: true, fn: fnNotdir},
		{name: "subst", minArgs: 3, maxArgs: 3, expandArgs: true, fn: fnSubst},
		{name: "suffix", maxArgs: 1, expandArgs: true, fn: fnSuffix},
		{name: "filter", minArgs: 2, maxArgs: 2, expandArgs: true, fn: fnFilter},
		{name: "filter-out", minArgs: 2, maxArgs: 2, expandArgs: true, fn: fnFilterOut},
		{name: "findstring", minArgs: 2, maxArgs: 2, expandArgs: true, fn: fnFindstring},
		{name: "firstword", maxArgs: 1, expandArgs: true, fn: fnFirstword},
		{name: "flavor", maxArgs: 1, expandArgs: true, fn: fnFlavor},
		{name: "join", minArgs: 2, maxArgs: 2, expandArgs: true, fn: fnJoin},
		{name: "lastword", maxArgs: 1, expandArgs: true, fn: fnLastword},
		{name: "patsubst", minArgs: 3, maxArgs: 3, expandArgs: true, fn: fnPatsubst},
		{name: "realpath", maxArgs: 1, expandArgs: true, fn: fnRealpath},
		{name: "shell", maxArgs: 1, expandArgs: true, fn: fnShell},
		{name: "sort", maxArgs: 1, expandArgs: true, fn: fnSort},
		{name: "strip", maxArgs: 1, expandArgs: true, fn: fnStrip},
		{name: "wildcard", maxArgs: 1, expandArgs: true, fn: fnWildcard},
		{name: "word", minArgs: 2, maxArgs: 2, expandArgs: true, fn: fnWord},
		{name: "wordlist", minArgs: 3, maxArgs: 3, expandArgs: true, fn: fnWordlist},
		{name: "words", maxArgs: 1, expandArgs: true, fn: fnWords},
		{name: "origin", maxArgs: 1, expandArgs: true, fn: fnOrigin},
		{name: "foreach", minArgs: 3, maxArgs: 3, lazy: fnForeach},
		{name: "call", minArgs: 1, expandArgs: true, fn: fnCall},
		{name: "info", maxArgs: 1, expandArgs: true, fn: fnInfo},
		{name: "error", maxArgs: 1, expandArgs: true, fn: fnError},
		{name: "warning", maxArgs: 1, expandArgs: true, fn: fnWarning},
		{name: "if", minArgs: 2, maxArgs: 3, lazy: fnIf, stripArgs: true},
		{name: "or", minArgs: 1, lazy: fnOr, stripArgs: true},
		{name: "and", minArgs: 1, lazy: fnAnd, stripArgs: true},
		{name: "value", maxArgs: 1, expandArgs: true, fn: fnValue},
		{name: "eval", maxArgs: 1, expandArgs: true, fn: fnEval},
		{name: "file", minArgs: 1, maxArgs: 2, expandArgs: true, fn: fnFile},
		{name: "guile", maxArgs: 1, lazy: func(ev *evaluator, buf []byte, _ []node, _ []string) ([]byte, error) { return buf, nil }},
	}
	funcTable = make(map[string]*funcInfo, len(fs))
	for _, f := range fs {
		funcTable[f.name] = f
	}
}

func (ev *evaluator) call(buf []byte, c *funcCall) ([]byte, error) {
	if !ev.enter() {
		return buf, ev.tooDeep("$(" + c.fn.name + " …)")
	}
	defer ev.leave()
	if len(c.args) < c.fn.minArgs {
		return buf, ev.fatalExp("insufficient number of arguments (" + strconv.Itoa(len(c.args)) + ") to function '" + c.fn.name + "'")
	}
	if c.fn.lazy != nil {
		return c.fn.lazy(ev, buf, c.args, c.raw)
	}
	args := make([]string, len(c.args))
	for i, a := range c.args {
		s, err := ev.expandString(a)
		if err != nil {
			return buf, err
		}
		args[i] = s
	}
	return c.fn.fn(ev, buf, args)
}

func isWS(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// nextWord returns the next whitespace-separated word of s at or after *i.
func nextWord(s string, i *int) (string, bool) {
	p := *i
	for p < len(s) && isWS(s[p]) {
		p++
	}
	if p >= len(s) {
		*i = p
		return "", false
	}
	q := p
	for q < len(s) && !isWS(s[q]) {
		q++
	}
	*i = q
	return s[p:q], true
}

// fields splits s into words.
func fields(s string) []string {
	var out []string
	i := 0
	for {
		w, ok := nextWord(s, &i)
		if !ok {
			return out
		}
		out = append(out, w)
	}
}

// trimSpace strips make whitespace from both ends.
func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isWS(s[i]) {
		i++
	}
	for j > i && isWS(s[j-1]) {
		j--
	}
	return s[i:j]
}

func itoa(i int) string { return strconv.Itoa(i) }

// wordJoiner appends words separated by single spaces; empty words keep
// their separators, as make's "output word, output space" loops do.
type wordJoiner struct {
	buf   []byte
	start int
	n     int
}

func (w *wordJoiner) add(s string) {
	if w.n > 0 {
		w.buf = append(w.buf, ' ')
	}
	w.n++
	w.buf = append(w.buf, s...)
}

// findPercent returns s with the backslashes that quote % characters
// resolved and the index of the first unquoted %, or -1, as make's
// find_percent: n backslashes before a % become n/2, and the % is quoted
// when n is odd.
func findPercent(s string) (string, int) {
	i := strings.IndexByte(s, '%')
	if i < 0 || strings.IndexByte(s, '\\') < 0 {
		return s, i
	}
	var b []byte
	start := 0
	for p := i; p < len(s); p++ {
		if s[p] != '%' {
			continue
		}
		n := 0
		for q := p - 1; q >= start && s[q] == '\\'; q-- {
			n++
		}
		b = append(b, s[start:p-n]...)
		for k := 0; k < n/2; k++ {
			b = append(b, '\\')
		}
		if n%2 == 0 {
			idx := len(b)
			b = append(b, s[p:]...)
			return string(b), idx
		}
		b = append(b, '%')
		start = p + 1
	}
	b = append(b, s[start:]...)
	return string(b), -1
}

// matchPattern reports whether word matches pattern pat (with % at pct, -1
// for none) and returns the stem.
func matchPattern(pat string, pct int, word string) (string, bool) {
	if pct < 0 {
		return "", pat == word
	}
	pre, suf := pat[:pct], pat[pct+1:]
	if len(word) < len(pre)+len(suf) || !strings.HasPrefix(word, pre) || !strings.HasSuffix(word, suf) {
		return "", false
	}
	return word[len(pre) : len(word)-len(suf)], true
}

// patsubstWords is make's patsubst_expand_pat.
func patsubstWords(buf []byte, max int, text, pat, rep string) []byte {
	pat, pp := findPercent(pat)
	if pp < 0 {
		return substByWord(buf, max, text, pat, rep)
	}
	rp := -1
	rep, rp = findPercent(rep)
	repPre := len(rep)
	if rp >= 0 {
		repPre = rp
	}
	doneAny := false
	i := 0
	for {
		word, ok := nextWord(text, &i)
		if !ok {
			break
		}
		if len(buf) > max {
			return buf // the caller reports it
		}
		stem, m := matchPattern(pat, pp, word)
		if !m {
			buf = append(buf, word...)
		} else if rp < 0 {
			buf = append(buf, rep...)
		} else {
			buf = append(buf, rep[:rp]...)
			buf = append(buf, stem...)
			buf = append(buf, rep[rp+1:]...)
		}
		if !m || repPre > 0 || (rp >= 0 && len(word)+len(rep)-rp-1 > 0) {
			buf = append(buf, ' ')
			doneAny = true
		}
	}
	if doneAny {
		buf = buf[:len(buf)-1]
	}
	return buf
}

// substByWord is make's subst_expand with by_word set: pat is replaced
// where it is a whole word; the text's whitespace is kept.
func substByWord(buf []byte, max int, text, pat, rep string) []byte {
	t := 0
	for {
		if len(buf) > max {
			return buf // the caller reports it
		}
		var p int
		if pat == "" {
			q := t
			for q < len(text) && isWS(text[q]) {
				q++
			}
			for q < len(text) && !isWS(text[q]) {
				q++
			}
			p = q
		} else {
			k := strings.Index(text[t:], pat)
			if k < 0 {
				return append(buf, text[t:]...)
			}
			p = t + k
		}
		buf = append(buf, text[t:p]...)
		end := p + len(pat)
		if (p > 0 && !isWS(text[p-1])) || (end < len(text) && !isWS(text[end])) {
			buf = append(buf, pat...)
		} else {
			buf = append(buf, rep...)
		}
		t = end
		if t >= len(text) {
			return buf
		}
	}
}

func fnSubst(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	if a[0] == "" {
		buf = append(buf, a[2]...)
		return append(buf, a[1]...), nil
	}
	if n := strings.Count(a[2], a[0]); len(a[2])+n*(len(a[1])-len(a[0])) > ev.maxValue() {
		return buf, ev.tooLarge("the expansion")
	}
	return append(buf, strings.ReplaceAll(a[2], a[0], a[1])...), nil
}

func fnPatsubst(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return patsubstWords(buf, ev.maxValue(), a[2], a[0], a[1]), nil
}

func fnStrip(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	w := wordJoiner{buf: buf, start: len(buf)}
	i := 0
	for {
		word, ok := nextWord(a[0], &i)
		if !ok {
			return w.buf, nil
		}
		w.add(word)
	}
}

func fnFindstring(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	if strings.Contains(a[1], a[0]) {
		buf = append(buf, a[0]...)
	}
	return buf, nil
}

type compiledPat struct {
	pat string
	pct int
}

func compilePats(s string) []compiledPat {
	var ps []compiledPat
	for _, w := range fields(s) {
		p, i := findPercent(w)
		ps = append(ps, compiledPat{p, i})
	}
	return ps
}

func filterWords(buf []byte, pats, text string, keep bool) []byte {
	ps := compilePats(pats)
	w := wordJoiner{buf: buf, start: len(buf)}
	i := 0
	for {
		word, ok := nextWord(text, &i)
		if !ok {
			return w.buf
		}
		m := false
		for _, p := range ps {
			if _, ok := matchPattern(p.pat, p.pct, word); ok {
				m = true
				break
			}
		}
		if m == keep {
			w.add(word)
		}
	}
}

func fnFilter(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return filterWords(buf, a[0], a[1], true), nil
}

func fnFilterOut(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return filterWords(buf, a[0], a[1], false), nil
}

func fnSort(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	ws := fields(a[0])
	sort.Strings(ws)
	w := wordJoiner{buf: buf, start: len(buf)}
	for i, s := range ws {
		if i > 0 && ws[i-1] == s {
			continue
		}
		w.add(s)
	}
	return w.buf, nil
}

func checkNumeric(ev *evaluator, s, msg string) error {
	t := trimSpace(s)
	if t == "" {
		return ev.fatalExp(msg + ": '" + s + "'")
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return ev.fatalExp(msg + ": '" + s + "'")
		}
	}
	return nil
}

// atoi is C's atoi on a checked numeric string.
func atoi(s string) int {
	t := trimSpace(s)
	n := 0
	for i := 0; i < len(t) && t[i] >= '0' && t[i] <= '9'; i++ {
		n = n*10 + int(t[i]-'0')
		if n > 1<<31 {
			n = 1 << 31
		}
	}
	return n
}

func fnWord(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	if err := checkNumeric(ev, a[0], "non-numeric first argument to 'word' function"); err != nil {
		return buf, err
	}
	n := atoi(a[0])
	if n == 0 {
		return buf, ev.fatalExp("first argument to 'word' function must be greater than 0")
	}
	i := 0
	for {
		w, ok := nextWord(a[1], &i)
		if !ok {
			return buf, nil
		}
		n--
		if n == 0 {
			return append(buf, w...), nil
		}
	}
}

func fnWordlist(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	if err := checkNumeric(ev, a[0], "non-numeric first argument to 'wordlist' function"); err != nil {
		return buf, err
	}
	if err := checkNumeric(ev, a[1], "non-numeric second argument to 'wordlist' function"); err != nil {
		return buf, err
	}
	start := atoi(a[0])
	if start < 1 {
		return buf, ev.fatalExp("invalid first argument to 'wordlist' function: '" + strconv.Itoa(start) + "'")
	}
	count := atoi(a[1]) - start + 1
	if count <= 0 {
		return buf, nil
	}
	// make copies the text from the start of the first word to the end
	// of the last one, whitespace and all.
	text := a[2]
	i, end := 0, 0
	begin := -1
	for n := 0; ; {
		w, ok := nextWord(text, &i)
		if !ok {
			break
		}
		end = i
		n++
		if n == start {
			begin = i - len(w)
		}
		if begin >= 0 {
			count--
			if count == 0 {
				return append(buf, text[begin:i]...), nil
			}
		}
	}
	if begin < 0 {
		return buf, nil
	}
	return append(buf, text[begin:end]...), nil
}

func fnWords(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	n, i := 0, 0
	for {
		if _, ok := nextWord(a[0], &i); !ok {
			break
		}
		n++
	}
	return strconv.AppendInt(buf, int64(n), 10), nil
}

func fnFirstword(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	i := 0
	w, _ := nextWord(a[0], &i)
	return append(buf, w...), nil
}

func fnLastword(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	i := 0
	last := ""
	for {
		w, ok := nextWord(a[0], &i)
		if !ok {
			return append(buf, last...), nil
		}
		last = w
	}
}

// mapWords appends f's words for each word of text; it stops early once
// the text is longer than max (the caller reports that).
func mapWords(buf []byte, max int, text string, f func(w *wordJoiner, word string)) []byte {
	w := wordJoiner{buf: buf, start: len(buf)}
	i := 0
	for {
		word, ok := nextWord(text, &i)
		if !ok || len(w.buf) > max {
			return w.buf
		}
		f(&w, word)
	}
}

func fnDir(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return mapWords(buf, ev.maxValue(), a[0], func(w *wordJoiner, s string) {
		if i := strings.LastIndexByte(s, '/'); i >= 0 {
			w.add(s[:i+1])
		} else {
			w.add("./")
		}
	}), nil
}

func fnNotdir(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return mapWords(buf, ev.maxValue(), a[0], func(w *wordJoiner, s string) {
		if i := strings.LastIndexByte(s, '/'); i >= 0 {
			w.add(s[i+1:])
		} else {
			w.add(s)
		}
	}), nil
}

// suffixIndex returns the index of the suffix's dot, or -1.
func suffixIndex(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return -1
		}
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

func fnSuffix(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return mapWords(buf, ev.maxValue(), a[0], func(w *wordJoiner, s string) {
		if i := suffixIndex(s); i >= 0 {
			w.add(s[i:])
		}
	}), nil
}

func fnBasename(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return mapWords(buf, ev.maxValue(), a[0], func(w *wordJoiner, s string) {
		if i := suffixIndex(s); i >= 0 {
			w.add(s[:i])
		} else {
			w.add(s)
		}
	}), nil
}

func fnAddprefix(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return mapWords(buf, ev.maxValue(), a[1], func(w *wordJoiner, s string) { w.add(a[0] + s) }), nil
}

func fnAddsuffix(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return mapWords(buf, ev.maxValue(), a[1], func(w *wordJoiner, s string) { w.add(s + a[0]) }), nil
}

func fnJoin(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	x, y := fields(a[0]), fields(a[1])
	w := wordJoiner{buf: buf, start: len(buf)}
	for i := 0; i < len(x) || i < len(y); i++ {
		s := ""
		if i < len(x) {
			s = x[i]
		}
		if i < len(y) {
			s += y[i]
		}
		w.add(s)
	}
	return w.buf, nil
}

func (ev *evaluator) curdir() string {
	return ev.db.curdir
}

// abspath is make's abspath: lexical, relative to CURDIR.
func (ev *evaluator) abspath(s string) string {
	if s == "" {
		return ""
	}
	if s[0] != '/' {
		s = ev.curdir() + "/" + s
	}
	out := filepath.Clean(s)
	return out
}

func fnAbspath(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return mapWords(buf, ev.maxValue(), a[0], func(w *wordJoiner, s string) {
		w.add(ev.abspath(s))
	}), nil
}

func fnRealpath(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return mapWords(buf, ev.maxValue(), a[0], func(w *wordJoiner, s string) {
		p := ev.abspath(s)
		r := realpathOf(p)
		if ev.rec != nil {
			ev.rec.add(Input{Kind: InputRealpath, Name: p, Result: r})
		}
		if len(r) > 0 {
			w.add(r[0])
		}
	}), nil
}

func fnWildcard(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return mapWords(buf, ev.maxValue(), a[0], func(w *wordJoiner, s string) {
		for _, m := range ev.glob(s) {
			w.add(m)
		}
	}), nil
}

// glob expands pattern relative to CURDIR, sorted, as make's wildcard.
func (ev *evaluator) glob(pat string) []string {
	p := pat
	if strings.HasPrefix(p, "~") {
		if p == "~" || strings.HasPrefix(p, "~/") {
			home := ""
			if v := ev.lookup("HOME"); v != nil {
				home, _ = ev.expandVar(ev.ctx, v, nil)
			}
			if home == "" {
				home = ev.getenv("HOME")
			}
			p = home + p[1:]
		}
	}
	if ev.rec == nil {
		return globAt(ev.ctx, ev.curdir(), p, ev.db.dirs, nil)
	}
	var deps globDeps
	ms := globAt(ev.ctx, ev.curdir(), p, ev.db.dirs, &deps)
	ev.rec.glob(p, ev.curdir(), ms, &deps)
	return ms
}

// globDeps is what a glob looked at: the directories it listed, the
// names whose existence it probed. While none of them changes, neither
// does its result.
type globDeps struct {
	deps []Listed
}

func (d *globDeps) add(path string, kind ListedKind) {
	if d != nil {
		d.deps = append(d.deps, Listed{Path: path, Kind: kind})
	}
}

// globAt expands the pattern p (after ~ expansion) relative to curdir,
// sorted, reading directories through dirs (nil: afresh), noting in deps
// (if not nil) what it read.
func globAt(ctx context.Context, curdir, p string, dirs *dirCache, deps *globDeps) []string {
	if !strings.ContainsAny(p, "*?[") {
		// Trailing slashes: glob(3) looks up the name without them
		// and marks it with one when it is a directory ("file/" is
		// "file", "dir//" is "dir/").
		name := strings.TrimRight(p, "/")
		slash := name != p
		if slash && name == "" {
			return []string{"/"}
		}
		deps.add(pathAt(curdir, name), ListedLstat)
		// Not cleaned where a "." or ".." would go: "file/." does
		// not exist.
		raw := pathAt(curdir, name)
		if strings.Contains("/"+name+"/", "/./") || strings.Contains("/"+name+"/", "/../") {
			raw = name
			if curdir != "" && !filepath.IsAbs(name) {
				raw = curdir + "/" + name
			}
		}
		if _, err := os.Lstat(raw); err != nil {
			return nil
		}
		if !slash {
			return []string{p}
		}
		deps.add(pathAt(curdir, name), ListedStat)
		if st, err := os.Stat(raw); err == nil && st.IsDir() {
			return []string{name + "/"}
		}
		return []string{name}
	}
	ms := globSegments(ctx, curdir, p, dirs, deps)
	sort.Strings(ms)
	return ms
}

// globSegments expands a pattern with wildcards segment by segment, as
// glob(3) does for make: "*" does not match a leading dot, ".*" matches
// "." and "..", a trailing slash keeps only directories. A directory a
// wildcard looks in is read through dirs, and the names before it are
// not checked on their own (glob opens "sub/x" for "sub/x/*.c"), so that
// a directory first found missing stays missing for the cache.
func globSegments(ctx context.Context, curdir, p string, dirs *dirCache, deps *globDeps) []string {
	segs := strings.Split(p, "/")
	cands := []string{""}
	if strings.HasPrefix(p, "/") {
		cands = []string{"/"}
		segs = segs[1:]
	}
	join := func(c, name string) string {
		if c == "" || strings.HasSuffix(c, "/") {
			return c + name
		}
		return c + "/" + name
	}
	for i, seg := range segs {
		if ctx.Err() != nil {
			return nil
		}
		last := i == len(segs)-1
		if seg == "" {
			if last {
				// trailing slash: directories only
				var out []string
				for _, c := range cands {
					deps.add(pathAt(curdir, c), ListedStat)
					if st, err := os.Stat(pathAt(curdir, c)); err == nil && st.IsDir() {
						out = append(out, c+"/")
					}
				}
				return out
			}
			for k := range cands {
				cands[k] += "/"
			}
			continue
		}
		var next []string
		if !strings.ContainsAny(seg, "*?[") {
			if !last && !strings.ContainsAny(strings.Join(segs[:i], "/"), "*?[") {
				// A directory name before the first wildcard: the
				// wildcard's directory read says whether it exists.
				for k := range cands {
					cands[k] = join(cands[k], seg)
				}
				continue
			}
			for _, c := range cands {
				n := join(c, seg)
				if seg == "." || seg == ".." {
					// The OS path of "c/." is cleaned to c: c
					// itself must be a directory, as the kernel
					// wants for glob's "c/.".
					deps.add(pathAt(curdir, c), ListedStat)
					if st, err := os.Stat(pathAt(curdir, c)); err == nil && st.IsDir() {
						next = append(next, n)
					}
					continue
				}
				deps.add(pathAt(curdir, n), ListedLstat)
				if _, err := os.Lstat(pathAt(curdir, n)); err == nil {
					next = append(next, n)
				}
			}
		} else {
			for _, c := range cands {
				dir := c
				if dir == "" {
					dir = "."
				}
				deps.add(pathAt(curdir, dir), ListedDir)
				ents, ok := dirs.names(pathAt(curdir, dir))
				if !ok {
					continue
				}
				names := make([]string, 0, len(ents)+2)
				if seg[0] == '.' {
					names = append(names, ".", "..")
				}
				names = append(names, ents...)
				for _, name := range names {
					if name[0] == '.' && seg[0] != '.' {
						continue
					}
					if ok, err := filepath.Match(goPattern(seg), name); err == nil && ok {
						next = append(next, join(c, name))
					}
				}
			}
		}
		cands = next
		if len(cands) == 0 {
			return nil
		}
	}
	return cands
}

// path makes a make-relative name a path for the OS.
func (ev *evaluator) path(p string) string { return pathAt(ev.curdir(), p) }

// goPattern returns a glob(3) pattern in filepath.Match's syntax: a
// bracket expression is negated by "[!...]" in glob(3), "[^...]" in Go,
// and a "]" first in it is a member in glob(3), "\\]" in Go.
func goPattern(p string) string {
	if !strings.Contains(p, "[") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' && i+1 < len(p) {
			b.WriteString(p[i : i+2])
			i++
			continue
		}
		end := strings.IndexByte(p[i+1:], ']')
		if c != '[' || end < 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('[')
		j := i + 1
		if j < len(p) && (p[j] == '!' || p[j] == '^') {
			b.WriteByte('^')
			j++
		}
		if j < len(p) && p[j] == ']' {
			b.WriteString("\\]")
			j++
		}
		k := strings.IndexByte(p[j:], ']')
		if k < 0 {
			// no closing bracket: the rest as it is
			b.WriteString(p[j:])
			return b.String()
		}
		b.WriteString(p[j : j+k+1])
		i = j + k
	}
	return b.String()
}

// pathAt makes a name relative to curdir a path for the OS.
func pathAt(curdir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(curdir, p)
}

func fnOrigin(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	v := ev.lookup(a[0])
	if v == nil {
		return append(buf, "undefined"...), nil
	}
	return append(buf, v.Origin.String()...), nil
}

func fnFlavor(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	v := ev.lookup(a[0])
	if v == nil {
		return append(buf, "undefined"...), nil
	}
	return append(buf, v.Flavor.String()...), nil
}

func fnValue(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	v := ev.lookup(a[0])
	if v == nil {
		return buf, nil
	}
	return append(buf, v.Value...), nil
}

func fnIf(ev *evaluator, buf []byte, args []node, raw []string) ([]byte, error) {
	c, err := ev.expandString(args[0])
	if err != nil {
		return buf, err
	}
	if c != "" {
		return ev.expand(buf, args[1])
	}
	if len(args) > 2 {
		return ev.expand(buf, args[2])
	}
	return buf, nil
}

func fnOr(ev *evaluator, buf []byte, args []node, raw []string) ([]byte, error) {
	for _, a := range args {
		s, err := ev.expandString(a)
		if err != nil {
			return buf, err
		}
		if s != "" {
			return append(buf, s...), nil
		}
	}
	return buf, nil
}

func fnAnd(ev *evaluator, buf []byte, args []node, raw []string) ([]byte, error) {
	last := ""
	for _, a := range args {
		s, err := ev.expandString(a)
		if err != nil {
			return buf, err
		}
		last = s
		if last == "" {
			return buf, nil
		}
	}
	return append(buf, last...), nil
}

func fnForeach(ev *evaluator, buf []byte, args []node, raw []string) ([]byte, error) {
	name, err := ev.expandString(args[0])
	if err != nil {
		return buf, err
	}
	name = trimSpace(name)
	list, err := ev.expandString(args[1])
	if err != nil {
		return buf, err
	}
	set := newVarSet()
	defer ev.pushScope(set)()
	v := &Var{Name: name, Flavor: Simple, Origin: OriginAutomatic}
	set.set(v)
	i := 0
	done := false
	for {
		word, ok := nextWord(list, &i)
		if !ok {
			break
		}
		v.Value = word
		if err := ev.ctx.Err(); err != nil {
			return buf, err
		}
		if len(buf) > ev.maxValue() {
			return buf[:0], ev.tooLarge("the expansion")
		}
		if buf, err = ev.expand(buf, args[2]); err != nil {
			return buf, err
		}
		buf = append(buf, ' ')
		done = true
	}
	if done {
		buf = buf[:len(buf)-1]
	}
	return buf, nil
}

func fnCall(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	name := trimSpace(a[0])
	if name == "" {
		return buf, nil
	}
	if fn := funcTable[name]; fn != nil {
		args := a[1:]
		if len(args) < fn.minArgs {
			return buf, ev.fatalExp("insufficient number of arguments (" + strconv.Itoa(len(args)) + ") to function '" + fn.name + "'")
		}
		switch fn.name {
		case "info", "warning", "error":
			// make joins their arguments back with ", "
			args = []string{strings.Join(args, ", ")}
		}
		if fn.lazy != nil {
			// the arguments were expanded once by call; the function
			// expands them again as it would its own
			nodes := make([]node, len(args))
			for i, s := range args {
				if fn.stripArgs && (i == 0 || fn.name != "if") {
					s = trimSpace(s)
				}
				nodes[i] = parseExpr(s)
			}
			return fn.lazy(ev, buf, nodes, args)
		}
		if len(args) == 0 {
			args = []string{""}
		}
		return fn.fn(ev, buf, args)
	}
	v := ev.lookup(name)
	if v == nil || v.Value == "" {
		return buf, nil
	}
	set := newVarSet()
	for i, s := range a {
		set.set(&Var{Name: strconv.Itoa(i), Flavor: Simple, Origin: OriginAutomatic, Value: s})
	}
	for i := len(a); i < ev.maxArgs; i++ {
		set.set(&Var{Name: strconv.Itoa(i), Flavor: Simple, Origin: OriginAutomatic})
	}
	savedMax := ev.maxArgs
	pop := ev.pushScope(set)
	ev.maxArgs = len(a)
	if !ev.enter() {
		pop()
		ev.maxArgs = savedMax
		return buf, ev.tooDeep("$(call " + name + ")")
	}
	defer func() { pop(); ev.maxArgs = savedMax; ev.leave() }()
	if err := ev.ctx.Err(); err != nil {
		return buf, err
	}
	if v.Flavor != Recursive && !v.Append {
		return append(buf, v.Value...), nil
	}
	// make expands "$(name)": the variable is looked up again in the new
	// scope (an argument named like it would shadow it).
	v2 := ev.lookup(name)
	if v2 == nil || (v2.Value == "" && !v2.Append) {
		return buf, nil
	}
	if v2.Flavor != Recursive && !v2.Append {
		return append(buf, v2.Value...), nil
	}
	wasExpanding := v2.expanding
	v2.expanding = false
	buf, err := ev.recursivelyExpand(buf, v2)
	v2.expanding = wasExpanding
	return buf, err
}

func fnInfo(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	ev.flushOut()
	if ev.stdout != nil {
		ev.stdout.Write([]byte(a[0] + "\n"))
	}
	return buf, nil
}

func fnWarning(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	ev.warnAt(ev.reading, a[0])
	return buf, nil
}

func fnError(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return buf, &Error{Pos: ev.reading, Msg: a[0]}
}

// warnAt prints a message as make's error(): "file:line: msg" or
// "prog: msg".
func (ev *evaluator) warnAt(p Pos, msg string) {
	if ev.stderr == nil {
		return
	}
	ev.flushOut()
	if p.File != "" {
		ev.stderr.Write([]byte(p.File + ":" + strconv.Itoa(p.Line) + ": " + msg + "\n"))
	} else {
		ev.stderr.Write([]byte(ev.prog + ": " + msg + "\n"))
	}
}

func (ev *evaluator) flushOut() {}

func fnEval(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	return buf, ev.evalBuffer(a[0])
}

func fnShell(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	out, status, err := ev.runShell(a[0])
	if err != nil {
		return buf, err
	}
	ev.setShellStatus(status)
	return append(buf, foldNewlines(out, true)...), nil
}

// shell runs cmd for "!=".
func (ev *evaluator) shell(cmd string) (string, error) {
	out, status, err := ev.runShell(cmd)
	if err != nil {
		return "", err
	}
	ev.setShellStatus(status)
	return foldNewlines(out, false), nil
}

// setShellStatus sets .SHELLSTATUS in make's current variable set: the
// globals, or, while a recipe is expanded, the target's own variables
// (where make -p then shows it as a target-specific variable).
func (ev *evaluator) setShellStatus(status int) {
	v := &Var{Name: ".SHELLSTATUS", Flavor: Simple, Origin: OriginOverride, Value: strconv.Itoa(status)}
	set := ev.globals
	if ev.recipeOwn != nil {
		set = ev.recipeOwn.set
		if t := ev.db.Targets[ev.recipeTarget]; t != nil && t.Vars == nil {
			t.Vars = set
		}
	}
	if old := set.m[".SHELLSTATUS"]; old != nil {
		v.Export = old.Export
	} else if old := ev.globals.m[".SHELLSTATUS"]; old != nil {
		v.Export = old.Export
	}
	set.set(v)
}

// foldNewlines is make's fold_newlines.
func foldNewlines(out []byte, trim bool) string {
	b := make([]byte, 0, len(out))
	lastNonNL := -1
	for i := 0; i < len(out); i++ {
		c := out[i]
		if c == '\r' && i+1 < len(out) && out[i+1] == '\n' {
			continue
		}
		if c == '\n' {
			b = append(b, ' ')
		} else {
			lastNonNL = len(b)
			b = append(b, c)
		}
	}
	if !trim && lastNonNL < len(b)-2 {
		lastNonNL = len(b) - 2
	}
	return string(b[:lastNonNL+1])
}

func fnFile(ev *evaluator, buf []byte, a []string) ([]byte, error) {
	fn := a[0]
	i := 0
	for i < len(fn) && isWS(fn[i]) {
		i++
	}
	fn = fn[i:]
	fn = strings.TrimRight(fn, " \t\n\v\f\r")
	switch {
	case strings.HasPrefix(fn, ">"):
		flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		fn = fn[1:]
		if strings.HasPrefix(fn, ">") {
			flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
			fn = fn[1:]
		}
		fn = trimSpace(fn)
		if fn == "" {
			return buf, &Error{Pos: ev.reading, Msg: "file: missing filename"}
		}
		if ev.cfg.ReadOnly {
			return buf, &Error{Pos: ev.reading, Msg: "open: " + fn + ": Read-only file system"}
		}
		if ev.rec != nil && ev.rec.in.Uncacheable == "" {
			ev.rec.in.Uncacheable = "$(file >" + fn + ") wrote a file while reading"
		}
		f, err := os.OpenFile(ev.path(fn), flag, 0o666)
		if err != nil {
			return buf, &Error{Pos: ev.reading, Msg: "open: " + fn + ": " + strerror.Text(err)}
		}
		defer f.Close()
		if len(a) > 1 {
			t := a[1]
			if t == "" || t[len(t)-1] != '\n' {
				t += "\n"
			}
			if _, err := f.WriteString(t); err != nil {
				return buf, &Error{Pos: ev.reading, Msg: "write: " + fn + ": " + strerror.Text(err)}
			}
		}
		return buf, nil
	case strings.HasPrefix(fn, "<"):
		fn = trimSpace(fn[1:])
		if len(a) > 1 {
			return buf, &Error{Pos: ev.reading, Msg: "file: too many arguments"}
		}
		if fn == "" {
			return buf, &Error{Pos: ev.reading, Msg: "file: missing filename"}
		}
		if ev.cfg.ReadOnly && !ev.regularFile(ev.path(fn)) {
			return buf, nil
		}
		data, err := ev.readFile(ev.path(fn), ev.maxValue())
		if err != nil {
			if os.IsNotExist(err) {
				return buf, nil
			}
			return buf, &Error{Pos: ev.reading, Msg: "open: " + fn + ": " + strerror.Text(err)}
		}
		if n := len(data); n > 0 && data[n-1] == '\n' {
			data = data[:n-1]
		}
		return append(buf, data...), nil
	}
	return buf, &Error{Pos: ev.reading, Msg: "file: invalid file operation: " + fn}
}
