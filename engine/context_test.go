package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

func TestContextHost(t *testing.T) {
	dir := t.TempDir()
	writeContext := func(name, host string) {
		sum := sha256.Sum256([]byte(name))
		meta := filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]))
		if err := os.MkdirAll(meta, 0o755); err != nil {
			t.Fatal(err)
		}
		data := `{"Name":"` + name + `","Metadata":{},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":false}}}`
		if err := os.WriteFile(filepath.Join(meta, "meta.json"), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeContext("remote", "tcp://192.0.2.1:2376")
	writeContext("current", "unix:///run/other.sock")
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"currentContext":"current"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		env     map[string]string
		want    string
		wantErr bool
	}{
		{map[string]string{"DOCKER_CONFIG": dir, "DOCKER_CONTEXT": "remote"}, "tcp://192.0.2.1:2376", false},
		{map[string]string{"DOCKER_CONFIG": dir}, "unix:///run/other.sock", false},
		{map[string]string{"DOCKER_CONFIG": dir, "DOCKER_CONTEXT": "default"}, "", false},
		{map[string]string{"DOCKER_CONFIG": dir, "DOCKER_CONTEXT": "remote", "DOCKER_HOST": "unix:///x.sock"}, "", false},
		{map[string]string{"DOCKER_CONFIG": dir, "DOCKER_CONTEXT": "missing"}, "", true},
		{map[string]string{"DOCKER_CONFIG": t.TempDir()}, "", false},
	}
	for _, tt := range tests {
		ep, err := contextEndpoint(func(k string) string { return tt.env[k] })
		got := ep.Host
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("contextEndpoint(%v).Host = %q, %v; want %q, error %v", tt.env, got, err, tt.want, tt.wantErr)
		}
	}
}
