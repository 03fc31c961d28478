package jsiiproc

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// TestMain ends jsii as the program does (Start's stop): this test binary
// links jsii, which unpacks its runtime into $TMPDIR when it starts.
func TestMain(m *testing.M) {
	stop, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

// chunks reads its parts one per Read, as a pipe delivers separate writes.
type chunks []string

func (c *chunks) Read(p []byte) (int, error) {
	if len(*c) == 0 {
		return 0, io.EOF
	}
	n := copy(p, (*c)[0])
	*c = (*c)[1:]
	return n, nil
}

func TestFilterDropsOnlyTheFalseReport(t *testing.T) {
	in := chunks{
		"synthesis failed\n",
		"Runtime process exited abnormally: waitid: no child processes",
		"Runtime process exited abnormally: exit status 1",
		"next line\nRuntime process exited abnormally: wait: no child processes\n",
		"done\n",
	}
	var out bytes.Buffer
	if _, err := io.Copy(filter{&out}, &in); err != nil {
		t.Fatal(err)
	}
	want := "synthesis failed\nRuntime process exited abnormally: exit status 1next line\ndone\n"
	if out.String() != want {
		t.Errorf("got %q\nwant %q", out.String(), want)
	}
	if strings.Contains(out.String(), "no child processes") {
		t.Error("the false report went through")
	}
}
