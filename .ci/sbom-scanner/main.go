// Command sbom-scanner is dmake's BuildKit SBOM generator: the program of the
// image that `dmake --attest type=sbom` (buildctl --opt attest:sbom=generator=…)
// makes BuildKit run after a build. It follows BuildKit's SBOM generator
// protocol (docs/attestations/sbom-protocol.md in github.com/moby/buildkit):
//
//   - BUILDKIT_SCAN_SOURCE (required) is the root filesystem of the build result;
//   - BUILDKIT_SCAN_SOURCE_EXTRAS (optional) is a directory of further root
//     filesystems (build stages or contexts marked for scanning);
//   - BUILDKIT_SCAN_DESTINATION (required) is the directory that receives one
//     NAME.spdx.json per scanned filesystem, NAME being the filesystem's base
//     name; each file is an in-toto statement whose predicate is the SPDX JSON
//     document, which BuildKit attaches to the image as an attestation.
//
// The cataloguing is syft's (github.com/anchore/syft, used as a library), with
// the catalogers syft selects for a container image (installed packages: dpkg,
// apk, rpm, binaries, language packages installed in the tree), since what is
// scanned is an image's root filesystem, not a source checkout.
//
// It lives in its own Go module so that syft's dependencies stay out of dmake's;
// .ci/engine.sh builds it, packs it into an image and pushes it to the local
// registry.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"

	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/cataloging"
	"github.com/anchore/syft/syft/cataloging/filecataloging"
	"github.com/anchore/syft/syft/cataloging/pkgcataloging"
	"github.com/anchore/syft/syft/format/spdxjson"
	"github.com/anchore/syft/syft/source"
	"github.com/anchore/syft/syft/source/directorysource"
	_ "modernc.org/sqlite" // the SQL driver syft reads newer RPM databases with
)

// The environment of BuildKit's SBOM generator protocol.
const (
	envDestination  = "BUILDKIT_SCAN_DESTINATION"
	envSource       = "BUILDKIT_SCAN_SOURCE"
	envSourceExtras = "BUILDKIT_SCAN_SOURCE_EXTRAS"
)

// The in-toto statement type and the SPDX predicate type BuildKit expects of
// a scan (intoto.StatementInTotoV01, intoto.PredicateSPDX).
const (
	statementType = "https://in-toto.io/Statement/v0.1"
	predicateSPDX = "https://spdx.dev/Document"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "sbom-scanner:", err)
		os.Exit(1)
	}
}

// run scans every filesystem the protocol's environment (read with getenv)
// names and writes each scan to the destination directory.
func run(ctx context.Context, getenv func(string) string) error {
	dest := getenv(envDestination)
	if dest == "" {
		return fmt.Errorf("%s is not set", envDestination)
	}
	if fi, err := os.Stat(dest); err != nil {
		return fmt.Errorf("%s: %w", envDestination, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("%s=%s is not a directory", envDestination, dest)
	}
	targets, err := targets(getenv)
	if err != nil {
		return err
	}
	for _, t := range targets {
		out := filepath.Join(dest, filepath.Base(t)+".spdx.json")
		if err := scanTo(ctx, t, out); err != nil {
			return fmt.Errorf("scanning %s: %w", t, err)
		}
	}
	return nil
}

// targets returns the root filesystems to scan: the source, then each entry
// of the extras directory when that is set and exists.
func targets(getenv func(string) string) ([]string, error) {
	src := getenv(envSource)
	if src == "" {
		return nil, fmt.Errorf("%s is not set", envSource)
	}
	if _, err := os.Stat(src); err != nil {
		return nil, fmt.Errorf("%s: %w", envSource, err)
	}
	ts := []string{src}
	extras := getenv(envSourceExtras)
	if extras == "" {
		return ts, nil
	}
	entries, err := os.ReadDir(extras)
	if errors.Is(err, os.ErrNotExist) {
		return ts, nil // the protocol: a missing extras directory means no extras
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envSourceExtras, err)
	}
	for _, e := range entries {
		ts = append(ts, filepath.Join(extras, e.Name()))
	}
	return ts, nil
}

// statement is an in-toto statement (v0.1) with a raw predicate; BuildKit
// supplies the subject (the image) when it attaches the statement.
type statement struct {
	Type          string          `json:"_type"`
	PredicateType string          `json:"predicateType"`
	Subject       []any           `json:"subject"`
	Predicate     json.RawMessage `json:"predicate"`
}

// scanTo catalogs the root filesystem at root and writes the in-toto
// statement holding its SPDX JSON document to the file out.
func scanTo(ctx context.Context, root, out string) error {
	doc, err := scan(ctx, root)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	err = writeStatement(f, doc)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeStatement writes to w the in-toto statement whose predicate is the
// SPDX JSON document doc.
func writeStatement(w io.Writer, doc []byte) error {
	return json.NewEncoder(w).Encode(statement{
		Type:          statementType,
		PredicateType: predicateSPDX,
		Subject:       []any{},
		Predicate:     doc,
	})
}

// scan returns the SPDX JSON document of the root filesystem at root.
func scan(ctx context.Context, root string) ([]byte, error) {
	src, err := directorysource.New(directorysource.Config{
		Path: root,
		// Base makes absolute symbolic links inside the tree resolve in the
		// tree (as in the image), not in the scanner's own filesystem.
		Base:  root,
		Alias: source.Alias{Name: filepath.Base(root)},
	})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	cfg := syft.DefaultCreateSBOMConfig().
		WithTool("dmake-sbom-scanner", version()).
		WithCatalogerSelection(cataloging.NewSelectionRequest().
			WithDefaults(pkgcataloging.ImageTag, filecataloging.FileTag))
	s, err := syft.CreateSBOM(ctx, src, cfg)
	if err != nil {
		return nil, err
	}
	enc, err := spdxjson.NewFormatEncoderWithConfig(spdxjson.DefaultEncoderConfig())
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := enc.Encode(&buf, *s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// version is syft's module version, as the binary's build info records it.
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == "github.com/anchore/syft" {
				return "syft " + d.Version
			}
		}
	}
	return "syft (unknown version)"
}
