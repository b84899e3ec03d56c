package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

// configure applies the global settings that must precede the lock-down.
func (e *Engine) configure(ctx context.Context, opts Options) error {
	stmts := []string{
		// parquet, json and icu are built in; nothing may be fetched.
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		// Render timestamptz in UTC whatever the host's zone.
		"SET TimeZone = 'UTC'",
		// View files are never rewritten in place (a refresh writes new
		// names), so their Parquet footers can be cached across queries.
		"SET GLOBAL parquet_metadata_cache = true",
		// Postgres semantics for clients speaking Postgres: 7/2 is 3.
		"SET GLOBAL integer_division = true",
	}
	stmts = append(stmts, arrowSettings...)
	if opts.Threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET threads = %d", opts.Threads))
	}
	if opts.MemoryLimit != "" {
		stmts = append(stmts, "SET memory_limit = "+quoteLiteral(opts.MemoryLimit))
	}
	return e.execAll(ctx, "configure", stmts)
}

// lockDown limits DuckDB's file access to the data folder and locks the
// configuration, so that no later statement can widen it.
func (e *Engine) lockDown(ctx context.Context) error {
	dir := filepath.Clean(e.cat.Dir()) + string(filepath.Separator)
	return e.execAll(ctx, "lock down", []string{
		"SET allowed_directories = [" + quoteLiteral(dir) + "]",
		"SET enable_external_access = false",
		"SET lock_configuration = true",
	})
}

func (e *Engine) execAll(ctx context.Context, what string, stmts []string) error {
	for _, s := range stmts {
		if _, err := e.admin.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("engine: %s: %s: %w", what, s, err)
		}
	}
	return nil
}

// quoteLiteral quotes s as a SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// quoteIdent quotes s as a SQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
