package legacyutil

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

func installLinksUtility() Utility {
	return Utility{
		Name:    "install-links",
		Summary: "write links named like each utility to the dmake binary",
		Main:    installLinksMain,
	}
}

func installLinksMain(ctx context.Context, stdio Stdio, args []string) int {
	c := newCommand(stdio, "install-links", "DIR", "Write in DIR a symbolic link named like each utility, pointing at this dmake binary, so that DIR/ssh runs dmake's ssh: a legacy repository's bin/ can become such links.", true)
	c.details = `Existing links of those names are replaced; any other existing file
of such a name is left alone and reported (exit status 1), unless --force.
DIR is created when missing. install-links itself gets no link.`
	c.examples = []string{"dmake --util install-links legacy-images/bin   replace the bash scripts by dmake"}
	force := c.flags.BoolP("force", "f", false, "replace existing files too")
	rest, status, ok := c.parse(args)
	if !ok {
		return status
	}
	if len(rest) != 1 {
		return c.usageError("want exactly one DIR")
	}
	dir := rest[0]
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		c.errorf("cannot find the dmake binary: %v", err)
		return ExitFailed
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.errorf("%v", err)
		return ExitFailed
	}
	failed := 0
	for _, name := range New(Hooks{}).Names() {
		if name == "install-links" {
			continue
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Lstat(p); err == nil {
			if fi.Mode()&os.ModeSymlink == 0 && !*force {
				c.errorf("%s exists and is not a link; left alone (use --force to replace it)", p)
				failed++
				continue
			}
		}
		tmp := p + ".dmake-link"
		_ = os.Remove(tmp)
		if err := os.Symlink(exe, tmp); err != nil {
			c.errorf("%v", err)
			failed++
			continue
		}
		if err := os.Rename(tmp, p); err != nil {
			_ = os.Remove(tmp)
			c.errorf("%v", err)
			failed++
			continue
		}
		fmt.Fprintf(stdio.Out, "%s -> %s\n", p, exe)
	}
	if failed > 0 {
		return ExitFailed
	}
	return ExitOK
}
