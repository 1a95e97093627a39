package driver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dmake-dev/dmake/engine"
)

// The --builder values that name no daemon.
const (
	// BuilderAuto, the default, is the BuildKit embedded in the Docker
	// engine where the engine offers it, else the engine's classic
	// builder.
	BuilderAuto = "auto"
	// BuilderEngine is the BuildKit embedded in the Docker engine.
	BuilderEngine = "engine"
	// BuilderClassic is the engine's classic builder.
	BuilderClassic = "classic"
)

// getenvOf returns the lookup of opts' environment (the process's when
// opts.Env is nil).
func getenvOf(opts Options) func(string) string {
	if opts.Env == nil {
		return os.Getenv
	}
	return func(k string) string {
		v := ""
		for _, kv := range opts.Env {
			if name, val, ok := strings.Cut(kv, "="); ok && name == k {
				v = val
			}
		}
		return v
	}
}

// builderOptions returns the BuildKit daemon opts build on, as buildctl
// finds it: --builder, else BUILDKIT_HOST of the run's environment; the
// address is "" when neither names one, and may be BuilderEngine or
// BuilderClassic.
func builderOptions(opts Options) engine.BuildKitOptions {
	bo := engine.BuildKitOptionsFromEnv(getenvOf(opts))
	if opts.Builder != "" {
		bo.Addr = opts.Builder
	}
	bo.TLSServerName, bo.TLSCACert, bo.TLSCert, bo.TLSKey, bo.TLSDir = opts.BuilderTLSServerName, opts.BuilderTLSCACert, opts.BuilderTLSCert, opts.BuilderTLSKey, opts.BuilderTLSDir
	return bo
}

// newEngine connects to the local engine and chooses what its builds run
// on: the BuildKit daemon opts name (their images loaded into the engine
// unless only --push is asked, and pushed with --push); by default (and
// with --builder auto) the BuildKit embedded in the engine where the
// engine offers it, else the engine's classic builder; --builder engine
// and --builder classic choose one of those two without falling back.
// With auto, the engine's BuildKit is asked only when the first build
// needs the builder (a run with nothing to build asks nothing), and the
// choice is named then, once, on stderr: the engine's BuildKit with its
// version, or the classic builder with the reason.
func newEngine(ctx context.Context, opts Options, stderr io.Writer) (*engine.Engine, error) {
	eng, err := engine.New(ctx)
	if err != nil {
		return nil, err
	}
	outs := engine.Outputs{Load: opts.Load || !opts.Push, Push: opts.Push, CacheTo: opts.CacheTo, CacheFrom: opts.CacheFrom, Attest: opts.Attest}
	bo := builderOptions(opts)
	switch bo.Addr {
	case "", BuilderAuto, BuilderEngine:
		var choose func(*engine.BuildKit, error) error
		if bo.Addr != BuilderEngine {
			choose = func(bk *engine.BuildKit, reason error) error {
				if bk == nil {
					if err := classicOnly(opts); err != nil {
						return err
					}
				}
				fmt.Fprintf(stderr, "%s: builder: %s\n", programName, builderName(bk, reason))
				return nil
			}
		}
		if err := eng.UseEmbeddedBuildKit(ctx, getenvOf(opts), outs, choose); err != nil {
			eng.Close()
			return nil, err
		}
		return eng, nil
	case BuilderClassic:
		if err := classicOnly(opts); err != nil {
			eng.Close()
			return nil, err
		}
		return eng, nil
	}
	bk, err := engine.OpenBuildKit(ctx, bo)
	if err != nil {
		eng.Close()
		return nil, err
	}
	eng.UseBuildKit(bk, outs)
	return eng, nil
}

// builderName names what --builder auto chose, for the line that says it:
// the engine's BuildKit bk, or, with bk nil, the classic builder and the
// reason.
func builderName(bk *engine.BuildKit, reason error) string {
	if bk == nil {
		return fmt.Sprintf("the engine's classic builder (%v)", reason)
	}
	name := "the engine's BuildKit"
	if v := bk.Version(); v != "" {
		name += " (" + v + ")"
	}
	return name + strings.TrimPrefix(bk.Addr(), "the engine's BuildKit")
}

// classicOnly refuses the options the classic builder cannot honour.
func classicOnly(opts Options) error {
	if opts.Load || opts.Push || len(opts.CacheTo) > 0 || len(opts.CacheFrom) > 0 || len(opts.Attest) > 0 {
		return errors.New("--load, --push, --cache-to, --cache-from and --attest are for a BuildKit builder: the engine's own (--builder auto or engine, where it offers one), or one named with --builder ADDR or BUILDKIT_HOST")
	}
	return nil
}
