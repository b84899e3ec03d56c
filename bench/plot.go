package bench

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// WritePlots draws one SVG scale curve per suite, case and metric into dir:
// the median of each system against the number of patients, with min–max
// error bars. Figures that do not depend on the data size (Patients 0) are
// not plotted. It returns the file names written, relative to dir, sorted.
func WritePlots(dir string, results []Result) ([]string, error) {
	type key struct{ suite, kase, metric, unit string }
	groups := map[key][]Result{}
	for _, r := range results {
		if r.Patients == 0 {
			continue
		}
		k := key{r.Suite, r.Case, r.Metric, r.Unit}
		groups[k] = append(groups[k], r)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: plots: %w", err)
	}
	var names []string
	for k, rs := range groups {
		name := plotName(k.suite, k.kase, k.metric)
		title := fmt.Sprintf("%s: %s, %s", k.suite, k.kase, k.metric)
		if err := drawScaleCurve(filepath.Join(dir, name), title, k.unit, rs); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// plotName makes a file name of lower-case letters, digits and underscores.
func plotName(parts ...string) string {
	s := strings.ToLower(strings.Join(parts, "_"))
	s = strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, s)
	for strings.Contains(s, "__") {
		s = strings.ReplaceAll(s, "__", "_")
	}
	return strings.Trim(s, "_") + ".svg"
}

// drawScaleCurve plots the results of one case (one per data size).
func drawScaleCurve(path, title, unit string, rs []Result) error {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Patients < rs[j].Patients })
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "patients"
	p.Y.Label.Text = unit
	if rs[len(rs)-1].Patients >= 10*rs[0].Patients {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	var systems []string
	seen := map[string]bool{}
	for _, r := range rs {
		for _, s := range r.Systems {
			if !seen[s.System] {
				seen[s.System] = true
				systems = append(systems, s.System)
			}
		}
	}
	for i, sys := range systems {
		pts := plotter.XYs{}
		errs := plotter.YErrors{}
		for _, r := range rs {
			for _, s := range r.Systems {
				if s.System == sys && !math.IsNaN(s.Stats.Median) {
					pts = append(pts, plotter.XY{X: float64(r.Patients), Y: s.Stats.Median})
					errs = append(errs, struct{ Low, High float64 }{s.Stats.Median - s.Stats.Min, s.Stats.Max - s.Stats.Median})
				}
			}
		}
		if len(pts) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(pts)
		if err != nil {
			return fmt.Errorf("bench: plot %s: %w", path, err)
		}
		line.Color = plotutil.Color(i)
		points.Color = plotutil.Color(i)
		points.Shape = plotutil.Shape(i)
		bars, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{pts, errs})
		if err != nil {
			return fmt.Errorf("bench: plot %s: %w", path, err)
		}
		bars.Color = plotutil.Color(i)
		p.Add(line, points, bars)
		p.Legend.Add(sys, line, points)
	}
	p.Legend.Top = true
	p.Y.Min = 0
	// Headroom above the highest error bar keeps the legend off the data.
	top := 0.0
	for _, r := range rs {
		for _, s := range r.Systems {
			if !math.IsNaN(s.Stats.Max) {
				top = math.Max(top, s.Stats.Max)
			}
		}
	}
	if top > 0 {
		p.Y.Max = top * 1.3
	}
	if err := p.Save(6*vg.Inch, 4*vg.Inch, path); err != nil {
		return fmt.Errorf("bench: plot %s: %w", path, err)
	}
	return nil
}
