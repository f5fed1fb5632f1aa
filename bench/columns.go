package main

import (
	"fmt"
	"math"
	"strings"
)

// A column is one setup of a side-by-side case (see benchCase.columns).
type column struct {
	heading string // the column's heading
	short   string // its name in the ratio and spread headings
}

// columnValues returns the values of metric m in column col over Herald's
// runs, and how many runs have no value there (failed runs, or a setup
// that failed within a run, which leaves NaN).
func columnValues(cr caseResults, col, m int) (vs []float64, missing int) {
	missing = len(cr.errors[kindHerald])
	for _, run := range cr.values[kindHerald] {
		v := run[col*len(cr.bc.metrics)+m]
		if math.IsNaN(v) {
			missing++
			continue
		}
		vs = append(vs, v)
	}
	return vs, missing
}

// writeColumns writes a side-by-side case as a table of its own: a column
// of ratios per setup, then each setup's ratio to the first, then the
// spreads.
func writeColumns(b *strings.Builder, cr caseResults) {
	cols := cr.bc.columns
	first := cols[0].short
	head := []string{"scenario"}
	for _, c := range cols {
		head = append(head, c.heading)
	}
	var shorts []string
	for _, c := range cols[1:] {
		head = append(head, c.short+" / "+first)
	}
	for _, c := range cols {
		shorts = append(shorts, c.short)
	}
	head = append(head, "spread "+strings.Join(shorts, " / "))
	fmt.Fprintf(b, "\n| %s |\n|---%s|\n", strings.Join(head, " | "), strings.Repeat("|---:", len(head)-1))
	for m, mt := range cr.bc.metrics {
		label := mt.label
		if cr.client {
			label += " †"
		}
		if cr.busy {
			label += " ‡"
		}
		cells := []string{label}
		var ratios, spreads []string
		var base float64
		for col := range cols {
			vs, missing := columnValues(cr, col, m)
			cell := "failed"
			if len(vs) > 0 {
				cell = formatValue(mt.unit, median(vs))
				if missing > 0 {
					cell += " *"
				}
			}
			cells = append(cells, cell)
			spreads = append(spreads, spread(vs))
			ratio := "–"
			switch {
			case col == 0 && len(vs) > 0:
				base = median(vs)
			case col > 0 && len(vs) > 0 && base != 0:
				ratio = fmt.Sprintf("%.2f", median(vs)/base)
			}
			if col > 0 {
				ratios = append(ratios, ratio)
			}
		}
		cells = append(append(cells, ratios...), strings.Join(spreads, " / "))
		fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
	}
	fmt.Fprintf(b, "\nEach ratio is a setup's median divided by the %s one's: for deliveries/s a ratio below 1 "+
		"means fewer, for latency a ratio above 1 means slower. A * marks a median over fewer runs than asked "+
		"for (see the notes). Spread is (max − min) / median over the runs.\n", first)
}
