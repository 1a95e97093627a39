package driver

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/dmake-dev/dmake/engine"
)

// builderOptions returns the BuildKit daemon opts build on, as buildctl
// finds it: --builder, else BUILDKIT_HOST of the run's environment; the
// address is "" for the engine's classic builder.
func builderOptions(opts Options) engine.BuildKitOptions {
	getenv := os.Getenv
	if opts.Env != nil {
		getenv = func(k string) string {
			v := ""
			for _, kv := range opts.Env {
				if name, val, ok := strings.Cut(kv, "="); ok && name == k {
					v = val
				}
			}
			return v
		}
	}
	bo := engine.BuildKitOptionsFromEnv(getenv)
	if opts.Builder != "" {
		bo.Addr = opts.Builder
	}
	bo.TLSServerName, bo.TLSCACert, bo.TLSCert, bo.TLSKey, bo.TLSDir = opts.BuilderTLSServerName, opts.BuilderTLSCACert, opts.BuilderTLSCert, opts.BuilderTLSKey, opts.BuilderTLSDir
	return bo
}

// newEngine connects to the local engine and, when opts name a BuildKit
// daemon, to it: the engine's builds then run there, their images loaded
// into the engine (unless only --push is asked) and pushed with --push.
func newEngine(ctx context.Context, opts Options) (*engine.Engine, error) {
	eng, err := engine.New(ctx)
	if err != nil {
		return nil, err
	}
	bo := builderOptions(opts)
	if bo.Addr == "" {
		if opts.Load || opts.Push || len(opts.CacheTo) > 0 || len(opts.CacheFrom) > 0 {
			eng.Close()
			return nil, errors.New("--load, --push, --cache-to and --cache-from are for a BuildKit builder: name one with --builder ADDR or BUILDKIT_HOST")
		}
		return eng, nil
	}
	bk, err := engine.OpenBuildKit(ctx, bo)
	if err != nil {
		eng.Close()
		return nil, err
	}
	eng.UseBuildKit(bk, engine.Outputs{Load: opts.Load || !opts.Push, Push: opts.Push, CacheTo: opts.CacheTo, CacheFrom: opts.CacheFrom})
	return eng, nil
}
