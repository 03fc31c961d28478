// Command stackdiff compares two synthesized output directories (cdktf.out),
// usually a pull request's base and head, and reports per stack the blocks
// (resources, data sources, outputs, variables, providers, the terraform
// block) added, removed and changed, attribute by attribute:
//
//	go run ./cmd/stackdiff -base base/cdktf.out -head cdktf.out [-format text|markdown]
//
// It reads configuration only, without credentials or state, so it runs for
// every pull request, forks included. It calls out loudly what makes
// Terraform destroy data or lose track of it: a stateful resource
// (stateful.go) removed, renamed without a moved block, or with changed
// identity attributes, and any change of the state backend.
//
// Exit status 0 when the comparison was made (whatever it found), 1 when a
// directory cannot be read, 2 on bad usage.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stackdiff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "", "synthesized output directory of the base (the `DIR` with manifest.json)")
	head := fs.String("head", "", "synthesized output directory of the head (the `DIR` with manifest.json)")
	format := fs.String("format", "text", "output format: text or markdown")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: stackdiff -base DIR -head DIR [-format text|markdown]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	render, ok := map[string]func(io.Writer, Result){"text": Text, "markdown": Markdown}[*format]
	if *base == "" || *head == "" || fs.NArg() > 0 || !ok {
		fs.Usage()
		return 2
	}
	r, err := CompareDirs(*base, *head)
	if err != nil {
		fmt.Fprintln(stderr, "stackdiff:", err)
		return 1
	}
	render(stdout, r)
	return 0
}
