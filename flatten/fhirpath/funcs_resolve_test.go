package fhirpath

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckFunctionsTypeArgs(t *testing.T) {
	tests := []struct{ expr, wantErr string }{
		{expr: "value.as(Quantity)"},
		{expr: "value.is(FHIR.Quantity)"},
		{expr: "subject.where(resolve() is Patient)"},
		{expr: "value.as('Quantity')", wantErr: "as() needs a type name at offset 6"},
		{expr: "value.is(1)", wantErr: "is() needs a type name at offset 6"},
		{expr: "value.as()", wantErr: "as() takes 1 to 1 arguments, got 0"},
		{expr: "resolve(x)", wantErr: "resolve() takes 0 to 0 arguments, got 1"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			e, err := Parse(tc.expr)
			require.NoError(t, err)
			err = CheckFunctions(e)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, "fhirpath: "+tc.wantErr)
		})
	}
}
