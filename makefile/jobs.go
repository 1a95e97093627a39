package makefile

import "strconv"

// Jobs is make's -j, in the one meaning the command line, the driver, the
// executor and the test harness share: DefaultJobs (the zero value) when
// -j is not given, which runs one recipe at a time; UnlimitedJobs for -j
// without a number; N > 0 for -jN (so a given -j1 is told from the
// default, and wins over MAKEFLAGS as in make).
type Jobs int

const (
	// DefaultJobs is -j not given: one recipe at a time.
	DefaultJobs Jobs = 0
	// UnlimitedJobs is -j without a number: no limit.
	UnlimitedJobs Jobs = -1
)

// Given reports whether -j was given.
func (j Jobs) Given() bool { return j != DefaultJobs }

// Slots returns how many recipes may run at once: 1 by default, 0 for no
// limit, N for -jN.
func (j Jobs) Slots() int {
	switch {
	case j == DefaultJobs:
		return 1
	case j < 0:
		return 0
	}
	return int(j)
}

// String returns j as make's flag: "" by default, "-j" without a limit,
// "-jN" otherwise.
func (j Jobs) String() string {
	switch {
	case j == DefaultJobs:
		return ""
	case j < 0:
		return "-j"
	}
	return "-j" + strconv.Itoa(int(j))
}
