package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ndjsonFiles lists the <Type>.ndjson files of the generated data, sorted.
func ndjsonFiles(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("bench: no .ndjson files in %s", dir)
	}
	sort.Strings(files)
	return files, nil
}

// resourceTypeOf is the resource type a Bulk Data file name carries.
func resourceTypeOf(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".ndjson")
}

// copyNDJSON streams the lines of an NDJSON file into table with COPY
// (pgx's CopyFrom, binary format): columns are the given constant values
// followed by the line as jsonb. It returns the rows copied.
func copyNDJSON(ctx context.Context, conn *pgx.Conn, table string, columns []string, consts []any, path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	row := make([]any, len(consts)+1)
	copy(row, consts)
	var scanErr error
	next := func() ([]any, error) {
		for sc.Scan() {
			line := sc.Bytes()
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			// pgx encodes each row before asking for the next, so the
			// scanner's buffer may be reused.
			row[len(consts)] = line
			return row, nil
		}
		scanErr = sc.Err()
		return nil, nil
	}
	n, err := conn.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromFunc(next))
	if err == nil {
		err = scanErr
	}
	if err != nil {
		return n, fmt.Errorf("bench: COPY %s into %s: %w", filepath.Base(path), table, err)
	}
	return n, nil
}
