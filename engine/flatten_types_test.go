package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/flatten"
)

// typesView has a column of every FHIR type flatten maps, single and
// collection.
const typesView = `{"resource":"Patient","name":"typed","select":[{"column":[
	{"name":"id","path":"id","type":"id"},
	{"name":"active","path":"active","type":"boolean"},
	{"name":"births","path":"multipleBirth.ofType(integer)","type":"integer"},
	{"name":"big","path":"extension('big').value.ofType(integer64)","type":"integer64"},
	{"name":"amount","path":"extension('amount').value.ofType(decimal)","type":"decimal"},
	{"name":"amounts","path":"extension('amount').value.ofType(decimal)","type":"decimal","collection":true},
	{"name":"birth","path":"birthDate","type":"date"},
	{"name":"dates","path":"extension('date').value.ofType(date)","type":"date","collection":true},
	{"name":"died","path":"deceased.ofType(dateTime)","type":"dateTime"},
	{"name":"updated","path":"meta.lastUpdated","type":"instant"},
	{"name":"wakes","path":"extension('wake').value.ofType(time)","type":"time"},
	{"name":"photo","path":"photo.data.first()","type":"base64Binary"},
	{"name":"gender","path":"gender","type":"code"},
	{"name":"marital","path":"maritalStatus.coding.first()","type":"Coding"},
	{"name":"given","path":"name.given","type":"string","collection":true}]}]}`

var typesResources = []string{
	`{"resourceType":"Patient","id":"a","active":true,"multipleBirthInteger":2,"gender":"female",
	  "extension":[{"url":"big","valueInteger64":"9007199254740993"},{"url":"amount","valueDecimal":0.1},
	    {"url":"date","valueDate":"1970"},{"url":"date","valueDate":"1970-03-05"},{"url":"wake","valueTime":"06:30:00.5"}],
	  "birthDate":"1970","deceasedDateTime":"2020-01-02T03:04:05+02:00","meta":{"lastUpdated":"2024-01-02T03:04:05.123456Z"},
	  "photo":[{"data":"AAEC/w=="}],"maritalStatus":{"coding":[{"code":"M"}]},"name":[{"given":["Ann","Bo"]}]}`,
	`{"resourceType":"Patient","id":"b","active":false,"extension":[{"url":"amount","valueDecimal":0.2}],
	  "birthDate":"1980-05","deceasedDateTime":"2021"}`,
}

// writeTypesFile flattens typesResources with typesView into the data
// store's views/typed.parquet.
func writeTypesFile(t *testing.T, dir string) {
	vd, err := flatten.ParseView([]byte(typesView))
	require.NoError(t, err)
	v, err := flatten.Compile(vd)
	require.NoError(t, err)
	b := v.NewBuilder(memory.DefaultAllocator)
	defer b.Release()
	for _, r := range typesResources {
		require.NoError(t, b.Append([]byte(r)))
	}
	rec := b.NewRecord()
	defer rec.Release()
	path := filepath.Join(dir, "views", "typed.parquet")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	w, err := flatten.NewParquetWriter(f, v.Schema())
	require.NoError(t, err)
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Close())
	require.NoError(t, f.Close())
}

// TestFlattenTypes checks that DuckDB, and so SQL clients, see flatten's
// Parquet columns with their real types and exact values.
func TestFlattenTypes(t *testing.T) {
	c := &fakeCatalog{dir: t.TempDir(), stores: map[string][]catalog.View{}}
	writeTypesFile(t, c.DatastoreDir("demo"))
	c.setViews("demo", view("typed", catalog.File{Path: filepath.Join("views", "typed.parquet")}))
	e, err := Open(context.Background(), c, Options{Threads: 2, MemoryLimit: "1GB"})
	require.NoError(t, err)
	defer func() { require.NoError(t, e.Close()) }()
	s, err := e.Open(context.Background(), "demo", "alice")
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()

	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return tm
	}
	tests := []struct {
		name, query string
		want        [][]any
		wantOIDs    []uint32
	}{
		{name: "DuckDB types", query: "SELECT column_name, column_type FROM (DESCRIBE typed)", want: [][]any{
			{"id", "VARCHAR"}, {"active", "BOOLEAN"}, {"births", "BIGINT"}, {"big", "BIGINT"},
			{"amount", "DECIMAL(38,9)"}, {"amounts", "DECIMAL(38,9)[]"},
			{"birth", "DATE"}, {"birth_raw", "VARCHAR"}, {"dates", "DATE[]"}, {"dates_raw", "VARCHAR[]"},
			{"died", "TIMESTAMP WITH TIME ZONE"}, {"died_raw", "VARCHAR"},
			{"updated", "TIMESTAMP WITH TIME ZONE"}, {"wakes", "TIME"}, {"photo", "BLOB"},
			{"gender", "VARCHAR"}, {"marital", "VARCHAR"}, {"given", "VARCHAR[]"}}},
		{name: "Postgres types and values", query: "SELECT * FROM typed ORDER BY id",
			wantOIDs: []uint32{25, 16, 20, 20, 1700, 1231, 1082, 25, 1182, 1009, 1184, 25, 1184, 1083, 17, 25, 25, 1009},
			want: [][]any{
				{"a", true, int64(2), int64(9007199254740993), "0.100000000", "{0.100000000}",
					utc("1970-01-01T00:00:00Z"), "1970", "{1970-01-01,1970-03-05}", "{1970,1970-03-05}",
					utc("2020-01-02T01:04:05Z"), "2020-01-02T03:04:05+02:00", utc("2024-01-02T03:04:05.123456Z"),
					"06:30:00.5", []byte{0, 1, 2, 255}, "female", `{"code":"M"}`, "{Ann,Bo}"},
				{"b", false, nil, nil, "0.200000000", "{0.200000000}",
					utc("1980-05-01T00:00:00Z"), "1980-05", "{}", "{}",
					utc("2021-01-01T00:00:00Z"), "2021", nil, nil, nil, nil, nil, "{}"},
			}},
		{name: "exact decimal arithmetic", query: "SELECT sum(amount) = 0.3, sum(amount)::VARCHAR, typeof(sum(amount)) FROM typed",
			want: [][]any{{true, "0.300000000", "DECIMAL(38,9)"}}},
		{name: "partial dates through the companion", query: "SELECT id FROM typed WHERE birth_raw = '1970' AND length(birth_raw) = 4 AND year(birth) = 1970",
			want: [][]any{{"a"}}},
		{name: "time zone aware", query: "SELECT hour(died AT TIME ZONE 'UTC'), typeof(died), typeof(wakes), typeof(photo) FROM typed WHERE id = 'a'",
			want: [][]any{{int64(1), "TIMESTAMP WITH TIME ZONE", "TIME", "BLOB"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cols, got, _, err := collect(context.Background(), s, tc.query)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			if tc.wantOIDs != nil {
				oids := make([]uint32, len(cols))
				for i, c := range cols {
					oids[i] = c.TypeOID
				}
				require.Equal(t, tc.wantOIDs, oids)
			}
		})
	}
}
