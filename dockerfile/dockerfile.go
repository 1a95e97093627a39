// Package dockerfile reads Dockerfiles as the Dockerfile frontends do,
// line by line: instructions, continuation lines, comments and parser
// directives, and the here-documents of BuildKit's frontend (RUN <<EOF).
// It is the one reader of Dockerfiles that the image layer and the engine
// share.
package dockerfile

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Instruction is one Dockerfile instruction, continuation lines joined.
type Instruction struct {
	Cmd  string // keyword, upper case ("FROM", "RUN", …)
	Args string // the rest, continuation lines joined with a space
	Text string // the instruction as written (continuations kept)
	Line int    // 1-based line of the keyword
}

// Args0 returns the instruction on one line, as the classic builder prints
// it in "Step n/m : …".
func (in Instruction) Args0() string { return in.Cmd + " " + in.Args }

// Parse splits a Dockerfile into instructions. Comments and blank
// lines are dropped; name is used in error positions. The here-documents
// of a RUN, COPY or ADD (<<EOF … EOF, as BuildKit's Dockerfile frontend
// reads them) are part of the instruction: its Args hold them after a
// newline, as written, up to their terminators.
func Parse(name string, src []byte) ([]Instruction, error) {
	var (
		out  []Instruction
		cur  *Instruction
		args []string
		text []string
		body []string     // the here-documents' lines, terminators included
		ends []heredocEnd // the terminators still to come, in order
	)
	finish := func() {
		if cur != nil {
			cur.Args = strings.TrimSpace(strings.Join(args, " "))
			if len(body) > 0 {
				cur.Args += "\n" + strings.Join(body, "\n")
			}
			cur.Text = strings.Join(text, "\n")
			out = append(out, *cur)
			cur, args, text, body = nil, nil, nil, nil
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		raw := strings.TrimRight(sc.Text(), "\r")
		if len(ends) > 0 {
			text, body = append(text, raw), append(body, raw)
			line := raw
			if ends[0].tabs {
				line = strings.TrimLeft(line, "\t")
			}
			if line == ends[0].word {
				ends = ends[1:]
			}
			if len(ends) == 0 {
				finish()
			}
			continue
		}
		trimmed := strings.TrimSpace(raw)
		if cur == nil {
			if trimmed == "" || strings.HasPrefix(trimmed, "#") {
				continue
			}
			kw, rest, _ := strings.Cut(trimmed, " ")
			if i := strings.IndexAny(kw, "\t"); i >= 0 {
				kw, rest = kw[:i], kw[i+1:]+" "+rest
			}
			cur = &Instruction{Cmd: strings.ToUpper(kw), Line: n}
			trimmed = strings.TrimSpace(rest)
		} else if strings.HasPrefix(trimmed, "#") {
			text = append(text, raw)
			continue
		}
		text = append(text, raw)
		if strings.HasSuffix(trimmed, `\`) {
			args = append(args, strings.TrimSpace(strings.TrimSuffix(trimmed, `\`)))
			continue
		}
		args = append(args, trimmed)
		if cur.Cmd == "RUN" || cur.Cmd == "COPY" || cur.Cmd == "ADD" {
			if ends = heredocs(strings.Join(args, " ")); len(ends) > 0 {
				continue
			}
		}
		finish()
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(ends) > 0 {
		return nil, fmt.Errorf("%s:%d:1: the here-document of the %s instruction is not closed (no line %s)", name, cur.Line, cur.Cmd, ends[0].word)
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d:1: %s instruction continues past the end of the file", name, cur.Line, cur.Cmd)
	}
	return out, nil
}

// heredocEnd is the terminator of a here-document: its word, and whether
// leading tabs are stripped before a line is compared with it (<<-).
type heredocEnd struct {
	word string
	tabs bool
}

// heredocRe matches a here-document's start: <<WORD, <<-WORD, <<"WORD",
// <<'WORD' (not a here-string, <<<).
var heredocRe = regexp.MustCompile(`(?:^|[^<])<<(-?)(?:"([^"]+)"|'([^']+)'|([A-Za-z_][A-Za-z0-9_]*))`)

// heredocs returns the terminators of the here-documents an instruction's
// first line starts, in order.
func heredocs(line string) []heredocEnd {
	var out []heredocEnd
	for _, m := range heredocRe.FindAllStringSubmatch(line, -1) {
		out = append(out, heredocEnd{word: m[2] + m[3] + m[4], tabs: m[1] == "-"})
	}
	return out
}

// ArgsLine returns the instruction's arguments without its
// here-documents: their first line.
func (in Instruction) ArgsLine() string {
	l, _, _ := strings.Cut(in.Args, "\n")
	return l
}

// Heredocs returns the here-documents of the instruction, by the word
// that starts each (<<EOF: EOF), their lines as written, each ending in a
// newline.
func (in Instruction) Heredocs() map[string]string {
	first, rest, ok := strings.Cut(in.Args, "\n")
	if !ok {
		return nil
	}
	out := map[string]string{}
	lines := strings.Split(rest, "\n")
	for _, end := range heredocs(first) {
		var doc strings.Builder
		for len(lines) > 0 {
			l := lines[0]
			lines = lines[1:]
			if t := l; end.tabs && strings.TrimLeft(t, "\t") == end.word || t == end.word {
				break
			}
			if end.tabs {
				l = strings.TrimLeft(l, "\t")
			}
			doc.WriteString(l + "\n")
		}
		out[end.word] = doc.String()
	}
	return out
}

// HeredocScript returns, for a RUN whose command is a here-document alone
// (RUN <<EOF, its lines the script the shell runs), the script, which
// starts on the line after the RUN's; ok is false for any other RUN.
func HeredocScript(args string) (script string, ok bool) {
	first, rest, multi := strings.Cut(args, "\n")
	ends := heredocs(first)
	if !multi || len(ends) != 1 || strings.TrimSpace(heredocRe.ReplaceAllString(first, "")) != "" {
		return "", false
	}
	lines := strings.Split(rest, "\n")
	for i, l := range lines {
		if ends[0].tabs {
			l = strings.TrimLeft(l, "\t")
		}
		if l == ends[0].word {
			return strings.Join(lines[:i], "\n") + "\n", true
		}
	}
	return "", false
}
