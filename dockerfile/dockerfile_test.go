package dockerfile

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestParseHeredocs: a RUN, COPY or ADD with here-documents holds their
// lines, as written, up to each terminator (<<- strips leading tabs to
// find it); the instructions after are the file's next ones.
func TestParseHeredocs(t *testing.T) {
	src := "FROM busybox\n" +
		"RUN <<EOT\necho a\nRUN inside\nEOT\n" +
		"COPY <<a <<\"b\" /dir/\none\na\ntwo\nb\n" +
		"RUN <<-EOF cat\n\tindented\n\tEOF\n" +
		"RUN echo <<< not-a-heredoc\n" +
		"RUN cat <<EOF > /x && \\\n  echo done\nbody\nEOF\n"
	ins, err := Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range ins {
		got = append(got, in.Cmd+"@"+strconv.Itoa(in.Line)+":"+in.Args)
	}
	want := []string{
		"FROM@1:busybox",
		"RUN@2:<<EOT\necho a\nRUN inside\nEOT",
		"COPY@6:<<a <<\"b\" /dir/\none\na\ntwo\nb",
		"RUN@11:<<-EOF cat\n\tindented\n\tEOF",
		"RUN@14:echo <<< not-a-heredoc",
		"RUN@15:cat <<EOF > /x && echo done\nbody\nEOF",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if docs := ins[2].Heredocs(); !reflect.DeepEqual(docs, map[string]string{"a": "one\n", "b": "two\n"}) {
		t.Errorf("COPY's here-documents: %q", docs)
	}
	if docs := ins[3].Heredocs(); docs["EOF"] != "indented\n" {
		t.Errorf("<<- here-document: %q", docs)
	}
	if s, ok := HeredocScript(ins[1].Args); !ok || s != "echo a\nRUN inside\n" {
		t.Errorf("HeredocScript = %q, %v", s, ok)
	}
	for _, in := range ins[3:] {
		if _, ok := HeredocScript(in.Args); ok {
			t.Errorf("HeredocScript(%q) is a script; want only RUN <<EOT alone", in.Args)
		}
	}
	if got := ins[5].ArgsLine(); got != "cat <<EOF > /x && echo done" {
		t.Errorf("ArgsLine = %q", got)
	}
	// The line of an instruction after a here-document is its own.
	if ins[5].Line != 15 {
		t.Errorf("line %d", ins[5].Line)
	}
	_, err = Parse("Dockerfile", []byte("FROM busybox\nRUN <<EOT\necho\n"))
	if err == nil || !strings.Contains(err.Error(), "Dockerfile:2:1: the here-document of the RUN instruction is not closed (no line EOT)") {
		t.Errorf("unclosed: %v", err)
	}
}
