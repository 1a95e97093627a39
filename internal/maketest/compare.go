package maketest

import (
	"context"
	"testing"
)

// Normalize replaces the program name prog in r's output with make's (see
// the function Normalize).
func (r *Result) Normalize(prog string) {
	r.Stdout = Normalize(r.Stdout, prog)
	r.Stderr = Normalize(r.Stderr, prog)
}

// Compare is the one comparison of every differential test: it runs c
// through GNU make and through dmake (r, whose messages name the program
// "dmake"), each in a fresh directory under tmp, normalises dmake's output
// and returns how the two differ (Diff; "" when alike).
func (c *Case) Compare(ctx context.Context, tmp string, r Runner) (string, error) {
	want, err := c.Run(ctx, tmp, GNUMake)
	if err != nil {
		return "", err
	}
	got, err := c.Run(ctx, tmp, r)
	if err != nil {
		return "", err
	}
	got.Normalize("dmake")
	return Diff(c, want, got), nil
}

// CheckKnown reports the difference d of case c as an error of t unless
// known (a KNOWN_DIFFERENCES list) names the case, and reports a listed
// case that agrees with make as an error too: its entry must go.
func CheckKnown(t testing.TB, c *Case, d string, known map[string]string) {
	t.Helper()
	reason, isKnown := known[c.Name]
	switch {
	case d != "" && !isKnown:
		t.Errorf("dmake differs from GNU make (args %q):\n%s", c.CommandLine(), d)
	case d == "" && isKnown:
		t.Errorf("listed in KNOWN_DIFFERENCES (%s) but dmake now agrees with make: remove the entry", reason)
	}
}
