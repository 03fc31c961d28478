package outdir

import (
	"context"
	"fmt"
	"os"
	"time"
)

// acquire takes the exclusive lock on the file path (created if needed),
// calling waiting once if another process holds it, and polling until it
// is free or ctx is done. release, or the end of the process, frees it.
func acquire(ctx context.Context, path string, waiting func()) (release func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the lock file: %w", err)
	}
	for first := true; ; first = false {
		ok, err := tryLock(f)
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if ok {
			// Closing the file releases the lock.
			return func() { _ = f.Close() }, nil
		}
		if first {
			waiting()
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("stopped while waiting for the lock %s: %w", path, context.Cause(ctx))
		case <-time.After(50 * time.Millisecond):
		}
	}
}
