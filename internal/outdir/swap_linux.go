package outdir

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange swaps two paths atomically: renameat2(2) with RENAME_EXCHANGE.
var exchange = func(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}

// unsupported reports whether exchange failed because the kernel or the
// file system cannot exchange, not for a reason a rename would meet too.
func unsupported(err error) bool {
	return errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOTSUP)
}
