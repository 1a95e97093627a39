package symlinker

import "golang.org/x/sys/unix"

var touchLong = []longOpt{
	{name: "no-create", c: 'c'},
}

// runTouch is touch with no option but -c: it sets both times to now,
// creating missing files unless -c. The operand "-" (standard output) goes
// to the real touch.
func runTouch(c *cmd, args []string) bool {
	opts, files, ok := getopt(args, "c", touchLong)
	if !ok {
		return false
	}
	noCreate := len(opts) > 0
	for _, f := range files {
		if f == "-" {
			return false
		}
	}
	if len(files) == 0 {
		c.usageError("missing file operand")
		return true
	}
	for _, f := range files {
		// As touch.c: open (creating) first, then set the times; an
		// open error explains a failure better than the utimensat one.
		var openErr error
		fd := -1
		if !noCreate {
			fd, openErr = unix.Openat(c.dirfd, f, unix.O_WRONLY|unix.O_CREAT|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0o666)
		}
		err := unix.UtimesNanoAt(c.dirfd, f, nil, 0)
		if fd >= 0 {
			unix.Close(fd)
		}
		if err != nil {
			switch {
			case openErr != nil:
				c.errnof(openErr, "cannot touch %s", quoteaf(f))
			case !noCreate || err != unix.ENOENT:
				c.errnof(err, "setting times of %s", quoteaf(f))
			}
		}
	}
	return true
}
