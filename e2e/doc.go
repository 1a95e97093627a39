// Package e2e holds the end-to-end test of the legacy baseline: the images of
// legacy-images/ built the legacy way (bin/build with GNU make, no dmake),
// run on a real Docker engine, and the build times later work is compared
// with. The tests need an engine (see internal/enginetest) and the host's
// ssh client; they live in the _test.go files.
package e2e
