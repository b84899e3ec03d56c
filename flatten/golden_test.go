package flatten

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
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
			val, err := json.Marshal(rec.Column(j).GetOneForMarshal(i))
			require.NoError(t, err)
			fmt.Fprintf(&out, "%q:%s", f.Name, val)
		}
		out.WriteString("}\n")
	}
	return out.Bytes()
}
