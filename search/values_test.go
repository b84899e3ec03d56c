package search

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDateRange(t *testing.T) {
	const f = "2006-01-02T15:04:05.000Z07:00"
	tests := []struct {
		in, low, high string
		wantErr       bool
	}{
		{in: "2020", low: "2020-01-01T00:00:00.000Z", high: "2020-12-31T23:59:59.999Z"},
		{in: "2020-02", low: "2020-02-01T00:00:00.000Z", high: "2020-02-29T23:59:59.999Z"},
		{in: "2021-02", low: "2021-02-01T00:00:00.000Z", high: "2021-02-28T23:59:59.999Z"},
		{in: "2020-12-31", low: "2020-12-31T00:00:00.000Z", high: "2020-12-31T23:59:59.999Z"},
		{in: "2020-03-04T10:11", low: "2020-03-04T10:11:00.000Z", high: "2020-03-04T10:11:59.999Z"},
		{in: "2020-03-04T10:11:12", low: "2020-03-04T10:11:12.000Z", high: "2020-03-04T10:11:12.999Z"},
		{in: "2020-03-04T10:11:12Z", low: "2020-03-04T10:11:12.000Z", high: "2020-03-04T10:11:12.999Z"},
		{in: "2020-03-04T10:11:12+01:00", low: "2020-03-04T09:11:12.000Z", high: "2020-03-04T09:11:12.999Z"},
		{in: "2020-03-04T00:30:00-05:30", low: "2020-03-04T06:00:00.000Z", high: "2020-03-04T06:00:00.999Z"},
		{in: "2020-03-04T10:11:12.5Z", low: "2020-03-04T10:11:12.500Z", high: "2020-03-04T10:11:12.599Z"},
		{in: "2020-03-04T10:11:12.123Z", low: "2020-03-04T10:11:12.123Z", high: "2020-03-04T10:11:12.123Z"},
		{in: "2020-03-04T10:11:12.123456+00:00", low: "2020-03-04T10:11:12.123Z", high: "2020-03-04T10:11:12.123Z"},
		{in: "2016-12-31T23:59:60Z", low: "2016-12-31T23:59:59.000Z", high: "2016-12-31T23:59:59.999Z"},
		{in: "2020-02-30", wantErr: true},
		{in: "2020-13", wantErr: true},
		{in: "20", wantErr: true},
		{in: "2020-1-01", wantErr: true},
		{in: "2020-01-01T", wantErr: true},
		{in: "2020-01-01T25:00", wantErr: true},
		{in: "2020-01-01T10:00:00.Z", wantErr: true},
		{in: "2020-01-01T10:00:00+1:00", wantErr: true},
		{in: "10:00:00", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			lo, hi, ok := DateRange(tc.in)
			require.Equal(t, !tc.wantErr, ok)
			if tc.wantErr {
				return
			}
			require.Equal(t, tc.low, lo.Format(f))
			require.Equal(t, tc.high, hi.Format(f))
			require.Equal(t, time.UTC, lo.Location())
		})
	}
}

func TestDecimalRange(t *testing.T) {
	tests := []struct {
		in           string
		v, low, high float64
		wantErr      bool
	}{
		{in: "100", v: 100, low: 99.5, high: 100.5},
		{in: "100.00", v: 100, low: 99.995, high: 100.005},
		{in: "0.25", v: 0.25, low: 0.245, high: 0.255},
		{in: "-3", v: -3, low: -3.5, high: -2.5},
		{in: "1.5e3", v: 1500, low: 1450, high: 1550},
		{in: "1E-2", v: 0.01, low: 0.005, high: 0.015},
		{in: "x", wantErr: true},
		{in: "0x10", wantErr: true},
		{in: "01", wantErr: true},
		{in: "1.", wantErr: true},
		{in: ".5", wantErr: true},
		{in: "1e", wantErr: true},
		{in: "Inf", wantErr: true},
		{in: "1_000", wantErr: true},
		{in: "0", v: 0, low: -0.5, high: 0.5},
		{in: "1e999", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			v, lo, hi, ok := DecimalRange(tc.in)
			require.Equal(t, !tc.wantErr, ok)
			if tc.wantErr {
				return
			}
			require.Equal(t, tc.v, v)
			require.InDelta(t, tc.low, lo, 1e-9)
			require.InDelta(t, tc.high, hi, 1e-9)
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Smith", "smith"},
		{"smith", "smith"},
		{"Ångström", "angstrom"},
		{"MÜLLER", "muller"},
		{"José María", "jose maria"},
		{"Çelik Şahin", "celik sahin"},
		{"Øster Straße", "øster straße"},
		{"Dvořák", "dvorak"},
		{"Ελληνικά", "ελληνικα"},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			require.Equal(t, tc.want, Normalize(tc.in))
		})
	}
}
