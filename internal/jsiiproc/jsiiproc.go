// Package jsiiproc ends jsii's Node.js process cleanly when the program
// ends.
//
// jsii runs the JavaScript side of cdktf in a Node.js process. It unpacks
// its runtime (2.2 MB, jsii-runtime.* in $TMPDIR) when the bindings are
// registered, before main starts, and removes it only when jsii.Close is
// called: a program that does not close jsii leaves one such directory per
// run. jsii.Close, in turn, sometimes makes jsii-runtime-go print a false
// report that Node.js exited abnormally; [Start] sets up a filter that
// drops it, and the stop function it returns closes jsii.
package jsiiproc

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"time"

	"github.com/aws/jsii-runtime-go"
)

// Start routes os.Stderr through a filter that drops that false report. It
// must run before the first call into jsii and before other goroutines
// write to os.Stderr.
//
// The returned stop closes jsii, which ends the Node.js process and
// removes the runtime it unpacked. Call it last: writes to os.Stderr after
// it are discarded, so that a late false report of jsii's is too.
func Start() (stop func(), err error) {
	realStderr := os.Stderr
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	os.Stderr = w
	drained := make(chan struct{})
	go func() {
		_ = filter(realStderr, r)
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

// spurious is what jsii-runtime-go (1.x) prints when jsii.Close reaps the
// Node.js process before the goroutine that also waits for it: that
// goroutine's wait fails with ECHILD and reports an abnormal exit although
// Node.js ended normally.
var spurious = regexp.MustCompile(`Runtime process exited abnormally: (waitid|wait): no child processes\n?`)

// filter copies src to dst until src ends, leaving out jsii's spurious
// report of an abnormal exit. The report is one write of less than
// PIPE_BUF bytes, so it arrives whole in one read.
func filter(dst io.Writer, src io.Reader) error {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if bytes.Contains(chunk, []byte("Runtime process exited abnormally")) {
				chunk = spurious.ReplaceAll(chunk, nil)
			}
			if _, werr := dst.Write(chunk); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
