// Command perpetual-infra synthesizes the Terraform configuration of the
// perpetual IPFS/OrbitDB node: two stacks per environment file in config/
// (<environment> for Azure, <environment>-k8s for the objects in the
// cluster), written to cdktf.out.
//
// It validates every configuration file before synthesizing anything and
// replaces the output directory only when synthesis succeeds: a bad
// configuration prints one line per problem, exits 1 and leaves the previous
// output as it was.
//
// The cdktf CLI runs it ("app": "go run ." in cdktf.json), and so does
// `make synth`. The output directory is $CDKTF_OUTDIR or cdktf.out.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/outdir"
	"github.com/my-mimisbrunnr/perpetual-infra/stacks"
)

func main() {
	configDir := flag.String("config", "config", "directory of the environment files (<environment>.json)")
	out := flag.String("out", "", "output directory (default $CDKTF_OUTDIR, else cdktf.out)")
	flag.Parse()
	if *out == "" {
		*out = os.Getenv("CDKTF_OUTDIR")
	}
	if *out == "" {
		*out = "cdktf.out"
	}
	if err := run(*configDir, *out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		fmt.Fprintln(os.Stderr, "synthesis failed; the previous output in", *out, "is unchanged")
		os.Exit(1)
	}
}

func run(configDir, out string) error {
	cfgs, err := config.LoadDir(configDir)
	if err != nil {
		return err
	}
	return outdir.Replace(out, func(tmp string) error {
		return synth(cfgs, tmp)
	})
}

// synth builds every stack into dir. jsii reports errors from the
// JavaScript side (failed validations among them) as panics.
func synth(cfgs []*config.Config, dir string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New(cleanJSError(fmt.Sprint(r)))
		}
	}()
	app := cdktf.NewApp(&cdktf.AppConfig{
		Outdir:      jsii.String(dir),
		StackTraces: jsii.Bool(false),
	})
	stacks.Build(app, cfgs)
	app.Synth()
	return nil
}

// cleanJSError drops cdktf's advice to skip validations from an error: the
// validations are this project's guardrails, to be fixed or waived with a
// reason in the configuration, never skipped.
func cleanJSError(msg string) string {
	var keep []string
	for _, line := range strings.Split(msg, "\n") {
		if strings.Contains(line, "skipValidation") {
			continue
		}
		keep = append(keep, line)
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}
