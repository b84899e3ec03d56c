package bench

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/fhirlake/fhirlake/flatten"
)

// flattenSuite turns NDJSON into Parquet through four ViewDefinition shapes
// (views/*.json): fhirlake's flatten package (FHIRPath → Arrow → Parquet,
// one worker per core) against DuckDB's equivalent read_ndjson_objects /
// json_extract / UNNEST SQL (views/duckdb/*.sql) writing Parquet with COPY.
// Both outputs must hold the same rows.
type flattenSuite struct{}

func (flattenSuite) Name() string { return "flatten" }

// flattenShape is one view of the suite with its DuckDB equivalent.
type flattenShape struct {
	Name      string
	View      *flatten.View
	Resource  string
	DuckDBSQL string // with {{file}} standing for the quoted NDJSON path
}

func flattenShapes() ([]flattenShape, error) {
	files, err := queryFS.ReadDir("views")
	if err != nil {
		return nil, fmt.Errorf("bench: flatten views: %w", err)
	}
	var out []flattenShape
	for _, f := range files {
		if f.IsDir() || !strings.HasSuffix(f.Name(), ".json") {
			continue
		}
		name := strings.TrimSuffix(f.Name(), ".json")
		def, err := queryFS.ReadFile(path.Join("views", f.Name()))
		if err != nil {
			return nil, fmt.Errorf("bench: flatten view %s: %w", name, err)
		}
		vd, err := flatten.ParseView(def)
		if err != nil {
			return nil, fmt.Errorf("bench: flatten view %s: %w", name, err)
		}
		v, err := flatten.Compile(vd)
		if err != nil {
			return nil, fmt.Errorf("bench: flatten view %s: %w", name, err)
		}
		q, err := queryFS.ReadFile(path.Join("views", "duckdb", name+".sql"))
		if err != nil {
			return nil, fmt.Errorf("bench: flatten view %s has no DuckDB equivalent: %w", name, err)
		}
		out = append(out, flattenShape{Name: name, View: v, Resource: vd.Resource, DuckDBSQL: string(q)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s flattenSuite) Run(ctx context.Context, env *Env) ([]Result, error) {
	shapes, err := flattenShapes()
	if err != nil {
		return nil, err
	}
	db, err := newDuckDB(ctx)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	workers := runtime.GOMAXPROCS(0)
	env.Setting(fmt.Sprintf("flatten/fhirlake: flatten.Compile'd ViewDefinition, %d workers (one per core) each with its own Builder and zstd Parquet file, 32768-row batches; NDJSON read from the page cache", workers))
	env.Setting("flatten/duckdb: `COPY (<equivalent SQL over read_ndjson_objects>) TO 'x.parquet' (FORMAT parquet, COMPRESSION zstd)` in plain in-process DuckDB, default threads; SQL in bench/views/duckdb")
	var out []Result
	for _, sh := range shapes {
		r, err := s.measure(ctx, env, db, sh, workers)
		if err != nil {
			return nil, fmt.Errorf("bench: flatten %s: %w", sh.Name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func (s flattenSuite) measure(ctx context.Context, env *Env, db *sql.DB, sh flattenShape, workers int) (Result, error) {
	src := filepath.Join(env.NDJSON, sh.Resource+".ndjson")
	flDir := filepath.Join(env.Work, "flatten", sh.Name, "fhirlake")
	duckDir := filepath.Join(env.Work, "flatten", sh.Name, "duckdb")
	duckOut := filepath.Join(duckDir, "out.parquet")
	q := "COPY (" + strings.ReplaceAll(sh.DuckDBSQL, "{{file}}", sqlString(src)) + ") TO " + sqlString(duckOut) + " (FORMAT parquet, COMPRESSION zstd)"
	rows := map[string]int64{}
	cs := []Contender{
		{Name: Fhirlake, Run: func(ctx context.Context) (map[string]float64, error) {
			if err := freshDir(flDir); err != nil {
				return nil, err
			}
			start := time.Now()
			n, err := flattenFile(ctx, sh.View, src, flDir, workers)
			if err != nil {
				return nil, err
			}
			rows[Fhirlake] = n
			return map[string]float64{"throughput": float64(n) / time.Since(start).Seconds()}, nil
		}},
		{Name: sysDuckDB, Run: func(ctx context.Context) (map[string]float64, error) {
			if err := freshDir(duckDir); err != nil {
				return nil, err
			}
			start := time.Now()
			res, err := db.ExecContext(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("bench: duckdb: %w", err)
			}
			elapsed := time.Since(start)
			n, err := res.RowsAffected()
			if err != nil {
				return nil, fmt.Errorf("bench: duckdb: %w", err)
			}
			rows[sysDuckDB] = n
			return map[string]float64{"throughput": float64(n) / elapsed.Seconds()}, nil
		}},
	}
	samples, err := Alternate(ctx, env.Warmup, env.Reps, cs)
	if err != nil {
		return Result{}, err
	}
	if err := sameParquetRows(ctx, db, filepath.Join(flDir, "*.parquet"), duckOut, sh.View.Columns()); err != nil {
		return Result{}, err
	}
	r, err := NewResult(s.Name(), sh.Name, env.Patients, "throughput", "rows/s", HigherIsBetter, []string{Fhirlake, sysDuckDB}, samples.Metric("throughput"))
	if err != nil {
		return Result{}, err
	}
	r.Note = fmt.Sprintf("same %d rows in both Parquet outputs", rows[Fhirlake])
	env.Logf("  flatten %s: fhirlake %.0f rows/s, duckdb %.0f rows/s (%d rows, same)", sh.Name, r.Systems[0].Stats.Median, r.Systems[1].Stats.Median, rows[Fhirlake])
	return r, nil
}

// sameParquetRows checks with DuckDB that two sets of Parquet files hold
// the same multiset of rows over cols (all columns when nil): fhirlake's
// files also hold the _raw companions of date columns.
func sameParquetRows(ctx context.Context, db *sql.DB, a, b string, cols []string) error {
	sel := "*"
	if len(cols) > 0 {
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
		}
		sel = strings.Join(quoted, ", ")
	}
	for _, pair := range [][2]string{{a, b}, {b, a}} {
		var extra int64
		q := fmt.Sprintf("SELECT count(*) FROM (SELECT %s FROM read_parquet(%s) EXCEPT ALL SELECT %s FROM read_parquet(%s))", sel, sqlString(pair[0]), sel, sqlString(pair[1]))
		if err := db.QueryRowContext(ctx, q).Scan(&extra); err != nil {
			return fmt.Errorf("bench: compare outputs: %w", err)
		}
		if extra != 0 {
			return fmt.Errorf("bench: fhirlake and duckdb outputs differ: %d rows of %s are not in %s", extra, pair[0], pair[1])
		}
	}
	var na, nb int64
	if err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT (SELECT count(*) FROM read_parquet(%s)), (SELECT count(*) FROM read_parquet(%s))", sqlString(a), sqlString(b))).Scan(&na, &nb); err != nil {
		return fmt.Errorf("bench: compare outputs: %w", err)
	}
	if na != nb {
		return fmt.Errorf("bench: fhirlake wrote %d rows, duckdb %d", na, nb)
	}
	return nil
}

// flattenFile flattens every resource of an NDJSON file with workers
// goroutines, each appending to its own Builder and writing its own Parquet
// file in dir. It returns the number of rows written.
func flattenFile(ctx context.Context, v *flatten.View, src, dir string, workers int) (int64, error) {
	f, err := os.Open(src)
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	chunks := make(chan [][]byte, workers*2)
	results := make(chan flattenWorkerResult, workers)
	for i := 0; i < workers; i++ {
		go func(i int) {
			n, err := flattenWorker(v, filepath.Join(dir, fmt.Sprintf("part-%d.parquet", i)), chunks)
			results <- flattenWorkerResult{n, err}
		}(i)
	}
	readErr := readChunks(ctx, f, chunks)
	close(chunks)
	var total int64
	for i := 0; i < workers; i++ {
		r := <-results
		total += r.rows
		if err == nil {
			err = r.err
		}
	}
	if readErr != nil {
		return 0, readErr
	}
	return total, err
}

type flattenWorkerResult struct {
	rows int64
	err  error
}

// readBlock is the size of the blocks readChunks reads; maxLine bounds a
// line, as the 64 MiB limit of the bufio.Scanner it replaced did.
const (
	readBlock = 4 << 20
	maxLine   = 64 << 20
)

// readChunks sends the file's non-empty lines in chunks of up to 512.
// Lines are slices of freshly allocated blocks of the file rather than
// copies, so the reader goroutine, which shares the cores with the
// workers, does little more than one read and one newline search per
// line; a block is freed once the workers are done with its lines.
func readChunks(ctx context.Context, f *os.File, chunks chan<- [][]byte) error {
	var carry []byte // an unfinished line from the previous block
	chunk := make([][]byte, 0, 512)
	for {
		block := make([]byte, len(carry)+readBlock)
		copy(block, carry)
		n, err := io.ReadFull(f, block[len(carry):])
		block = block[:len(carry)+n]
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return fmt.Errorf("bench: %s: %w", f.Name(), err)
		}
		end := len(block)
		if !eof {
			end = bytes.LastIndexByte(block, '\n') + 1
		}
		carry = block[end:]
		if len(carry) > maxLine {
			return fmt.Errorf("bench: %s: a line is longer than %d bytes", f.Name(), maxLine)
		}
		for rest := block[:end]; len(rest) > 0; {
			line := rest
			if i := bytes.IndexByte(rest, '\n'); i >= 0 {
				line, rest = rest[:i], rest[i+1:]
			} else {
				rest = nil
			}
			line = bytes.TrimSuffix(line, []byte("\r"))
			if len(line) == 0 {
				continue
			}
			chunk = append(chunk, line[:len(line):len(line)])
			if len(chunk) == cap(chunk) {
				select {
				case chunks <- chunk:
				case <-ctx.Done():
					return ctx.Err()
				}
				chunk = make([][]byte, 0, 512)
			}
		}
		if eof {
			break
		}
	}
	if len(chunk) > 0 {
		chunks <- chunk
	}
	return nil
}

// flattenWorker drains chunks (even after an error, so the reader never
// blocks) into one Parquet file.
func flattenWorker(v *flatten.View, out string, chunks <-chan [][]byte) (int64, error) {
	f, err := os.Create(out)
	if err != nil {
		for range chunks {
		}
		return 0, fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	w, err := flatten.NewParquetWriter(f, v.Schema())
	if err != nil {
		for range chunks {
		}
		return 0, err
	}
	b := v.NewBuilder(memory.DefaultAllocator)
	defer b.Release()
	var rows int64
	flush := func() error {
		rec := b.NewRecord()
		defer rec.Release()
		rows += rec.NumRows()
		return w.Write(rec)
	}
	for chunk := range chunks {
		for _, line := range chunk {
			if err == nil {
				err = b.Append(line)
			}
		}
		if err == nil && b.Len() >= 32768 {
			err = flush()
		}
	}
	if err == nil && b.Len() > 0 {
		err = flush()
	}
	// Close also closes f.
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return rows, err
}

func freshDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
