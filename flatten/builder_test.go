package flatten

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/require"
)

func compileJSON(t *testing.T, view string) *View {
	t.Helper()
	vd, err := ParseView([]byte(view))
	require.NoError(t, err)
	v, err := Compile(vd)
	require.NoError(t, err)
	return v
}

func TestBuilder(t *testing.T) {
	tests := []struct {
		name      string
		view      string
		resources []string
		want      string // rendered rows
		wantErr   string
	}{
		{
			name: "types",
			view: `{"resource":"Patient","select":[{"column":[
				{"name":"id","path":"id","type":"id"},
				{"name":"active","path":"active","type":"boolean"},
				{"name":"birth","path":"birthDate","type":"date"},
				{"name":"died","path":"deceased.ofType(dateTime)","type":"dateTime"},
				{"name":"births","path":"multipleBirth.ofType(integer)","type":"integer"},
				{"name":"w","path":"extension('w').value.ofType(decimal)","type":"decimal"},
				{"name":"name","path":"name.first()"},
				{"name":"given","path":"name.given","type":"string","collection":true}]}]}`,
			resources: []string{
				`{"resourceType":"Patient","id":"a","active":true,"birthDate":"2019","deceasedDateTime":"2020-01-02T03:04:05.5+02:00","multipleBirthInteger":2,"extension":[{"url":"w","valueDecimal":1.25}],"name":[{"given":["x","y"]}]}`,
				`{"resourceType":"Patient","id":"b","birthDate":"2019-05","deceasedDateTime":"2021"}`,
				`{"resourceType":"Observation","id":"skipped"}`,
			},
			want: `{"id":"a","active":true,"birth":"2019-01-01","birth_raw":"2019","died":"2020-01-02T01:04:05.5Z","died_raw":"2020-01-02T03:04:05.5+02:00","births":2,"w":1.250000000,"name":"{\"given\":[\"x\",\"y\"]}","given":["x","y"]}
{"id":"b","active":null,"birth":"2019-05-01","birth_raw":"2019-05","died":"2021-01-01T00:00:00Z","died_raw":"2021","births":null,"w":null,"name":null,"given":[]}
`,
		},
		{
			name: "decimal, time, base64Binary, instant and integer64",
			view: `{"resource":"Observation","select":[{"column":[
				{"name":"q","path":"value.ofType(Quantity).value","type":"decimal"},
				{"name":"qs","path":"component.value.ofType(Quantity).value","type":"decimal","collection":true},
				{"name":"t","path":"value.ofType(time)","type":"time"},
				{"name":"att","path":"extension('a').value.ofType(base64Binary)","type":"base64Binary"},
				{"name":"issued","path":"issued","type":"instant"},
				{"name":"big","path":"extension('n').value.ofType(integer64)","type":"integer64"},
				{"name":"ints_as_decimal","path":"extension('n').value.ofType(integer64)","type":"decimal"}]}]}`,
			resources: []string{
				`{"resourceType":"Observation","valueQuantity":{"value":0.1},"component":[{"valueQuantity":{"value":1e-3}},{"valueQuantity":{"value":-12345678901234567890.1234567895}},{"valueQuantity":{"value":0.00000000050}}],"extension":[{"url":"a","valueBase64Binary":"aGVs bG8="},{"url":"n","valueInteger64":"9007199254740993"}],"issued":"2020-01-02T03:04:05.123456789+01:00"}`,
				`{"resourceType":"Observation","valueTime":"23:59:59.25","component":[]}`,
			},
			want: `{"q":0.100000000,"qs":[0.001000000,-12345678901234567890.123456790,0.000000001],"t":null,"att":"aGVsbG8=","issued":"2020-01-02T02:04:05.123456Z","big":9007199254740993,"ints_as_decimal":9007199254740993.000000000}
{"q":null,"qs":[],"t":"23:59:59.25","att":null,"issued":null,"big":null,"ints_as_decimal":null}
`,
		},
		{
			name:      "collection of dates keeps a list of raw texts",
			view:      `{"resource":"Patient","select":[{"column":[{"name":"d","path":"extension.value.ofType(date)","type":"date","collection":true}]}]}`,
			resources: []string{`{"resourceType":"Patient","extension":[{"url":"x","valueDate":"1970"},{"url":"y","valueDate":"1970-03-05"}]}`, `{"resourceType":"Patient"}`},
			want: `{"d":["1970-01-01","1970-03-05"],"d_raw":["1970","1970-03-05"]}
{"d":[],"d_raw":[]}
`,
		},
		{
			name:      "decimal beyond 38 digits",
			view:      `{"resource":"Observation","select":[{"column":[{"name":"q","path":"value.ofType(Quantity).value","type":"decimal"}]}]}`,
			resources: []string{`{"resourceType":"Observation","valueQuantity":{"value":123456789012345678901234567890.5}}`},
			wantErr:   `column "q": value 123456789012345678901234567890.5: "123456789012345678901234567890.5": decimal needs more than 38 digits`,
		},
		{
			name:      "invalid base64Binary",
			view:      `{"resource":"Patient","select":[{"column":[{"name":"photo","path":"photo.data","type":"base64Binary","collection":true}]}]}`,
			resources: []string{`{"resourceType":"Patient","photo":[{"data":"aGVsbG8="},{"data":"not base64!"}]}`},
			wantErr:   `column "photo": value "not base64!": invalid base64Binary: illegal base64 data at input byte`,
		},
		{
			name:      "invalid time",
			view:      `{"resource":"Observation","select":[{"column":[{"name":"t","path":"value.ofType(time)","type":"time"}]}]}`,
			resources: []string{`{"resourceType":"Observation","valueTime":"24:00:00"}`},
			wantErr:   `column "t": value "24:00:00": invalid time`,
		},
		{
			name:      "invalid date names the column",
			view:      `{"resource":"Patient","select":[{"column":[{"name":"id","path":"id"},{"name":"birth","path":"birthDate","type":"date"}]}]}`,
			resources: []string{`{"resourceType":"Patient","id":"a","birthDate":"2019-13-01"}`},
			wantErr:   `column "birth": value "2019-13-01": invalid date`,
		},
		{
			name:      "invalid dateTime",
			view:      `{"resource":"Patient","select":[{"column":[{"name":"d","path":"deceased","type":"dateTime"}]}]}`,
			resources: []string{`{"resourceType":"Patient","deceasedDateTime":"yesterday"}`},
			wantErr:   `column "d": value "yesterday": invalid dateTime`,
		},
		{
			name:      "not a boolean",
			view:      `{"resource":"Patient","select":[{"column":[{"name":"b","path":"gender","type":"boolean"}]}]}`,
			resources: []string{`{"resourceType":"Patient","gender":"male"}`},
			wantErr:   `column "b": expected a boolean`,
		},
		{
			name:      "several values in a single column",
			view:      `{"resource":"Patient","select":[{"column":[{"name":"g","path":"name.given"}]}]}`,
			resources: []string{`{"resourceType":"Patient","name":[{"given":["a","b"]}]}`},
			wantErr:   `column "g": path "name.given" returned 2 values`,
		},
		{
			name: "forEach, where and rowIndex",
			view: `{"resource":"Patient","where":[{"path":"active = true"}],"select":[
				{"column":[{"name":"id","path":"getResourceKey()","type":"id"}]},
				{"forEach":"name","column":[{"name":"i","path":"%rowIndex","type":"integer"},{"name":"family","path":"family","type":"string"}]}]}`,
			resources: []string{
				`{"resourceType":"Patient","id":"a","active":true,"name":[{"family":"f1"},{"family":"f2"}]}`,
				`{"resourceType":"Patient","id":"b","active":false,"name":[{"family":"f3"}]}`,
			},
			want: `{"id":"a","i":0,"family":"f1"}
{"id":"a","i":1,"family":"f2"}
`,
		},
		{
			name:      "bad JSON",
			view:      `{"resource":"Patient","select":[{"column":[{"name":"id","path":"id"}]}]}`,
			resources: []string{`{"resourceType":"Patient",`},
			wantErr:   `flatten: view "patient": fhirpath: json at offset`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := compileJSON(t, tc.view)
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			b := v.NewBuilder(mem)
			defer b.Release()
			var err error
			for _, r := range tc.resources {
				if err = b.Append([]byte(r)); err != nil {
					break
				}
			}
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.Equal(t, 0, b.Len(), "a failed Append must not add rows")
				return
			}
			require.NoError(t, err)
			rec := b.NewRecord()
			defer rec.Release()
			require.Equal(t, tc.want, string(renderRecord(t, rec)))
			require.Equal(t, 0, b.Len())
		})
	}
}

func TestParquetRoundTrip(t *testing.T) {
	v := compileJSON(t, `{"resource":"Patient","select":[{"column":[
		{"name":"id","path":"id","type":"id"},{"name":"birth","path":"birthDate","type":"date"},
		{"name":"given","path":"name.given","collection":true},
		{"name":"died","path":"deceased","type":"dateTime"}]}]}`)
	for _, rows := range []int{0, 3} {
		b := v.NewBuilder(memory.DefaultAllocator)
		for i := 0; i < rows; i++ {
			require.NoError(t, b.Append([]byte(`{"resourceType":"Patient","id":"p","birthDate":"1970-01-02","deceasedDateTime":"2000-01-01T00:00:00+01:00","name":[{"given":["a"]}]}`)))
		}
		rec := b.NewRecord()
		var buf bytes.Buffer
		w, err := NewParquetWriter(&buf, v.Schema())
		require.NoError(t, err)
		require.NoError(t, w.Write(rec))
		require.NoError(t, w.Close())
		rec.Release()
		b.Release()

		rdr, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
		require.NoError(t, err)
		fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		require.NoError(t, err)
		tbl, err := fr.ReadTable(context.Background())
		require.NoError(t, err)
		require.Equal(t, v.Schema().NumFields(), tbl.Schema().NumFields())
		for i, f := range v.Schema().Fields() {
			g := tbl.Schema().Field(i)
			require.Equal(t, f.Name, g.Name)
			require.True(t, arrow.TypeEqual(f.Type, g.Type), "column %s: %s != %s", f.Name, f.Type, g.Type)
		}
		require.Equal(t, int64(rows), tbl.NumRows())
		require.Equal(t, arrow.FixedWidthTypes.Date32, tbl.Schema().Field(1).Type)
		tbl.Release()
		if rdr.NumRowGroups() > 0 {
			cc, err := rdr.MetaData().RowGroup(0).ColumnChunk(0)
			require.NoError(t, err)
			require.Equal(t, compress.Codecs.Zstd, cc.Compression())
		}
	}
}

// TestParquetWriterLeavesFileOpen checks that Close writes the footer but
// leaves the underlying file to its owner.
func TestParquetWriterLeavesFileOpen(t *testing.T) {
	v := compileJSON(t, `{"resource":"Patient","select":[{"column":[{"name":"id","path":"id"}]}]}`)
	f, err := os.Create(filepath.Join(t.TempDir(), "x.parquet"))
	require.NoError(t, err)
	w, err := NewParquetWriter(f, v.Schema())
	require.NoError(t, err)
	require.NoError(t, w.Close())
	_, err = f.Write(nil)
	require.NoError(t, err, "the file must still be open")
	require.NoError(t, f.Close())
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ name, view, wantErr string }{
		{"no resource", `{"select":[{"column":[{"name":"id","path":"id"}]}]}`, "resource is required"},
		{"unknown resource", `{"resource":"Patients","select":[{"column":[{"name":"id","path":"id"}]}]}`, `unknown resource type "Patients"`},
		{"bad name", `{"name":"my view","resource":"Patient","select":[{"column":[{"name":"id","path":"id"}]}]}`, "not a valid SQL identifier"},
		{"bad column name", `{"resource":"Patient","select":[{"column":[{"name":"1d","path":"id"}]}]}`, `column "1d": name is not a valid identifier`},
		{"duplicate column", `{"resource":"Patient","select":[{"column":[{"name":"id","path":"id"}]},{"column":[{"name":"id","path":"id"}]}]}`, `column "id": duplicate column name`},
		{"bad path", `{"resource":"Patient","select":[{"column":[{"name":"id","path":"id.("}]}]}`, `/select/0/column/0/path: column "id": fhirpath:`},
		{"unknown function", `{"resource":"Patient","select":[{"column":[{"name":"id","path":"id.frobnicate()"}]}]}`, "unknown function frobnicate()"},
		{"unknown type", `{"resource":"Patient","select":[{"column":[{"name":"id","path":"id","type":"strin"}]}]}`, `unsupported type "strin"`},
		{"undefined constant", `{"resource":"Patient","select":[{"column":[{"name":"id","path":"%nope"}]}]}`, "undefined constant %nope"},
		{"union mismatch", `{"resource":"Patient","select":[{"unionAll":[{"column":[{"name":"a","path":"id"}]},{"column":[{"name":"b","path":"id"}]}]}]}`, "unionAll branch 1"},
		{"two iterations", `{"resource":"Patient","select":[{"forEach":"name","forEachOrNull":"name","column":[{"name":"a","path":"id"}]}]}`, "only one of forEach"},
		{"bad where", `{"resource":"Patient","where":[{"path":"@@"}],"select":[{"column":[{"name":"a","path":"id"}]}]}`, `/where/0/path: fhirpath:`},
		{"companion name", `{"resource":"Patient","select":[{"column":[{"name":"birth","path":"birthDate","type":"date"},{"name":"birth_raw","path":"birthDate"}]}]}`,
			`flatten: view "patient": /select/0/column/1: column "birth_raw" has the name of the generated companion of date column "birth"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vd, err := ParseView([]byte(tc.view))
			require.NoError(t, err)
			_, err = Compile(vd)
			require.ErrorContains(t, err, tc.wantErr)
			require.True(t, strings.HasPrefix(err.Error(), "flatten: view "), err.Error())
		})
	}
}

// TestConcurrentEvaluate checks that a compiled View can be shared by
// goroutines (run with -race).
func TestConcurrentEvaluate(t *testing.T) {
	var v *View
	for _, vd := range DefaultViews() {
		if vd.Name == "observation_component" {
			v = compileJSONView(t, vd)
		}
	}
	res := []byte(`{"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120,"unit":"mmHg"}}]}`)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := v.NewBuilder(memory.DefaultAllocator)
			defer b.Release()
			for i := 0; i < 50; i++ {
				rows, err := v.Evaluate(res)
				if err != nil || len(rows) != 1 || b.Append(res) != nil {
					t.Errorf("rows %v err %v", rows, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func compileJSONView(t *testing.T, vd *ViewDefinition) *View {
	v, err := Compile(vd)
	require.NoError(t, err)
	return v
}
