package search

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		code      string
		in        float64
		want      float64
		wantCode  string
		wantFails bool
	}{
		{code: "g", in: 5, want: 5, wantCode: "g"},
		{code: "kg", in: 70, want: 70000, wantCode: "g"},
		{code: "mg", in: 250, want: 0.25, wantCode: "g"},
		{code: "ug", in: 3, want: 3e-6, wantCode: "g"},
		{code: "[lb_av]", in: 2, want: 907.18474, wantCode: "g"},
		{code: "m", in: 2, want: 2, wantCode: "m"},
		{code: "cm", in: 176, want: 1.76, wantCode: "m"},
		{code: "mm", in: 5, want: 0.005, wantCode: "m"},
		{code: "[in_i]", in: 10, want: 0.254, wantCode: "m"},
		{code: "[ft_i]", in: 6, want: 1.8288, wantCode: "m"},
		{code: "L", in: 1, want: 1, wantCode: "L"},
		{code: "mL", in: 250, want: 0.25, wantCode: "L"},
		{code: "dL", in: 3, want: 0.3, wantCode: "L"},
		{code: "s", in: 30, want: 30, wantCode: "s"},
		{code: "min", in: 2, want: 120, wantCode: "s"},
		{code: "h", in: 1, want: 3600, wantCode: "s"},
		{code: "d", in: 1, want: 86400, wantCode: "s"},
		{code: "wk", in: 1, want: 604800, wantCode: "s"},
		{code: "mo", in: 1, want: 2629800, wantCode: "s"},
		{code: "a", in: 1, want: 31557600, wantCode: "s"},
		{code: "Cel", in: 37, want: 310.15, wantCode: "K"},
		{code: "[degF]", in: 98.6, want: 310.15, wantCode: "K"},
		{code: "K", in: 300, want: 300, wantCode: "K"},
		{code: "mm[Hg]", in: 120, want: 15998.6864898, wantCode: "Pa"},
		{code: "kPa", in: 16, want: 16000, wantCode: "Pa"},
		{code: "cm[H2O]", in: 10, want: 980.665, wantCode: "Pa"},
		{code: "mg/dL", in: 100, want: 1, wantCode: "g/L"},
		{code: "g/L", in: 1, want: 1, wantCode: "g/L"},
		{code: "mmol/L", in: 5.5, want: 0.0055, wantCode: "mol/L"},
		{code: "kg/m2", in: 25, want: 25000, wantCode: "g/m2"},
		{code: "%", in: 12, want: 12, wantCode: "%"},
		{code: "/min", in: 60, want: 1, wantCode: "/s"},
		{code: "{beats}/min", in: 72, want: 1.2, wantCode: "/s"},
		{code: "1/min", in: 12, want: 0.2, wantCode: "/s"},
		{code: "10*3/uL", in: 4.5, want: 4.5e9, wantCode: "/L"},
		{code: "m.s-2", in: 9.8, want: 9.8, wantCode: "m/s2"},
		{code: "{score}", in: 3, want: 3, wantCode: "1"},
		{code: "[IU]/L", in: 40, want: 40, wantCode: "[IU]/L"},
		{code: "", wantFails: true},
		{code: "furlong", wantFails: true},
		{code: "kmin", wantFails: true},
		{code: "mg/", wantFails: true},
		{code: "10*x", wantFails: true},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			got, code, ok := Canonical(tc.in, tc.code)
			require.Equal(t, !tc.wantFails, ok)
			if tc.wantFails {
				return
			}
			require.Equal(t, tc.wantCode, code)
			require.InDelta(t, tc.want, got, math.Abs(tc.want)*1e-9+1e-12)
		})
	}
}
