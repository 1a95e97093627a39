package engine

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCA makes a CA and certificates it signs, PEM-encoded.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns a certificate (server: for 127.0.0.1; else a client's)
// and its key, PEM-encoded.
func (ca *testCA) issue(t *testing.T, server bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// writeTLSContext writes a docker CLI context named name for host with
// the TLS files given (nil: absent) where the CLI keeps them.
func writeTLSContext(t *testing.T, dir, name, host string, skipVerify bool, files map[string][]byte) {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	meta := filepath.Join(dir, "contexts", "meta", id)
	tlsDir := filepath.Join(dir, "contexts", "tls", id, "docker")
	for _, d := range []string{meta, tlsDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	skip := "false"
	if skipVerify {
		skip = "true"
	}
	data := `{"Name":"` + name + `","Metadata":{},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":` + skip + `}}}`
	if err := os.WriteFile(filepath.Join(meta, "meta.json"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	for f, b := range files {
		if b != nil {
			if err := os.WriteFile(filepath.Join(tlsDir, f), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// A docker CLI context's TLS files and "skip TLS verify" are used as the
// CLI uses them: against an engine stand-in that speaks TLS and demands a
// client certificate of its CA, the context with the CA and a client
// certificate connects; one without the client certificate, or without
// the CA (the server's certificate unverified), does not; one that skips
// verification connects without the CA.
func TestContextTLS(t *testing.T) {
	ca := newTestCA(t)
	serverCert, serverKey := ca.issue(t, true)
	clientCert, clientKey := ca.issue(t, false)
	pair, err := tls.X509KeyPair(serverCert, serverKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/_ping") {
			w.Header().Set("Api-Version", "1.41")
			w.Write([]byte("OK"))
			return
		}
		http.NotFound(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.StartTLS()
	defer srv.Close()
	host := "tcp://" + srv.Listener.Addr().String()

	dir := t.TempDir()
	writeTLSContext(t, dir, "full", host, false, map[string][]byte{"ca.pem": ca.pem, "cert.pem": clientCert, "key.pem": clientKey})
	writeTLSContext(t, dir, "no-client-cert", host, false, map[string][]byte{"ca.pem": ca.pem})
	writeTLSContext(t, dir, "no-ca", host, false, map[string][]byte{"cert.pem": clientCert, "key.pem": clientKey})
	writeTLSContext(t, dir, "skip-verify", host, true, map[string][]byte{"cert.pem": clientCert, "key.pem": clientKey})

	ep, err := contextEndpoint(func(k string) string { return map[string]string{"DOCKER_CONFIG": dir, "DOCKER_CONTEXT": "full"}[k] })
	if err != nil || ep.Host != host || !strings.HasSuffix(ep.CA, "ca.pem") || !strings.HasSuffix(ep.Cert, "cert.pem") || !strings.HasSuffix(ep.Key, "key.pem") {
		t.Fatalf("contextEndpoint = %+v, %v", ep, err)
	}
	for _, tt := range []struct {
		context string
		ok      bool
	}{
		{"full", true},
		{"no-client-cert", false},
		{"no-ca", false},
		{"skip-verify", true},
	} {
		t.Setenv("DOCKER_HOST", "")
		t.Setenv("DOCKER_CERT_PATH", "")
		t.Setenv("DOCKER_CONFIG", dir)
		t.Setenv("DOCKER_CONTEXT", tt.context)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		e, err := New(ctx)
		cancel()
		if (err == nil) != tt.ok {
			t.Errorf("context %s: New: %v, want success %v", tt.context, err, tt.ok)
		}
		if err == nil {
			e.Close()
		}
	}
}
