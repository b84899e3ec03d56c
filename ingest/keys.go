package ingest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/flatten"
)

// keyField is the Arrow field of catalog.KeyColumn.
var keyField = arrow.Field{Name: catalog.KeyColumn, Type: arrow.BinaryTypes.String}

// keyColumn accumulates the resource id of every row a Builder appends,
// and attaches them to the Builder's records as catalog.KeyColumn, so
// that a later incremental refresh can supersede a resource's rows.
type keyColumn struct {
	schema *arrow.Schema // the view's schema plus the key column
	b      *array.StringBuilder
}

func newKeyColumn(view *arrow.Schema) *keyColumn {
	fields := append(append([]arrow.Field(nil), view.Fields()...), keyField)
	md := view.Metadata()
	return &keyColumn{
		schema: arrow.NewSchema(fields, &md),
		b:      array.NewStringBuilder(memory.DefaultAllocator),
	}
}

// append records n rows of resource id.
func (k *keyColumn) append(id string, n int) {
	for range n {
		k.b.Append(id)
	}
}

// attach returns rec with the keys appended since the last attach as its
// last column, and releases rec.
func (k *keyColumn) attach(rec arrow.RecordBatch) arrow.RecordBatch {
	defer rec.Release()
	keys := k.b.NewStringArray()
	defer keys.Release()
	cols := append(append([]arrow.Array(nil), rec.Columns()...), keys)
	return array.NewRecordBatch(k.schema, cols, rec.NumRows())
}

func (k *keyColumn) release() {
	if k != nil && k.b != nil {
		k.b.Release()
		k.b = nil
	}
}

// writeDeletes writes a deletes file (see catalog.File) listing ids, and
// returns its catalog entry. The file is synced and renamed into place.
func writeDeletes(dir, rel string, gen int, ids []string) (catalog.File, error) {
	path := filepath.Join(dir, rel)
	f, err := os.OpenFile(path+".tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return catalog.File{}, err
	}
	fail := func(err error) (catalog.File, error) {
		f.Close()
		os.Remove(path + ".tmp")
		return catalog.File{}, fmt.Errorf("deletes file %s: %w", rel, err)
	}
	schema := arrow.NewSchema([]arrow.Field{keyField}, nil)
	pw, err := flatten.NewParquetWriter(struct{ io.Writer }{f}, schema)
	if err != nil {
		return fail(err)
	}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(ids, nil)
	keys := b.NewStringArray()
	rec := array.NewRecordBatch(schema, []arrow.Array{keys}, int64(len(ids)))
	keys.Release()
	err = pw.Write(rec)
	rec.Release()
	if err == nil {
		err = pw.Close()
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		return fail(err)
	}
	fi, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path + ".tmp")
		return catalog.File{}, err
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		os.Remove(path + ".tmp")
		return catalog.File{}, err
	}
	return catalog.File{Path: rel, Rows: int64(len(ids)), Bytes: fi.Size(), Gen: gen, Deletes: true}, nil
}
