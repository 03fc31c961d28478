// Command perpetual-infra synthesizes the Terraform configuration of the
// perpetual IPFS/OrbitDB node: two stacks per environment file in config/
// (<environment> for Azure, <environment>-k8s for the objects in the
// cluster), written to $CDKTF_OUTDIR or cdktf.out. The cdktf CLI runs it
// ("app": "go run ." in cdktf.json), as does `make synth`; every stack is
// written, since `cdktf synth` (cdktf-cli 0.20) passes no stack names.
//
// Every configuration file is validated before anything is synthesized (and
// before jsii starts Node.js): a bad configuration prints every problem of
// every file, one per line, exits 1 and leaves the previous output as it
// was. The output directory is replaced only when synthesis succeeds, as a
// whole and in one step, only if this tool wrote it, one run at a time
// (package internal/outdir). The stacks written are listed on stdout;
// problems, warnings and notes go to stderr.
//
// SIGINT and SIGTERM before the new output is in place stop the run (at
// once when Node.js gets the signal too, as with Ctrl-C in a terminal; else
// when the synthesis under way ends) with exit status 128 plus the signal's
// number, the previous output unchanged; once it is in place the run
// finishes. Short of SIGKILL, the unfinished output and the runtime jsii
// unpacked into $TMPDIR are always removed (package internal/jsiiproc).
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/jsiiproc"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/outdir"
	"github.com/my-mimisbrunnr/perpetual-infra/stacks"
)

func main() {
	// Every deferred cleanup runs in run; os.Exit comes after it.
	os.Exit(run())
}

// run synthesizes and returns the exit status.
func run() int {
	// jsii unpacked its runtime when the bindings were registered, before
	// main: from here on every return must close it.
	stopJSII, err := jsiiproc.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stopJSII()

	flags := flag.NewFlagSet(os.Args[0], flag.ContinueOnError)
	configDir := flags.String("config", "config", "directory of the environment files (<environment>.json)")
	out := flags.String("out", "", "output directory (default $CDKTF_OUTDIR, else cdktf.out)")
	if err := flags.Parse(os.Args[1:]); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	*out = cmp.Or(*out, os.Getenv("CDKTF_OUTDIR"), "cdktf.out")

	ctx, stop := interrupts()
	defer stop()

	res, written, err := generate(ctx, *configDir, *out)
	for _, w := range res.Warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	if err == nil {
		// Success on stdout: the cdktf CLI shows the program's stderr as
		// [ERROR] lines.
		fmt.Printf("wrote %s: %s\n", *out, strings.Join(written, ", "))
		return 0
	}
	fmt.Fprintln(os.Stderr, err)
	// One reading of the signal, so that the message and the exit status
	// agree even if it arrives meanwhile.
	sig, signaled := errors.AsType[interrupted](context.Cause(ctx))
	what := "synthesis failed"
	if signaled {
		what = "stopped by " + signalName(sig.Signal)
	}
	if res.Existed {
		fmt.Fprintf(os.Stderr, "%s; the previous output in %s is unchanged\n", what, *out)
	} else {
		fmt.Fprintf(os.Stderr, "%s; nothing was written to %s\n", what, *out)
	}
	if s, ok := sig.Signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// generate loads the configuration, replaces the output with the
// synthesized stacks and returns the stacks written, in name order.
func generate(ctx context.Context, configDir, out string) (outdir.Result, []string, error) {
	cfgs, err := config.LoadDir(configDir)
	if err != nil {
		return outdir.Result{}, nil, err
	}
	// The stacks the cdktf CLI listed before starting the program: read
	// now, not under Replace's lock, where the recovery of an interrupted
	// run may have put back an output the CLI did not see.
	var listed []string
	if os.Getenv("CDKTF_CONTEXT_JSON") != "" {
		listed = stackDirs(out)
	}
	var written []string
	res, err := outdir.Replace(ctx, out, func(tmp string) error {
		if err := synth(cfgs, tmp); err != nil {
			return err
		}
		written = stackDirs(tmp)
		// An empty directory for each listed stack that is gone: the cdktf
		// CLI afterwards deletes the listed stack directories the new
		// manifest lacks, failing with ENOENT on a missing one.
		for _, name := range listed {
			if !slices.Contains(written, name) {
				_ = os.MkdirAll(filepath.Join(tmp, "stacks", name), 0o755)
			}
		}
		return nil
	}, outdir.Options{Notify: func(msg string) { fmt.Fprintln(os.Stderr, msg) }})
	return res, written, err
}

func stackDirs(out string) []string {
	entries, _ := os.ReadDir(filepath.Join(out, "stacks"))
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

// interrupts returns a context that SIGINT or SIGTERM cancels, with the
// signal in an [interrupted] cause; later signals are ignored during cleanup.
func interrupts() (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-ch:
			cancel(interrupted{s})
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(nil) }
}

// interrupted is the cause of a context that a signal canceled.
type interrupted struct{ os.Signal }

func (i interrupted) Error() string { return signalName(i.Signal) + " received" }

func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// synth builds every stack into dir. jsii reports errors from the
// JavaScript side (failed validations among them) as panics; cdktf's advice
// to skip validations is dropped from them: they are this project's
// guardrails, to be fixed or waived with a reason, never skipped.
func synth(cfgs []*config.Config, dir string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			keep := slices.DeleteFunc(strings.Split(fmt.Sprint(r), "\n"), func(line string) bool {
				return strings.Contains(line, "skipValidation")
			})
			err = errors.New(strings.TrimSpace(strings.Join(keep, "\n")))
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
