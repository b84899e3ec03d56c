//go:build !duckdb_arrow

package engine

import (
	"context"

	"github.com/fhirlake/fhirlake/wire"
)

// arrowSettings are the global settings the Arrow path needs.
var arrowSettings []string

// queryArrow is not available without the duckdb_arrow build tag: every
// result goes through database/sql.
func (s *session) queryArrow(context.Context, string, string) (wire.Rows, bool, error) {
	return nil, false, nil
}
