package flatten

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// ParquetWriter writes record batches of one schema as a zstd-compressed
// Parquet file. The Arrow schema is stored in the file so that readers
// get back the same types (timestamps in UTC). A file closed without any
// Write is still a valid, empty Parquet file with the schema.
type ParquetWriter struct {
	fw *pqarrow.FileWriter
}

// NewParquetWriter starts a Parquet file on w. Each Write becomes one row
// group or more.
func NewParquetWriter(w io.Writer, schema *arrow.Schema) (*ParquetWriter, error) {
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithDictionaryDefault(true),
	)
	// pqarrow closes a writer that is an io.Closer; hide Close so that the
	// caller keeps the file (and can sync it before closing).
	fw, err := pqarrow.NewFileWriter(schema, struct{ io.Writer }{w}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return nil, fmt.Errorf("flatten: parquet writer: %w", err)
	}
	return &ParquetWriter{fw: fw}, nil
}

// Write writes one record batch. It does not retain rec.
func (p *ParquetWriter) Write(rec arrow.RecordBatch) error {
	if rec.NumRows() == 0 {
		return nil
	}
	if err := p.fw.Write(rec); err != nil {
		return fmt.Errorf("flatten: parquet write: %w", err)
	}
	return nil
}

// Close writes the file footer. It does not close the underlying writer.
func (p *ParquetWriter) Close() error {
	if err := p.fw.Close(); err != nil {
		return fmt.Errorf("flatten: parquet close: %w", err)
	}
	return nil
}
