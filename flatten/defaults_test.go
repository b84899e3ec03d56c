package flatten

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDefaultViewsCompile(t *testing.T) {
	files, err := fs.Glob(viewFiles, "views/*.json")
	require.NoError(t, err)
	views := DefaultViews()
	require.Len(t, views, len(files), "every embedded view must parse")
	want := []string{"allergy_intolerance", "condition", "document_reference", "encounter",
		"immunization", "medication_request", "observation", "observation_component",
		"patient", "patient_link", "procedure"}
	var got []string
	for _, vd := range views {
		v, err := Compile(vd)
		require.NoError(t, err)
		got = append(got, v.Name())
		require.Equal(t, "id", v.Schema().Field(0).Name, v.Name())
	}
	require.Equal(t, want, got)
}
