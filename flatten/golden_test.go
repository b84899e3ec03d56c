package flatten

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata/golden")

// TestDefaultViewsGolden runs each default view over
// testdata/golden/<view>.ndjson through the Arrow Builder and compares the
// typed rows with testdata/golden/<view>.golden (one JSON object a row,
// keys in column order). Run with -rewrite to regenerate.
func TestDefaultViewsGolden(t *testing.T) {
	for _, vd := range DefaultViews() {
		v, err := Compile(vd)
		require.NoError(t, err)
		t.Run(v.Name(), func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", "golden", v.Name()+".ndjson"))
			require.NoError(t, err, "every default view needs sample resources")
			got := renderView(t, v, in)
			path := filepath.Join("testdata", "golden", v.Name()+".golden")
			if *rewrite {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))
		})
	}
}

// TestGoldenCases runs the project's own tricky cases: each
// testdata/golden/cases/<case>.view.json is run over <case>.ndjson through
// the Arrow Builder and compared with <case>.golden (typed values, one row
// a line, the header line listing the Arrow fields and types). Run with
// -rewrite to regenerate.
func TestGoldenCases(t *testing.T) {
	views, err := filepath.Glob(filepath.Join("testdata", "golden", "cases", "*.view.json"))
	require.NoError(t, err)
	require.NotEmpty(t, views)
	for _, path := range views {
		name := strings.TrimSuffix(filepath.Base(path), ".view.json")
		t.Run(name, func(t *testing.T) {
			base := strings.TrimSuffix(path, ".view.json")
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			vd, err := ParseView(data)
			require.NoError(t, err)
			v, err := Compile(vd)
			require.NoError(t, err)
			in, err := os.ReadFile(base + ".ndjson")
			require.NoError(t, err)
			got := append(renderSchema(v.Schema()), renderView(t, v, in)...)
			if *rewrite {
				require.NoError(t, os.WriteFile(base+".golden", got, 0o644))
			}
			want, err := os.ReadFile(base + ".golden")
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))
		})
	}
}

// renderSchema prints the Arrow fields as one "# name type, ..." line.
func renderSchema(s *arrow.Schema) []byte {
	parts := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		parts[i] = f.Name + " " + f.Type.String()
	}
	return []byte("# " + strings.Join(parts, ", ") + "\n")
}

// renderView appends every line of ndjson to a Builder and prints the
// resulting record one row per line.
func renderView(t *testing.T, v *View, ndjson []byte) []byte {
	b := v.NewBuilder(memory.NewCheckedAllocator(memory.DefaultAllocator))
	defer b.Release()
	evalRows := 0
	sc := bufio.NewScanner(bytes.NewReader(ndjson))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		require.NoError(t, b.Append(sc.Bytes()))
		rows, err := v.Evaluate(sc.Bytes())
		require.NoError(t, err)
		evalRows += len(rows)
	}
	require.Equal(t, evalRows, b.Len(), "Evaluate and Builder must agree on the row count")
	rec := b.NewRecord()
	defer rec.Release()
	return renderRecord(t, rec)
}

func renderRecord(t *testing.T, rec arrow.RecordBatch) []byte {
	var out bytes.Buffer
	for i := 0; i < int(rec.NumRows()); i++ {
		out.WriteByte('{')
		for j, f := range rec.Schema().Fields() {
			if j > 0 {
				out.WriteByte(',')
			}
			fmt.Fprintf(&out, "%q:%s", f.Name, renderValue(t, rec.Column(j), i))
		}
		out.WriteString("}\n")
	}
	return out.Bytes()
}

// renderValue renders one value as JSON. Decimals are written with their
// exact scaled digits (1.250000000), which GetOneForMarshal would round
// through a binary float; binary values are base64 strings.
func renderValue(t *testing.T, col arrow.Array, i int) string {
	if col.IsNull(i) {
		return "null"
	}
	switch a := col.(type) {
	case *array.Decimal128:
		return a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.List:
		start, end := a.ValueOffsets(i)
		parts := make([]string, 0, end-start)
		for k := start; k < end; k++ {
			parts = append(parts, renderValue(t, a.ListValues(), int(k)))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	val, err := json.Marshal(col.GetOneForMarshal(i))
	require.NoError(t, err)
	return string(val)
}
