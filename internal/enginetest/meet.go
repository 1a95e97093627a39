package enginetest

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Meet is a rendezvous on the host's loopback for the RUN steps of builds
// (their containers share the host's network): GET /GROUP/N/NAME answers
// once N requests of GROUP have come, so RUN steps that meet there end
// only if their builds run at once.
type Meet struct {
	url     string
	mu      sync.Mutex
	arrived map[string][]string
	full    map[string]chan struct{}
}

// StartMeet starts a Meet, closed at the end of the test.
func StartMeet(t testing.TB) *Meet {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &Meet{url: "http://" + ln.Addr().String(), arrived: map[string][]string{}, full: map[string]chan struct{}{}}
	srv := &http.Server{Handler: m}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return m
}

// ServeHTTP answers GET /GROUP/N/NAME once N requests of GROUP came.
func (m *Meet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var group, name string
	var n int
	if _, err := fmt.Sscanf(strings.ReplaceAll(strings.TrimPrefix(r.URL.Path, "/"), "/", " "), "%s %d %s", &group, &n, &name); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	m.mu.Lock()
	if m.full[group] == nil {
		m.full[group] = make(chan struct{})
	}
	m.arrived[group] = append(m.arrived[group], name)
	if len(m.arrived[group]) == n {
		close(m.full[group])
	}
	full := m.full[group]
	m.mu.Unlock()
	select {
	case <-full:
		fmt.Fprintln(w, "met")
	case <-r.Context().Done():
	}
}

// Who returns the names that came to group, in the order they came.
func (m *Meet) Who(group string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.arrived[group]...)
}

// Cmd is a RUN command that waits at the server until n builds of group
// came (nonce makes the step new to the build cache). It is "busybox
// wget": a plain wget of the build host is a fetch the image layer serves.
func (m *Meet) Cmd(group string, n int, name, nonce string) string {
	return fmt.Sprintf("busybox wget -q -O- %s/%s/%d/%s?%s", m.url, group, n, name, nonce)
}
