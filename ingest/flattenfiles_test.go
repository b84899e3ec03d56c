package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/flatten"
)

func TestFlattenFiles(t *testing.T) {
	dir := t.TempDir()
	var nd strings.Builder
	for i := range 3000 {
		nd.WriteString(`{"resourceType":"Patient","id":"p` + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + `-` + strconv.Itoa(i) + `","gender":"female","birthDate":"1970"}` + "\n")
		nd.WriteString(`{"resourceType":"Observation","id":"o` + strconv.Itoa(i) + `","status":"final","code":{"text":"x"}}` + "\n")
	}
	nd.WriteString("{not json\n")
	nd.WriteString(`{"resourceType":"Patient","id":"bad","birthDate":"1970-13"}` + "\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.ndjson"), []byte(nd.String()), 0o600))
	vd, err := flatten.ParseView([]byte(`{"resourceType":"ViewDefinition","name":"p","resource":"Patient","select":[{"column":[
		{"name":"id","path":"id"},{"name":"birth","path":"birthDate","type":"date"}]}]}`))
	require.NoError(t, err)
	v, err := flatten.Compile(vd)
	require.NoError(t, err)
	var buf bytes.Buffer
	var rejects []string
	st, err := FlattenFiles(context.Background(), v, []string{dir}, &buf, func(e error) { rejects = append(rejects, e.Error()) })
	require.NoError(t, err)
	require.Equal(t, 6001, st.Resources)
	require.Equal(t, 3001, st.Matched)
	require.EqualValues(t, 3000, st.Rows)
	require.Equal(t, 1, st.Rejected)
	require.Equal(t, 1, st.Skipped)
	require.Len(t, rejects, 2)
	require.Contains(t, strings.Join(rejects, "\n"), "a.ndjson:6001:")
	require.Contains(t, strings.Join(rejects, "\n"), "Patient/bad")

	pf, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	require.NoError(t, err)
	tbl, err := fr.ReadTable(context.Background())
	require.NoError(t, err)
	defer tbl.Release()
	require.EqualValues(t, 3000, tbl.NumRows())
	require.Equal(t, []string{"id", "birth", "birth_raw"}, []string{tbl.Schema().Field(0).Name, tbl.Schema().Field(1).Name, tbl.Schema().Field(2).Name})
}
