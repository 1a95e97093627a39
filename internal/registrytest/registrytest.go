// Package registrytest reads a registry's manifests and blobs for tests
// that push to one (the Docker registry .ci/engine.sh starts).
package registrytest

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// Get fetches /v2/PATH from the registry reg (HOST:PORT, plain HTTP) and
// decodes it as JSON, asking for OCI indexes and manifests; an error
// fails the test.
func Get(t testing.TB, reg, path string, v any) {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+reg+"/v2/"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Add("Accept", "application/vnd.oci.image.index.v1+json")
	req.Header.Add("Accept", "application/vnd.oci.image.manifest.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v\n%s", path, resp.Status, err, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, b)
	}
}

// Desc is an OCI descriptor, with the fields the tests read.
type Desc struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Annotations map[string]string `json:"annotations"`
	Platform    *struct {
		OS           string `json:"os"`
		Architecture string `json:"architecture"`
	} `json:"platform"`
}

// Manifest is an OCI index or image manifest, with the fields the tests
// read.
type Manifest struct {
	Manifests []Desc `json:"manifests"` // an index
	Config    Desc   `json:"config"`    // an image manifest
	Layers    []Desc `json:"layers"`
}
