package ingest

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/fhirlake/fhirlake/flatten"
	"github.com/fhirlake/fhirlake/search"
)

// table is what materialize builds Parquet files for from the resources
// of one type: a ViewDefinition's view, or a type's search index.
type table interface {
	Name() string
	Resource() string
	Schema() *arrow.Schema
	newBuilder(mem memory.Allocator) rowBuilder
}

// rowBuilder turns resources into rows (flatten.Builder,
// search.IndexBuilder).
type rowBuilder interface {
	Append(resourceJSON []byte) error
	Len() int
	NewRecord() arrow.RecordBatch
	Release()
}

// viewTable is a compiled ViewDefinition.
type viewTable struct{ *flatten.View }

func (v viewTable) newBuilder(mem memory.Allocator) rowBuilder { return v.NewBuilder(mem) }

// indexTable is the search index of one resource type.
type indexTable struct{ name, resource string }

func (t indexTable) Name() string          { return t.name }
func (t indexTable) Resource() string      { return t.resource }
func (t indexTable) Schema() *arrow.Schema { return search.IndexSchema() }
func (t indexTable) newBuilder(mem memory.Allocator) rowBuilder {
	return search.NewIndexBuilder(mem)
}
