package outdir

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange swaps two paths atomically: renamex_np(2) with RENAME_SWAP.
var exchange = func(a, b string) error {
	return unix.RenamexNp(a, b, unix.RENAME_SWAP)
}

// unsupported reports whether exchange failed because the file system
// cannot swap.
func unsupported(err error) bool {
	return errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOTSUP)
}
