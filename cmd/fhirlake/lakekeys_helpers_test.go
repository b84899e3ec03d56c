package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/jobs"
	"github.com/fhirlake/fhirlake/store"
)

// auditReader returns the reader of a data folder's audit log, with the
// folder's sealing key (resolved as the commands resolve it) and the
// HMAC chain key, if any.
func testAuditReader(t *testing.T, data string, hmacKey []byte) audit.Reader {
	t.Helper()
	r, err := auditReaderOf(data, filepath.Join(data, "audit"), "", hmacKey, io.Discard)
	require.NoError(t, err)
	return r
}

// auditRows calls fn for each record of a data folder's audit log.
func auditRows(t *testing.T, ctx context.Context, data string, fn func(audit.Record) error) error {
	t.Helper()
	return testAuditReader(t, data, nil).Rows(ctx, fn)
}

// openTestStore opens the raw store of data store ds in a data folder,
// with its data key.
func openTestStore(t *testing.T, data, ds string) *store.Store {
	t.Helper()
	keys, err := openKeys(data, "", io.Discard)
	require.NoError(t, err)
	st, err := keys.openStore(ds, filepath.Join(data, "stores", ds, "raw.db"))
	require.NoError(t, err)
	return st
}

// openReport opens an import job's error report (DATA/stores/DS/imports/
// ID/…), decrypting it with the data store's key.
func openReport(t *testing.T, path string) io.ReadCloser {
	t.Helper()
	abs, err := filepath.Abs(path)
	require.NoError(t, err)
	jobDir := filepath.Dir(abs)
	storeDir := filepath.Dir(filepath.Dir(jobDir))
	data := filepath.Dir(filepath.Dir(storeDir))
	keys, err := openKeys(data, "", io.Discard)
	require.NoError(t, err)
	key, err := keys.jobsKey(filepath.Base(storeDir))
	require.NoError(t, err)
	rc, err := jobs.Folder{Dir: storeDir, SealKey: key}.Report(jobs.Job{ID: filepath.Base(jobDir), ErrorReport: abs})
	require.NoError(t, err)
	return rc
}
