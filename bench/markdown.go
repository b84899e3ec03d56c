package bench

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// WriteMarkdown renders the report as RESULTS.md: a label, the run's
// provenance (command, date, commit, machine, settings), then one table per
// suite with every figure and ratio, then links to the plots.
func WriteMarkdown(w io.Writer, r *Report, label string, plots []string) error {
	var b strings.Builder
	b.WriteString("# fhirlake benchmark results\n\n")
	if label != "" {
		fmt.Fprintf(&b, "> %s\n\n", label)
	}
	fmt.Fprintf(&b, "- Command: `%s`\n", r.Command)
	fmt.Fprintf(&b, "- Date: %s (run took %.0f s)\n", r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Duration)
	fmt.Fprintf(&b, "- Commit: `%s`\n", r.Commit)
	m := r.Machine
	fmt.Fprintf(&b, "- Machine: %s, %d logical CPUs, %d MiB RAM, Linux %s, %s %s\n", m.CPUModel, m.CPUs, m.MemoryMB, m.Kernel, m.GoVersion, m.OS)
	fmt.Fprintf(&b, "- Method: %d warm-up and %d measured rounds per case; each round runs every system once, rotating which goes first. Figures are median (min–max) of the measured rounds. Ratio = how many times better fhirlake's median is (above 1: fhirlake wins).\n", r.Warmup, r.Reps)
	fmt.Fprintf(&b, "- Data: `synth.Generate` seed 1, patients %s\n", joinInts(r.Patients))
	if len(r.Settings) > 0 {
		b.WriteString("- Settings:\n")
		for _, s := range r.Settings {
			fmt.Fprintf(&b, "  - %s\n", s)
		}
	}
	for _, suite := range r.Suites {
		writeSuiteTable(&b, suite, r.Results)
	}
	if len(plots) > 0 {
		b.WriteString("\n## Plots\n\n")
		for _, p := range plots {
			fmt.Fprintf(&b, "![%s](%s)\n", strings.TrimSuffix(lastElem(p), ".svg"), p)
		}
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("bench: RESULTS.md: %w", err)
	}
	return nil
}

func writeSuiteTable(b *strings.Builder, suite string, results []Result) {
	var rs []Result
	var systems []string
	seen := map[string]bool{}
	for _, r := range results {
		if r.Suite != suite {
			continue
		}
		rs = append(rs, r)
		for _, s := range r.Systems {
			if !seen[s.System] {
				seen[s.System] = true
				systems = append(systems, s.System)
			}
		}
	}
	fmt.Fprintf(b, "\n## Suite %s\n\n", suite)
	if len(rs) == 0 {
		b.WriteString("No results.\n")
		return
	}
	notes := false
	for _, r := range rs {
		notes = notes || r.Note != ""
	}
	b.WriteString("| patients | case | metric |")
	for _, s := range systems {
		fmt.Fprintf(b, " %s |", s)
	}
	for _, s := range systems[1:] {
		fmt.Fprintf(b, " ratio vs %s |", s)
	}
	if notes {
		b.WriteString(" check |")
	}
	b.WriteString("\n|---:|---|---|")
	b.WriteString(strings.Repeat("---:|", 2*len(systems)-1))
	if notes {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range rs {
		fmt.Fprintf(b, "| %s | %s | %s (%s, %s better) |", patientsCell(r.Patients), r.Case, r.Metric, r.Unit, r.Better)
		for _, s := range systems {
			fmt.Fprintf(b, " %s |", cellStats(r, s))
		}
		for _, s := range systems[1:] {
			fmt.Fprintf(b, " %s |", cellRatio(r, s))
		}
		if notes {
			fmt.Fprintf(b, " %s |", r.Note)
		}
		b.WriteString("\n")
	}
}

func cellStats(r Result, system string) string {
	for _, s := range r.Systems {
		if s.System == system {
			st := s.Stats
			return fmt.Sprintf("%s (%s–%s)", FormatFigure(st.Median), FormatFigure(st.Min), FormatFigure(st.Max))
		}
	}
	return "–"
}

func cellRatio(r Result, baseline string) string {
	for _, x := range r.Ratios {
		if x.Baseline == baseline {
			if math.IsNaN(x.Value) {
				return "–"
			}
			return fmt.Sprintf("%.2f×", x.Value)
		}
	}
	return "–"
}

// FormatFigure prints a measured figure with three or four significant
// digits, and thousands separators for large ones.
func FormatFigure(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "–"
	case a >= 1000:
		return groupThousands(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

func lastElem(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// patientsCell prints a data size; 0 marks a figure that does not depend on it.
func patientsCell(n int) string {
	if n == 0 {
		return "–"
	}
	return strconv.Itoa(n)
}
