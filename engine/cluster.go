package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/fhirlake/fhirlake/catalog"
)

// A Clusterer rewrites the data files of a search index table (package
// search) the way single-patient and selective searches want them: one
// file per search parameter, hive-style under views/param=<code>/, each
// sorted by value, then patient, then id, in row groups small enough
// that DuckDB's row group statistics skip most of a file. A search
// names its parameters, so the engine opens only their files, and a
// token, reference or string value (or a patient, see search's pat
// column) is a short run of rows in them. Dates are sorted by four-year
// bucket, then patient, then time: ranges still skip by time, and a
// patient's dates are a few runs.
//
// Clustering is two passes of DuckDB, whatever the number of parameters:
// the rows are split by parameter into scratch files (views/.cluster-*,
// removed after), then each parameter's rows are sorted on their own
// with DuckDB's external sort (it spills to a folder inside the data
// folder), in its own DuckDB instance with its own memory limit, so that
// clustering a big import does not take memory from queries.
type Clusterer struct {
	conn *duckdb.Connector
	db   *sql.DB
}

// clusterRowGroup is the number of rows of a row group of a clustered
// file: small enough that a run of a few hundred rows costs one or two
// row groups to read, large enough that the statistics of a file of
// millions of rows are checked in well under a millisecond.
const clusterRowGroup = 32 * 1024

// clusterOrder sorts the rows of one parameter: the columns a value
// fills come first (the others are null), the patient after the value
// (or after the four-year bucket of a date), the id last.
const clusterOrder = "code, sys, ref_id, ref_type, str, raw, year(t_lo) // 4, pat, t_lo, t_hi, n, c_code, c_n, code2, sys2, id"

// ClusterOptions tune NewClusterer.
type ClusterOptions struct {
	// MemoryLimit is the DuckDB memory_limit of the sorts, e.g. "1GB"
	// (the default); past it they spill to disk.
	MemoryLimit string
	// Threads is DuckDB's threads; 0 keeps its default (the cores).
	Threads int
}

// NewClusterer starts a DuckDB instance for clustering the files of the
// data folder dir; it may read and write only inside dir.
func NewClusterer(ctx context.Context, dir string, opts ClusterOptions) (*Clusterer, error) {
	if opts.MemoryLimit == "" {
		opts.MemoryLimit = "1GB"
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("engine: clusterer: %w", err)
	}
	conn, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("engine: clusterer: start duckdb: %w", err)
	}
	c := &Clusterer{conn: conn, db: sql.OpenDB(conn)}
	c.db.SetMaxOpenConns(1)
	tmp := filepath.Join(dir, ".sort-tmp")
	stmts := []string{
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET TimeZone = 'UTC'",
		"SET preserve_insertion_order = true",
		"SET memory_limit = " + quoteLiteral(opts.MemoryLimit),
		"SET temp_directory = " + quoteLiteral(tmp),
		"SET allowed_directories = [" + quoteLiteral(filepath.Clean(dir)+string(filepath.Separator)) + "]",
		"SET enable_external_access = false",
		"SET lock_configuration = true",
	}
	if opts.Threads > 0 {
		stmts = append(stmts[:4], append([]string{fmt.Sprintf("SET threads = %d", opts.Threads)}, stmts[4:]...)...)
	}
	for _, s := range stmts {
		if _, err := c.db.ExecContext(ctx, s); err != nil {
			c.Close()
			return nil, fmt.Errorf("engine: clusterer: %s: %w", s, err)
		}
	}
	return c, nil
}

// Close stops the clusterer's DuckDB.
func (c *Clusterer) Close() error {
	return errors.Join(c.db.Close(), c.conn.Close())
}

// paramRE matches the search parameter codes a clustered file may be
// named after (every R4 code, and _id, _lastUpdated ...).
var paramRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,63}$`)

// ClusterIndex rewrites the data files of one generation of a search
// index table, in the data store folder dsDir (paths relative to it), as
// clustered files (catalog.File.Partitioned). The files given are left
// in place for the caller to drop; the result has the same generation
// and Since, and holds the same rows less the key column (a search index
// row's key is its id). It fails on any other kind of file.
func (c *Clusterer) ClusterIndex(ctx context.Context, dsDir string, files []catalog.File) ([]catalog.File, error) {
	if len(files) == 0 {
		return nil, nil
	}
	var src []string
	for _, f := range files {
		if f.Deletes || f.Partitioned || f.Gen != files[0].Gen {
			return nil, fmt.Errorf("engine: cluster %s: only the data files of one generation can be clustered", f.Path)
		}
		src = append(src, quoteLiteral(filepath.Join(dsDir, f.Path)))
	}
	from := "read_parquet([" + strings.Join(src, ", ") + "])"
	// search_observation.<stamp>.<worker>.parquet -> search_observation.<stamp>
	stem := strings.TrimSuffix(filepath.Base(files[0].Path), ".parquet")
	if i := strings.LastIndexByte(stem, '.'); i > 0 {
		stem = stem[:i]
	}
	// Files of the current layout carry the key column; it is the id.
	exclude := ""
	if ok, err := c.hasColumn(ctx, from, catalog.KeyColumn); err != nil {
		return nil, err
	} else if ok {
		exclude = " EXCLUDE (" + quoteIdent(catalog.KeyColumn) + ")"
	}
	// Two passes, whatever the number of parameters: split the rows by
	// parameter into scratch files (hive-partitioned, in no order, fast
	// to write), then sort each parameter's rows on their own.
	scratch := filepath.Join(dsDir, "views", ".cluster-"+stem)
	if err := os.RemoveAll(scratch); err != nil {
		return nil, fmt.Errorf("engine: cluster %s: %w", stem, err)
	}
	defer os.RemoveAll(scratch)
	split := fmt.Sprintf("COPY (SELECT *%s FROM %s) TO %s (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (param))",
		exclude, from, quoteLiteral(scratch))
	if _, err := c.db.ExecContext(ctx, split); err != nil {
		return nil, fmt.Errorf("engine: cluster %s: split by parameter: %w", stem, err)
	}
	entries, err := os.ReadDir(scratch)
	if err != nil {
		return nil, fmt.Errorf("engine: cluster %s: %w", stem, err)
	}
	var out []catalog.File
	fail := func(err error) ([]catalog.File, error) {
		for _, f := range out {
			os.Remove(filepath.Join(dsDir, f.Path))
		}
		return nil, err
	}
	for _, e := range entries {
		p, ok := strings.CutPrefix(e.Name(), "param=")
		if !e.IsDir() || !ok || !paramRE.MatchString(p) {
			return fail(fmt.Errorf("engine: cluster %s: unexpected parameter folder %q", stem, e.Name()))
		}
		rel := filepath.Join("views", "param="+p, stem+".parquet")
		path := filepath.Join(dsDir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fail(fmt.Errorf("engine: cluster %s: %w", stem, err))
		}
		// The parameter's folder name is checked above; the paths are
		// quoted literals.
		q := fmt.Sprintf("COPY (SELECT * FROM read_parquet(%s) ORDER BY %s) TO %s (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE %d)",
			quoteLiteral(filepath.Join(scratch, e.Name(), "*.parquet")), clusterOrder, quoteLiteral(path+".tmp"), clusterRowGroup)
		res, err := c.db.ExecContext(ctx, q)
		if err != nil {
			os.Remove(path + ".tmp")
			return fail(fmt.Errorf("engine: cluster %s, parameter %s: %w", stem, p, err))
		}
		rows, _ := res.RowsAffected()
		size, err := syncFile(path + ".tmp")
		if err == nil {
			err = os.Rename(path+".tmp", path)
		}
		if err != nil {
			os.Remove(path + ".tmp")
			return fail(fmt.Errorf("engine: cluster %s, parameter %s: %w", stem, p, err))
		}
		out = append(out, catalog.File{Path: rel, Rows: rows, Bytes: size, Gen: files[0].Gen, Since: files[0].Since, Partitioned: true})
	}
	return out, nil
}

// hasColumn reports whether the rows of from have the column.
func (c *Clusterer) hasColumn(ctx context.Context, from, col string) (bool, error) {
	rows, err := c.db.QueryContext(ctx, "DESCRIBE SELECT * FROM "+from)
	if err != nil {
		return false, fmt.Errorf("engine: cluster: describe: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return false, err
	}
	found := false
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return false, fmt.Errorf("engine: cluster: describe: %w", err)
		}
		if name, _ := vals[0].(string); name == col {
			found = true
		}
	}
	return found, rows.Err()
}

// syncFile fsyncs a file written by DuckDB and returns its size.
func syncFile(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
