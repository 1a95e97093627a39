package sandbox

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// The progress page is memory shared by the sandbox child and its parent:
// each worker of the child stores in its slot the image and the script it
// runs, so that the parent knows which script was running when the child
// died, without the child telling it at each script (a pipe write and a
// wake-up of the parent per script cost a tenth of the CPU of a dry run of
// short scripts). The parent reads the page only after the child ended.
//
// A slot is a little-endian uint64, stored at once: image+1 in the high
// half, script+1 in the low half; 0 is an empty slot, script 0 (-1) an
// image started before its first script.
const (
	progressSize  = 4096
	progressSlots = progressSize / 8
)

// progressEnv tells the child the file descriptor of the progress page.
const progressEnv = "DMAKE_SANDBOX_PROGRESS"

// newProgress creates the progress page for a child: an anonymous memory
// file of progressSize bytes, with no name in any filesystem.
func newProgress() (*os.File, error) {
	fd, err := unix.MemfdCreate("dmake-sandbox-progress", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("sandbox: progress page: %w", err)
	}
	if err := unix.Ftruncate(fd, progressSize); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("sandbox: progress page: %w", err)
	}
	return os.NewFile(uintptr(fd), "dmake-sandbox-progress"), nil
}

// readProgress returns, for each image a slot of the page names, the
// script that was running (-1: none yet). Call it once the child ended.
func readProgress(f *os.File) (map[int]int, error) {
	buf := make([]byte, progressSize)
	if _, err := f.ReadAt(buf, 0); err != nil {
		return nil, fmt.Errorf("sandbox: progress page: %w", err)
	}
	at := map[int]int{}
	for i := range progressSlots {
		v := binary.LittleEndian.Uint64(buf[i*8:])
		if v == 0 {
			continue
		}
		at[int(uint32(v>>32))-1] = int(uint32(v)) - 1
	}
	return at, nil
}

// progressPage is the child's mapping of the page; nil when the parent
// gave none (the child then sends an event at each script).
type progressPage []byte

// mapProgress maps the page whose descriptor fd names.
func mapProgress(fd string) (progressPage, error) {
	if fd == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(fd)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w", progressEnv, fd, err)
	}
	b, err := unix.Mmap(n, 0, progressSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	unix.Close(n)
	if err != nil {
		return nil, fmt.Errorf("progress page: %w", err)
	}
	return b, nil
}

// set records in slot that image runs script (-1: before its first).
func (p progressPage) set(slot, image, script int) {
	if p == nil || slot < 0 || slot >= progressSlots {
		return
	}
	binary.LittleEndian.PutUint64(p[slot*8:], uint64(uint32(image+1))<<32|uint64(uint32(script+1)))
}
