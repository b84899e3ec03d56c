package smart

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBearerToken(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   string
		ok     bool
	}{
		{name: "bearer", header: "Bearer abc.def.ghi", want: "abc.def.ghi", ok: true},
		{name: "case-insensitive scheme", header: "bearer abc", want: "abc", ok: true},
		{name: "extra spaces", header: "Bearer   abc ", want: "abc", ok: true},
		{name: "absent", header: ""},
		{name: "basic", header: "Basic dXNlcjpwYXNz"},
		{name: "no token", header: "Bearer "},
		{name: "scheme only", header: "Bearer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("Authorization", tt.header)
			}
			got, ok := BearerToken(h)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}
