package makefile

import (
	"reflect"
	"testing"
)

func TestCollapseContinuations(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a", "a"},
		{"a \\\n   b", "a b"},
		{"a\\\nb", "a b"},
		{"a   \\\n\tb", "a b"},
		{"a\\\\\nb", "a\\\nb"},
		{"a\\\\\\\nb", "a\\ b"},
		{"a \\\n \\\n b", "a b"},
	}
	for _, tt := range tests {
		if got := collapseContinuations(tt.in, false); got != tt.want {
			t.Errorf("collapseContinuations(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseVarDefinition(t *testing.T) {
	tests := []struct {
		in             string
		name, op, rest string
		ok             bool
	}{
		{"A = 1", "A", "=", "1", true},
		{"A:=1", "A", ":=", "1", true},
		{"A ::= 1", "A", "::=", "1", true},
		{"A += x y", "A", "+=", "x y", true},
		{"A ?=", "A", "?=", "", true},
		{"A != echo", "A", "!=", "echo", true},
		{"$(x:a=b) = 1", "$(x:a=b)", "=", "1", true},
		{"a b = 1", "", "", "", false},
		{"a: b", "", "", "", false},
		{"# A = 1", "", "", "", false},
		{"A=", "A", "=", "", true},
	}
	for _, tt := range tests {
		name, op, rest, ok := parseVarDefinition(tt.in)
		if ok != tt.ok || name != tt.name || op != tt.op || rest != tt.rest {
			t.Errorf("parseVarDefinition(%q) = %q %q %q %v, want %q %q %q %v", tt.in, name, op, rest, ok, tt.name, tt.op, tt.rest, tt.ok)
		}
	}
}

func TestFindPercent(t *testing.T) {
	tests := []struct {
		in   string
		out  string
		want int
	}{
		{"a%b", "a%b", 1},
		{"ab", "ab", -1},
		{"a\\%b%", "a%b%", 3},
		{"a\\\\%b", "a\\%b", 2},
		{"\\%", "%", -1},
	}
	for _, tt := range tests {
		out, i := findPercent(tt.in)
		if out != tt.out || i != tt.want {
			t.Errorf("findPercent(%q) = %q %d, want %q %d", tt.in, out, i, tt.out, tt.want)
		}
	}
}

func TestFoldNewlines(t *testing.T) {
	tests := []struct {
		in   string
		trim bool
		want string
	}{
		{"a\n", true, "a"},
		{"a\nb\n\n", true, "a b"},
		{"a\n\n", false, "a "},
		{"a\n", false, "a"},
		{"a\r\nb\r\n", true, "a b"},
	}
	for _, tt := range tests {
		if got := foldNewlines([]byte(tt.in), tt.trim); got != tt.want {
			t.Errorf("foldNewlines(%q, %v) = %q, want %q", tt.in, tt.trim, got, tt.want)
		}
	}
}

func TestDecodeMakeflags(t *testing.T) {
	var f Flags
	vars := decodeMakeflags("ks -j3 --no-print-directory -- X=1 Y=2", &f)
	if !f.KeepGoing || !f.Silent || f.Jobs != 3 || !f.NoPrintDir {
		t.Errorf("flags = %+v", f)
	}
	if !reflect.DeepEqual(vars, []string{"X=1", "Y=2"}) {
		t.Errorf("vars = %q", vars)
	}
	var e Flags
	vars = decodeMakeflags(`kL -l2.5 --trace --warn-undefined-variables --eval=A=$$(B)\ c -- X=a\ b\\c`, &e)
	if !e.CheckSymlinks || e.LoadAverage != "2.5" || !e.Trace || !e.WarnUndefined || !reflect.DeepEqual(e.Eval, []string{"A=$(B) c"}) {
		t.Errorf("flags = %+v", e)
	}
	if !reflect.DeepEqual(vars, []string{`X=a b\c`}) {
		t.Errorf("escaped vars = %q", vars)
	}
	if mk, _ := e.makeflags(false, false); mk != `kL -l2.5 --trace --warn-undefined-variables --eval=A=$$$$(B)\ c` {
		t.Errorf("makeflags = %q", mk)
	}
	var g Flags
	if mk, mf := (&Flags{Silent: true, KeepGoing: true}).makeflags(false, false); mk != "ks" || mf != "-ks" {
		t.Errorf("makeflags = %q %q", mk, mf)
	}
	decodeMakeflags("", &g)
	if !reflect.DeepEqual(g, Flags{}) {
		t.Errorf("empty MAKEFLAGS set %+v", g)
	}
}

func TestReadLine(t *testing.T) {
	b := &makefileText{data: "a \\\r\nb\r\nc\\\\\nd\ne"}
	var got []string
	var ns []int
	for {
		l, n, ok := b.readLine()
		if !ok {
			break
		}
		got = append(got, l)
		ns = append(ns, n)
	}
	want := []string{"a \\\nb", "c\\\\", "d", "e"}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(ns, []int{2, 1, 1, 1}) {
		t.Errorf("readLine = %q %v, want %q [2 1 1 1]", got, ns, want)
	}
}

func TestParseExprShapes(t *testing.T) {
	tests := []struct {
		in   string
		want node
	}{
		{"plain", literal("plain")},
		{"$(A)", varRef{name: "A"}},
		{"$A", varRef{name: "A"}},
		{"${A:.c=.o}", substRef{name: "A", from: ".c", to: ".o"}},
		{"$$", literal("$")},
		{"$(", errNode{msg: "unterminated variable reference"}},
	}
	for _, tt := range tests {
		if got := parseExpr(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseExpr(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

// TestFeaturesWithoutLoad: dmake, a static Go binary, cannot load shared
// objects, so .FEATURES does not offer load (GNU make's suite then skips
// features/load) while it keeps the features dmake has.
func TestFeaturesWithoutLoad(t *testing.T) {
	for _, b := range builtinVars {
		if b.name != ".FEATURES" {
			continue
		}
		words := fields(b.value)
		has := map[string]bool{}
		for _, w := range words {
			has[w] = true
		}
		if has["load"] {
			t.Errorf(".FEATURES = %q offers load", b.value)
		}
		for _, w := range []string{"second-expansion", "grouped-target", "jobserver", "check-symlink", "extra-prereqs"} {
			if !has[w] {
				t.Errorf(".FEATURES = %q lacks %s", b.value, w)
			}
		}
		return
	}
	t.Fatal("no built-in .FEATURES")
}
