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
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/cost"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/manifest"
)

func main() {
	out := flag.String("out", "cdktf.out", "synthesized output directory")
	base := flag.String("base", "", "compare with the synthesized output directory `DIR`")
	flag.Parse()
	var err error
	if *base != "" {
		err = diff(*base, *out)
	} else {
		err = run(*out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	ests, err := estimates(dir, " (run make synth first)")
	if err != nil {
		return err
	}
	cost.Render(os.Stdout, ests)
	var over []string
	for _, e := range ests {
		if e.OverBudget() {
			over = append(over, e.Stack)
		}
	}
	if len(over) > 0 {
		return fmt.Errorf("the estimate of %v passes the budget's alert threshold: lower the cost or raise budget.amount in %s", over, filepath.Join("config", "<environment>.json"))
	}
	return nil
}

// diff prints how the estimates change from base to head.
func diff(base, head string) error {
	// Both are synthesized by scripts/changes.sh, not by make synth.
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
	stacks, err := manifest.Stacks(dir)
	if err != nil {
		return nil, fmt.Errorf("%w%s", err, advice)
	}
	return cost.EstimateAll(stacks)
}
