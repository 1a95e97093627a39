package maketest

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadCorpusAndUnknownNames(t *testing.T) {
	cases, err := LoadCorpus(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	var plain, exec int
	for _, c := range cases {
		if strings.HasPrefix(c.Name, "exec/") {
			exec++
		} else {
			plain++
		}
	}
	if plain == 0 || exec == 0 {
		t.Fatalf("LoadCorpus: %d cases of testdata/make, %d of testdata/make-exec", plain, exec)
	}
	known := map[string]string{cases[0].Name: "listed", "exec/no/such-case": "stale", "typo": "misspelt"}
	if got, want := UnknownNames(cases, known), []string{"exec/no/such-case", "typo"}; !reflect.DeepEqual(got, want) {
		t.Errorf("UnknownNames = %q, want %q", got, want)
	}
}
