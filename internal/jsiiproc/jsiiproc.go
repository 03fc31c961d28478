// Package jsiiproc ends jsii's Node.js process cleanly when the program
// ends. jsii unpacks its runtime (2.2 MB, jsii-runtime.* in $TMPDIR) before
// main starts and removes it only in jsii.Close, which in turn sometimes
// makes jsii-runtime-go falsely report that Node.js exited abnormally:
// [Start] filters that report out, and its stop function closes jsii.
package jsiiproc

import (
	"io"
	"os"
	"regexp"
	"time"

	"github.com/aws/jsii-runtime-go"
)

// Start routes os.Stderr through a filter that drops that false report; call
// it before the first call into jsii and before other goroutines write to
// os.Stderr. Call the returned stop last: it closes jsii, and writes to
// os.Stderr after it are discarded (so is a late false report).
func Start() (stop func(), err error) {
	realStderr := os.Stderr
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	os.Stderr = w
	drained := make(chan struct{})
	go func() {
		_, _ = io.Copy(filter{realStderr}, r)
		_ = r.Close()
		close(drained)
	}()
	return func() {
		jsii.Close()
		_ = w.Close()
		select {
		case <-drained:
		case <-time.After(5 * time.Second):
		}
	}, nil
}

// spurious is what jsii-runtime-go (1.x) prints when jsii.Close reaps
// Node.js before the goroutine that also waits for it, whose wait then
// fails with ECHILD.
var spurious = regexp.MustCompile(`Runtime process exited abnormally: (waitid|wait): no child processes\n?`)

// filter writes to w what it is given, leaving out the spurious report,
// which is one write under PIPE_BUF bytes and so one whole read of the pipe.
type filter struct{ w io.Writer }

func (f filter) Write(p []byte) (int, error) {
	if _, err := f.w.Write(spurious.ReplaceAll(p, nil)); err != nil {
		return 0, err
	}
	return len(p), nil
}
