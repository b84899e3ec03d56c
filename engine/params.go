package engine

import (
	"context"
	"database/sql/driver"
	"fmt"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fhirlake/fhirlake/wire"
)

var _ wire.ParamDescriber = (*session)(nil)

// paramTypeNames names the DuckDB parameter types that have a Postgres
// counterpart; anything else (DuckDB could not infer it, or it is nested)
// stays unknown.
var paramTypeNames = map[duckdb.Type]string{
	duckdb.TYPE_BOOLEAN: "BOOLEAN", duckdb.TYPE_TINYINT: "TINYINT", duckdb.TYPE_SMALLINT: "SMALLINT",
	duckdb.TYPE_INTEGER: "INTEGER", duckdb.TYPE_BIGINT: "BIGINT", duckdb.TYPE_UTINYINT: "UTINYINT",
	duckdb.TYPE_USMALLINT: "USMALLINT", duckdb.TYPE_UINTEGER: "UINTEGER", duckdb.TYPE_FLOAT: "FLOAT",
	duckdb.TYPE_DOUBLE: "DOUBLE", duckdb.TYPE_DECIMAL: "DECIMAL", duckdb.TYPE_VARCHAR: "VARCHAR",
	duckdb.TYPE_BLOB: "BLOB", duckdb.TYPE_DATE: "DATE", duckdb.TYPE_TIME: "TIME",
	duckdb.TYPE_TIMESTAMP: "TIMESTAMP", duckdb.TYPE_TIMESTAMP_TZ: "TIMESTAMPTZ",
	duckdb.TYPE_INTERVAL: "INTERVAL", duckdb.TYPE_UUID: "UUID",
}

// ParamTypes implements wire.ParamDescriber: DuckDB prepares the statement
// (after the same classification and rewriting as Query, so nothing runs
// and nothing is prepared that could not run) and reports the type it
// infers for each $n from its context, such as the column a parameter is
// compared with. A parameter DuckDB cannot type is 0.
func (s *session) ParamTypes(ctx context.Context, sql string) ([]uint32, error) {
	p, err := s.classify(ctx, sql)
	if err != nil || p.Kind != planQuery {
		return nil, err
	}
	var oids []uint32
	err = s.conn.Raw(func(dc any) error {
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("engine: %T cannot prepare", dc)
		}
		st, err := prep.PrepareContext(ctx, p.SQL)
		if err != nil {
			return err
		}
		defer st.Close()
		ds, ok := st.(*duckdb.Stmt)
		if !ok {
			return fmt.Errorf("engine: unexpected statement %T", st)
		}
		oids = make([]uint32, ds.NumInput())
		for i := range oids {
			t, err := ds.ParamType(i + 1)
			if err != nil {
				continue
			}
			if name, ok := paramTypeNames[t]; ok {
				oids[i] = resolveType(name).OID
			}
		}
		return nil
	})
	if err != nil {
		return nil, mapError(ctx, err)
	}
	return oids, nil
}
