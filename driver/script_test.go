package driver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScriptTakeoverChoice: which commands of a recipe run a script of the
// directory that the take-over runs in the interpreter (scriptCall, then
// scriptBuilds), and which go on as they are.
func TestScriptTakeoverChoice(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"build.sh":       "#!/bin/bash\nset -e\ndocker build -t x .\n",
		"sh.sh":          "#!/bin/sh\n/usr/bin/docker build .\n",
		"nodocker.sh":    "#!/bin/bash\necho docker is a word here, not a command\n",
		"coproc.sh":      "#!/bin/bash\ncoproc true\ndocker build .\n",
		"python.py":      "#!/usr/bin/env python3\nimport os; os.system('docker build .')\n",
		"noshebang.sh":   "docker build .\n",
		"bad.sh":         "#!/bin/bash\nif then docker\n",
		"sub/inner.sh":   "#!/bin/bash\ndocker build .\n",
		"mention-docker": "#!/bin/bash\nDOCKER=docker\n$DOCKER build .\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		cmd  string
		name string // the script's $0, "" when it is not taken over
	}{
		{"./build.sh a b", "./build.sh"},
		{"bash build.sh", "build.sh"},
		{"sh ./sh.sh", "./sh.sh"},
		{"./sh.sh", "./sh.sh"},
		{"sub/inner.sh", "sub/inner.sh"},
		{dir + "/build.sh", dir + "/build.sh"},
		{"bash -x build.sh", ""},
		{"./nodocker.sh", ""},
		{"./coproc.sh", ""},
		{"./python.py", ""},
		{"./noshebang.sh", ""},
		{"bash noshebang.sh", "noshebang.sh"},
		{"./bad.sh", ""},
		{"./mention-docker", ""},
		{"build.sh", ""}, // looked up in PATH, not here
		{"./missing.sh", ""},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			args := strings.Fields(tt.cmd)
			got := ""
			if file, name, _, ok := scriptCall(args, dir); ok && within(file, dir) && scriptBuilds(file) {
				got = name
			}
			if got != tt.name {
				t.Errorf("taken over as %q, want %q", got, tt.name)
			}
		})
	}
}
