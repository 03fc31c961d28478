// Command cost prints the monthly cost estimate of every synthesized stack
// in cdktf.out (make cost): each billable component with its SKU, quantity,
// unit price and monthly cost, and the total against the stack's budget. It
// exits 1 when an estimate passes its budget's first actual-cost alert, or
// when a resource has no price.
//
// With -base DIR it prints instead how the estimates change from the stacks
// in DIR to those in -out (make changes).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/cost"
)

func main() {
	out := flag.String("out", "cdktf.out", "synthesized output directory")
	configDir := flag.String("config", "config", "directory of the environment files the stacks were synthesized from, for messages")
	base := flag.String("base", "", "compare with the synthesized output directory `DIR`")
	flag.Parse()
	var err error
	if *base != "" {
		err = diff(*base, *out)
	} else {
		err = run(os.Stdout, *out, *configDir)
	}
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(os.Stderr, "cost:", line)
		}
		os.Exit(1)
	}
}

// run prints the estimates of the stacks in dir and fails, one line per
// stack, when an estimate passes its budget's first alert.
func run(w io.Writer, dir, configDir string) error {
	ests, err := estimates(dir, " (run make synth first)")
	if err != nil {
		return err
	}
	cost.Render(w, ests)
	var over []error
	for _, e := range ests {
		if e.OverBudget() {
			// A stack with a budget is named after its environment file.
			over = append(over, fmt.Errorf("the estimate of %s, $%.2f a month, passes its budget's first alert at $%.2f (%g%% of $%.2f): lower the cost, or raise budget.amount in %s",
				e.Stack, e.Total, e.Budget.AlertAt(), e.Budget.AlertPercent, e.Budget.Amount, filepath.Join(configDir, e.Stack+".json")))
		}
	}
	return errors.Join(over...)
}

// diff prints how the estimates change from base to head (both synthesized
// by scripts/changes.sh, so no advice to run make synth).
func diff(base, head string) error {
	baseEsts, err := estimates(base, "")
	if err != nil {
		return err
	}
	headEsts, err := estimates(head, "")
	if err != nil {
		return err
	}
	cost.RenderDiff(os.Stdout, baseEsts, headEsts)
	return nil
}

// estimates prices the stacks synthesized in dir. advice follows an error
// reading them.
func estimates(dir, advice string) ([]*cost.Estimate, error) {
	stacks, err := stackjson.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%w%s", err, advice)
	}
	raw := map[string][]byte{}
	for name, s := range stacks {
		raw[name] = s.Raw
	}
	return cost.EstimateAll(raw)
}
