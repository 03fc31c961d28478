package cost

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// RenderDiff writes how the monthly estimates change from base to head:
// per stack, the components whose cost changes (added, removed or
// different) and the totals. Stacks whose estimate is the same are named
// once at the end.
func RenderDiff(w io.Writer, base, head []*Estimate) {
	b := index(base, func(e *Estimate) string { return e.Stack })
	h := index(head, func(e *Estimate) string { return e.Stack })
	var same []string
	var total, totalBase float64
	for _, n := range sortedKeys(b, h) {
		be, he := b[n], h[n]
		// A stack that is not on one side has no lines and costs nothing there.
		bz, hz := cmp.Or(be, &Estimate{}), cmp.Or(he, &Estimate{})
		lines := lineDiff(bz.Lines, hz.Lines)
		bt, ht := bz.Total, hz.Total
		total, totalBase = total+ht, totalBase+bt
		if be != nil && he != nil && len(lines) == 0 && round2(bt) == round2(ht) {
			same = append(same, n)
			continue
		}
		switch {
		case be == nil:
			fmt.Fprintf(w, "Stack %s (new): $%.2f a month\n", n, ht)
		case he == nil:
			fmt.Fprintf(w, "Stack %s (removed): $%.2f a month less\n", n, bt)
			fmt.Fprintln(w)
			continue
		default:
			fmt.Fprintf(w, "Stack %s: $%.2f -> $%.2f a month (%+.2f)\n", n, bt, ht, ht-bt)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, l := range lines {
			fmt.Fprintln(tw, l)
		}
		_ = tw.Flush()
		if he != nil && he.OverBudget() {
			fmt.Fprintf(w, "  over the budget's first alert at $%.2f\n", he.Budget.AlertAt())
		}
		fmt.Fprintln(w)
	}
	if len(same) > 0 {
		fmt.Fprintf(w, "Unchanged: %s\n", strings.Join(same, ", "))
	}
	fmt.Fprintf(w, "All stacks: $%.2f -> $%.2f a month (%+.2f)\n", totalBase, total, total-totalBase)
}

// lineDiff lists the components of a stack whose monthly cost or SKU
// differs, as tab-separated rows.
func lineDiff(base, head []Line) []string {
	component := func(l Line) string { return l.Component }
	b, h := index(base, component), index(head, component)
	var out []string
	for _, c := range sortedKeys(b, h) {
		bl, inBase := b[c]
		hl, inHead := h[c]
		switch {
		case !inBase:
			out = append(out, fmt.Sprintf("  + %s\t%s\t$%.2f", c, hl.SKU, hl.Monthly))
		case !inHead:
			out = append(out, fmt.Sprintf("  - %s\t%s\t-$%.2f", c, bl.SKU, bl.Monthly))
		case bl.SKU != hl.SKU || round2(bl.Monthly) != round2(hl.Monthly):
			out = append(out, fmt.Sprintf("  ~ %s\t%s -> %s\t$%.2f -> $%.2f", c, bl.SKU, hl.SKU, bl.Monthly, hl.Monthly))
		}
	}
	return out
}

// index maps each of items to its key.
func index[T any](items []T, key func(T) string) map[string]T {
	m := map[string]T{}
	for _, it := range items {
		m[key(it)] = it
	}
	return m
}

// sortedKeys returns the keys of a and b, sorted, each once.
func sortedKeys[V any](a, b map[string]V) []string {
	keys := slices.Concat(slices.Collect(maps.Keys(a)), slices.Collect(maps.Keys(b)))
	slices.Sort(keys)
	return slices.Compact(keys)
}
