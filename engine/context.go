package engine

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
)

// endpoint is the engine a docker CLI context names: its address and its
// TLS settings.
type endpoint struct {
	Name string // the context's name
	Host string
	// SkipTLSVerify is the context's "skip TLS verify": no check of the
	// engine's certificate.
	SkipTLSVerify bool
	// CA, Cert and Key are the files of the context's TLS material
	// (contexts/tls/HASH/docker/{ca,cert,key}.pem), "" when absent.
	CA, Cert, Key string
}

// contextEndpoint returns the engine of the docker CLI context in use, as
// the docker CLI chooses it: $DOCKER_CONTEXT, else the currentContext of
// $DOCKER_CONFIG/config.json (~/.docker by default), with the TLS files
// the CLI keeps for it. It returns the zero endpoint for the default
// context, or when DOCKER_HOST is set (which wins, as with the CLI).
func contextEndpoint(getenv func(string) string) (endpoint, error) {
	if getenv("DOCKER_HOST") != "" {
		return endpoint{}, nil
	}
	dir := getenv("DOCKER_CONFIG")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return endpoint{}, nil
		}
		dir = filepath.Join(home, ".docker")
	}
	name := getenv("DOCKER_CONTEXT")
	if name == "" {
		data, err := os.ReadFile(filepath.Join(dir, "config.json"))
		if err != nil {
			return endpoint{}, nil
		}
		var cfg struct {
			CurrentContext string `json:"currentContext"`
		}
		if err := json.Unmarshal(data, &cfg); err != nil {
			return endpoint{}, fmt.Errorf("%s: %w", filepath.Join(dir, "config.json"), err)
		}
		name = cfg.CurrentContext
	}
	if name == "" || name == "default" {
		return endpoint{}, nil
	}
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	meta := filepath.Join(dir, "contexts", "meta", id, "meta.json")
	data, err := os.ReadFile(meta)
	if err != nil {
		return endpoint{}, fmt.Errorf("docker context %q: %w", name, err)
	}
	var m struct {
		Endpoints map[string]struct {
			Host          string `json:"Host"`
			SkipTLSVerify bool   `json:"SkipTLSVerify"`
		} `json:"Endpoints"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return endpoint{}, fmt.Errorf("docker context %q: %s: %w", name, meta, err)
	}
	ep := m.Endpoints["docker"]
	if ep.Host == "" {
		return endpoint{}, fmt.Errorf("docker context %q: %s names no docker endpoint", name, meta)
	}
	e := endpoint{Name: name, Host: ep.Host, SkipTLSVerify: ep.SkipTLSVerify}
	tlsDir := filepath.Join(dir, "contexts", "tls", id, "docker")
	for file, p := range map[string]*string{"ca.pem": &e.CA, "cert.pem": &e.Cert, "key.pem": &e.Key} {
		f := filepath.Join(tlsDir, file)
		if _, err := os.Stat(f); err == nil {
			*p = f
		} else if !errors.Is(err, fs.ErrNotExist) {
			return endpoint{}, fmt.Errorf("docker context %q: %w", name, err)
		}
	}
	return e, nil
}

// hasTLS reports whether the context has TLS settings of its own.
func (e endpoint) hasTLS() bool {
	return e.CA != "" || e.Cert != "" || e.Key != "" || e.SkipTLSVerify
}

// httpClient returns an HTTP client that speaks TLS to the context's
// engine as the docker CLI does: its CA (else the system's roots), its
// client certificate, its "skip TLS verify".
func (e endpoint) httpClient() (*http.Client, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: e.SkipTLSVerify}
	if e.CA != "" {
		pem, err := os.ReadFile(e.CA)
		if err != nil {
			return nil, fmt.Errorf("docker context %q: %w", e.Name, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("docker context %q: %s holds no PEM certificate", e.Name, e.CA)
		}
		cfg.RootCAs = pool
	}
	if e.Cert != "" || e.Key != "" {
		if e.Cert == "" || e.Key == "" {
			return nil, fmt.Errorf("docker context %q: a client certificate needs both cert.pem and key.pem", e.Name)
		}
		pair, err := tls.LoadX509KeyPair(e.Cert, e.Key)
		if err != nil {
			return nil, fmt.Errorf("docker context %q: %w", e.Name, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}, nil
}
