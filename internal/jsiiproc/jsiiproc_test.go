package jsiiproc

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

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
	if err := filter(&out, &in); err != nil {
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
