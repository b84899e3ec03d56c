package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/fhirlake/fhirlake/audit"
)

// runAudit implements `fhirlake audit verify|export [flags]` over the
// audit log in <data>/audit (one log for the whole server).
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := "Usage: fhirlake audit verify [--data DIR] [--audit-key-file FILE]\n" +
		"       fhirlake audit export [--data DIR] [--since TIME] [--out FILE]\n\n" +
		"verify checks the hash chain of the audit log and names the first bad record (exit 1).\n" +
		"export writes the log as FHIR R4 AuditEvent resources (NDJSON, IHE BALP)."
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, usage)
		if len(args) == 0 {
			return usagef("audit: missing action (verify, export)")
		}
		return nil
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(ctx, args[1:], stdout, stderr)
	case "export":
		return runAuditExport(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, usage)
	return usagef("audit: unknown action %q (verify, export)", args[0])
}

// auditDir returns <data>/audit, or an error if there is no log there: a
// missing log is never reported as intact.
func auditDir(data string) (string, error) {
	dir := filepath.Join(data, "audit")
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("audit: no audit log in %s: %w", data, err)
	}
	return dir, nil
}

func runAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("audit verify", stderr)
	data := fs.String("data", defaultDataDir(), "data folder")
	keyFile := fs.String("audit-key-file", "", "file holding the key of a keyed (HMAC) audit chain")
	masterKey := keyFileFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("audit verify takes no arguments")
	}
	key, err := readAuditKey(*keyFile)
	if err != nil {
		return err
	}
	dir, err := auditDir(*data)
	if err != nil {
		return err
	}
	r, err := auditReaderOf(*data, dir, *masterKey, key, stderr)
	if err != nil {
		return err
	}
	rep, err := r.Verify(ctx)
	var p *audit.Problem
	if errors.As(err, &p) {
		fmt.Fprintf(stdout, "audit log NOT intact: %d records verified before the first bad one\n", rep.Records)
		return err
	}
	if err != nil {
		return err
	}
	chain := rep.Alg
	if chain == "" {
		chain = "empty"
	}
	_, err = fmt.Fprintf(stdout, "audit log intact: %d records in %d segment file(s) (%s chain); head seq %d hash %s\n",
		rep.Records, rep.Segments, chain, rep.Head.Seq, rep.Head.Hash)
	return err
}

func runAuditExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("audit export", stderr)
	data := fs.String("data", defaultDataDir(), "data folder")
	sinceFlag := fs.String("since", "", "export only records at or after this time (RFC 3339, or a date YYYY-MM-DD in UTC)")
	out := fs.String("out", "", "write to this file (mode 0600) instead of standard output")
	masterKey := keyFileFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("audit export takes no arguments")
	}
	since, err := parseSince(*sinceFlag)
	if err != nil {
		return err
	}
	dir, err := auditDir(*data)
	if err != nil {
		return err
	}
	r, err := auditReaderOf(*data, dir, *masterKey, nil, stderr)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := r.Export(ctx, stdout, since)
		return err
	}
	return exportToFile(ctx, r, *out, since, stderr)
}

// exportToFile writes the export to path.tmp, fsyncs it and renames it to
// path, so that path never holds a partial export.
func exportToFile(ctx context.Context, r audit.Reader, path string, since time.Time, stderr io.Writer) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	n, err := r.Export(ctx, f, since)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("audit export: %w", err)
	}
	fmt.Fprintf(stderr, "exported %d AuditEvent resources to %s\n", n, path)
	return nil
}

// parseSince reads --since: empty (everything), RFC 3339 or a UTC date.
func parseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("audit export: --since %q is neither RFC 3339 (2026-11-28T23:40:00Z) nor a date (2026-11-28)", s)
}

// readAuditKey reads the audit chain key from file ("" for none): the
// file's bytes without a trailing newline, at least 16 of them.
func readAuditKey(file string) ([]byte, error) {
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("audit: key file: %w", err)
	}
	b = bytes.TrimRight(b, "\r\n")
	if len(b) < 16 {
		return nil, fmt.Errorf("audit: key file %s: the key must be at least 16 bytes (32 random bytes recommended)", file)
	}
	return b, nil
}

// auditReaderOf returns the reader of the audit log in dir, with the
// data folder's sealing key when the log is sealed (the master key from
// --key-file, FHIRLAKE_MASTER_KEY or the default key file). It needs no
// lock on the data folder, so it works while the server runs.
func auditReaderOf(data, dir, masterKeyFile string, hmacKey []byte, warn io.Writer) (audit.Reader, error) {
	keys, err := openKeys(data, masterKeyFile, warn)
	if err != nil {
		return audit.Reader{}, err
	}
	return keys.auditReader(dir, hmacKey)
}
