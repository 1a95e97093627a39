package sandbox

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"mvdan.cc/sh/v3/syntax"
)

// TestInlineHeredocs checks that here-documents handed to the command
// models as an argument (inlineHeredocs) give the same dry run as the
// interpreter's own here-documents: the same report (commands, errors and
// their positions, steps) and the same file contents, and that the
// statements meant to be inlined are.
func TestInlineHeredocs(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		inlined   int // statements rewritten
	}{
		{"expansions", "x=1\ncat >/o <<EOF\na $x ${x:-d} $(echo hi) $((1+2)) `echo bq`\n'q' \"dq\"\nEOF\n", 1},
		{"quoted", "x=1\ncat >/o <<'EOF'\n$x \\$y \\\"z\\\" `q` $(no)\nEOF\n", 1},
		{"quoted-dq", "cat >/o <<\"EOF\"\n$x \\\\ \\\"\nEOF\n", 1},
		{"quoted-bs", "cat >/o <<\\EOF\n$x \\\\ \\\"\nEOF\n", 1},
		{"backslashes", "x=v\ncat >/o <<EOF\n" + `\" \\" \\\" \\\\ \$x \` + "`" + ` \a back\slash "\$x" \\$x end\\` + "\nEOF\n", 1},
		{"continuation", "cat >/o <<EOF\nab\\\ncd\nEOF\n", 1},
		{"params", "set -- a 'b c' d; arr=(x y)\ncat >/o <<EOF\n$@\n\"$@\" '$*' $* ${arr[@]} \"${arr[*]}\" $#\nEOF\n", 1},
		{"at-param", "set -- a 'b  c'\ncat >/o <<EOF\n$@\nEOF\n", 1},
		{"empty", "cat >/o <<EOF\nEOF\n", 1},
		{"tilde", "cat >/o <<EOF\n~/x ~root a=~\nEOF\n", 1},
		{"unbound", "set -u\ncat >/o <<EOF\nok $nope\nEOF\necho after\n", 1},
		{"errexit", "set -e\ngrep -q nomatch <<EOF\nabc\nEOF\ntouch /not-reached\n", 1},
		{"status", "grep -q b <<EOF && touch /yes\nabc\nEOF\n! grep -q z <<EOF || touch /no\nabc\nEOF\n", 2},
		{"bash", "bash <<EOF\nmkdir -p /o/nested\necho \\$0 > /o/zero\nEOF\n", 1},
		{"tee-args", "tee /o1 /o2 >/dev/null <<'EOF'\nhello\nEOF\n", 1},
		{"in-function", "f() {\n\tcat <<EOF\nin f $1\nEOF\n}\ny=$(f arg)\nprintf '%s\\n' \"$y\" >/o\n", 1},
		{"pipeline", "cat <<EOF | sed 's/a/b/' >/o\naaa\nEOF\n", 1},
		{"two", "cat >/a <<A\none\nA\ncat >>/a <<'B'\ntwo\nB\n", 2},
		{"compound", "if true; then\ncat >/a <<EOF\nx\nEOF\nfi\nfor i in 1; do cat >/b <<EOF\ny $i\nEOF\ndone\ncase x in x) cat >/c <<EOF\nz\nEOF\n;; esac\n(cat >/d <<EOF\nw\nEOF\n)\n{ cat >/e <<EOF\nv\nEOF\n}\nwhile ! cat >/f <<EOF; do :; done\nu\nEOF\n", 6},
		{"redirs", "cat 2>/dev/null >/o <<EOF\nx\nEOF\n", 1},
		// Not inlined, and so the same trivially: kept for the record.
		{"cmdsubst", "x=$(cat <<EOF\nq\nEOF\n)\nprintf '%s' \"$x\" >/o\n", 0},
		{"heredoc-first", "cat <<EOF >/o\nx\nEOF\n", 0},
		{"dash", "cat >/o <<-EOF\n\tx\n\t\ty\n\tEOF\n", 0},
		{"builtin", "read a b <<EOF\n1 2\nEOF\necho \"$a$b\" >/o\n", 0},
		{"var-arg", "f=/o\ntee \"$f\" <<EOF\nx\nEOF\n", 0},
		{"assign", "X=1 cat >/o <<EOF\nx\nEOF\n", 0},
		{"fd", "cat 3<<EOF >/o\nx\nEOF\n", 0},
		{"declared", "cat() { echo fn >/o; }\ncat <<EOF\nx\nEOF\n", 0},
		// A function declared at run time takes the original form.
		{"true-false", "true() { return 1; }\nfalse() { return 0; }\neval 'cat() { read l; echo \"fn $l\" >/o; }'\ncat <<EOF\nx\nEOF\ncat >/p <<EOF\ny\nEOF\n", 2},
		{"xtrace", "set -ex\ncat >/o <<EOF\nx\nEOF\ngrep -q z <<EOF\nabc\nEOF\n", 2},
		{"declared-later", "eval 'cat() { read l; echo \"fn $l\" >/o; }'\ncat <<EOF\nx\nEOF\n", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := syntax.NewParser().Parse(strings.NewReader(tc.src), "t.sh")
			if err != nil {
				t.Fatal(err)
			}
			h := newHelpers()
			inlineHeredocs(f, map[string]bool{"cat": strings.HasPrefix(tc.name, "declared") && tc.name != "declared-later"}, &h)
			var printed strings.Builder
			syntax.NewPrinter().Print(&printed, f)
			if got := strings.Count(printed.String(), h.probe); got != tc.inlined {
				t.Errorf("%d statements inlined, want %d:\n%s", got, tc.inlined, printed.String())
			}
			img := Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(tc.src), Role: RoleInstall, Shell: "bash"}}}
			opts := Options{Timeout: 5 * time.Second}
			wantRep, wantFS := dryRunFS(context.Background(), img, Options{Timeout: 5 * time.Second, keepHeredocs: true}, nil, nil, -1)
			gotRep, gotFS := dryRunFS(context.Background(), img, opts, nil, nil, -1)
			var wb, gb bytes.Buffer
			WriteJSON(&wb, []*Report{wantRep})
			WriteJSON(&gb, []*Report{gotRep})
			if wb.String() != gb.String() {
				t.Errorf("reports differ:\ninterpreter's here-documents:\n%s\ninlined:\n%s", wb.String(), gb.String())
			}
			if len(wantRep.Files) == 0 && tc.inlined > 0 && tc.name != "unbound" && tc.name != "errexit" {
				t.Errorf("the case writes no file: nothing compared")
			}
			for _, fc := range wantRep.Files {
				want, werr := wantFS.ReadFile(fc.Path)
				got, gerr := gotFS.ReadFile(fc.Path)
				if (werr == nil) != (gerr == nil) || !bytes.Equal(want, got) {
					t.Errorf("%s: got %q (%v), want %q (%v)", fc.Path, got, gerr, want, werr)
				}
			}
		})
	}
}
