package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/buildinfo"
)

// versionTimeout bounds how long --version waits for an engine to answer.
const versionTimeout = 5 * time.Second

// printVersion writes --version: dmake's version, the commit it was built
// from, the Go toolchain, and the engine's version and API version when
// an engine answers ("no engine" and why otherwise: --version never fails
// for want of one).
func printVersion(ctx context.Context, w io.Writer) {
	i := buildinfo.Read()
	fmt.Fprintf(w, "dmake %s\n", i.Version)
	fmt.Fprintf(w, "commit: %s\n", i.CommitText())
	fmt.Fprintf(w, "go: %s %s\n", i.Go, i.Platform)
	fmt.Fprintf(w, "engine: %s\n", engineVersion(ctx))
}

// engineVersion describes the engine dmake would build with.
func engineVersion(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, versionTimeout)
	defer cancel()
	e, err := engine.New(ctx)
	if err != nil {
		return fmt.Sprintf("no engine (%v)", err)
	}
	defer e.Close()
	v, err := e.Version(ctx)
	if err != nil {
		return fmt.Sprintf("no engine (%v)", err)
	}
	return fmt.Sprintf("Docker %s at %s, API %s (engine supports up to %s)", v.Server, v.Host, v.APIVersion, v.MaxAPIVersion)
}
