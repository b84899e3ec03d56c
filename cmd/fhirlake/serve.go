package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/fhirlake/fhirlake/auth/lockout"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/fhirlake/fhirlake/api"
	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/auth/backend"
	"github.com/fhirlake/fhirlake/engine"
	"github.com/fhirlake/fhirlake/export"
	"github.com/fhirlake/fhirlake/fhir/r4"
	"github.com/fhirlake/fhirlake/synth"
	"github.com/fhirlake/fhirlake/wire"
)

// runServe implements `fhirlake serve [--data DIR] [--pg ADDR] [--http ADDR] [--demo]`.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	data := fs.String("data", defaultDataDir(), "data folder")
	keyFile := keyFileFlag(fs)
	pgAddr := fs.String("pg", "127.0.0.1:5433", "Postgres wire protocol listen address")
	httpAddr := fs.String("http", "127.0.0.1:8080", "FHIR HTTP listen address")
	demo := fs.Bool("demo", false, "create and load the demo data store on first start")
	demoPatients := fs.Int("demo-patients", 100, "patients generated for the demo data store")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	tlsCert := fs.String("tls-cert", "", "TLS certificate (PEM) for the listeners; default: a self-signed one kept in DATA/tls")
	tlsKey := fs.String("tls-key", "", "TLS private key (PEM) of --tls-cert")
	stmtTimeout := fs.Duration("statement-timeout", 15*time.Minute, "default statement_timeout of SQL sessions (clients may SET their own); 0 for none")
	memLimit := fs.String("memory-limit", "", "memory DuckDB may use for queries, e.g. 8GB or 50% (default: half of RAM); a query that needs more fails with 53200")
	auditSync := fs.String("audit-sync", "write", "when an audit record is durable before its answer: write (default: written to the operating system, so a crash of fhirlake, even kill -9, loses no answered interaction; fsynced every 10 ms, so a power failure may lose the last 10 ms) or fsync (on disk before the answer; concurrent requests share one fsync, which caps throughput at a few thousand requests a second)")
	auditKeyFile := fs.String("audit-key-file", "", "key of a keyed (HMAC-SHA-256) audit chain, which a disk thief cannot recompute; default: a plain SHA-256 chain")
	var jwtCfg httpAuthConfig
	fs.StringVar(&jwtCfg.jwtIssuer, "jwt-issuer", "", "accept OAuth 2 bearer JWTs (SMART on FHIR scopes) from this issuer (the iss claim, exactly)")
	fs.StringVar(&jwtCfg.jwtAudience, "jwt-audience", "", "audiences a JWT must name (aud), comma-separated; usually the FHIR base URL")
	fs.StringVar(&jwtCfg.jwksFile, "jwks-file", "", "JSON Web Key Set file of the JWT issuer's signing keys (RS256, ES256)")
	fs.StringVar(&jwtCfg.jwksURL, "jwks-url", "", "URL of the JWT issuer's JSON Web Key Set (fetched at start, on unknown key ids, and hourly)")
	accessTokenLifetime := fs.Duration("access-token-lifetime", backend.DefaultTokenLifetime, "lifetime of the access tokens the SMART Backend Services token endpoint (/auth/token) issues to clients (fhirlake client)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usagef("serve: --log-level: %v", err)
	}
	auditOpts := audit.Options{}
	switch *auditSync {
	case "fsync":
	case "write":
		auditOpts.SyncInterval = 10 * time.Millisecond
	default:
		return usagef("serve: --audit-sync must be fsync or write, not %q", *auditSync)
	}
	if *auditKeyFile != "" {
		key, err := readAuditKey(*auditKeyFile)
		if err != nil {
			return err
		}
		auditOpts.Key = key
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	l, err := openLakeWith(*data, "serve", *keyFile, stderr)
	if err != nil {
		return err
	}
	defer l.Close()
	// The audit log is sealed with the data folder's key (encryption at
	// rest), unless it was written in clear before.
	auditDir := filepath.Join(l.cat.Dir(), "audit")
	if auditOpts, err = l.keys.auditOptions(auditDir, auditOpts); err != nil {
		return err
	}
	auditReader := audit.Reader{Dir: auditDir, SealKey: auditOpts.SealKey}
	keySource := l.keys.src.Path
	if keySource == "" {
		keySource = "FHIRLAKE_MASTER_KEY"
	}
	fmt.Fprintf(stdout, "keys:     raw stores, the audit log and import job files are sealed with data keys wrapped by the master key %s (fingerprint %s); view and search index Parquet files are not encrypted yet\n", keySource, l.keys.src.Fingerprint)

	// Listen before anything slow so a busy port fails at once.
	pgLn, err := net.Listen("tcp", *pgAddr)
	if err != nil {
		return fmt.Errorf("serve: postgres listener: %w", err)
	}
	defer pgLn.Close()
	httpLn, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fmt.Errorf("serve: http listener: %w", err)
	}
	defer httpLn.Close()

	tlsCfg, err := serverTLS(l, *tlsCert, *tlsKey, stdout)
	if err != nil {
		return err
	}
	loopbackOnly := isLoopback(pgLn.Addr()) && isLoopback(httpLn.Addr())
	// Failed logins on either protocol count toward one lockout.
	logins := lockout.New(lockout.Config{})
	pgOpts, err := pgSecurity(l, pgLn.Addr(), loopbackOnly, tlsCfg, logins, stdout)
	if err != nil {
		return err
	}
	_, trusted := pgOpts.Authenticator.(trustAuthenticator)
	httpAuth, smartCfg, removeLocalToken, err := httpSecurity(ctx, l, trusted, jwtCfg, logins, stdout)
	if err != nil {
		return err
	}
	defer removeLocalToken()
	httpScheme := "http"
	if !isLoopback(httpLn.Addr()) {
		// On the network the FHIR API is served over TLS only, with the
		// Postgres listener's certificate.
		httpLn = tls.NewListener(httpLn, tlsCfg)
		httpScheme = "https"
		fmt.Fprintln(stdout, "tls:      required on the FHIR listener (it is not on loopback)")
	}
	pgOpts.Logger = log
	pgOpts.StatementTimeout = *stmtTimeout
	memoryLimit, err := queryMemoryLimit(*memLimit)
	if err != nil {
		return err
	}

	if *demo {
		if err := loadDemo(ctx, l, *demoPatients, stdout, stderr); err != nil {
			return err
		}
	}
	// Before the engine reads them: views catch up with changes an
	// interrupted import left unflattened, and files left by a crash or
	// replaced by an earlier run are removed.
	if err := catchUp(ctx, l, stderr); err != nil {
		return err
	}

	eng, err := engine.Open(ctx, l.cat, engine.Options{Logger: log, MemoryLimit: memoryLimit,
		Scope: sqlScope(l, pgOpts.Authenticator), Audit: engine.AuditReader(auditReader)})
	if err != nil {
		return err
	}
	defer eng.Close()

	views := newViewStore(l, eng.Refresh)
	views.oldest = eng.OldestQuery
	importer := &serverImporter{l: l, views: views}
	// Import jobs an earlier server left queued or running run again
	// (imports are idempotent); at shutdown the running ones stop and
	// are saved as interrupted.
	if err := importer.start(); err != nil {
		return err
	}
	defer importer.Close()
	fresh := newFreshener(l, views, log)
	defer fresh.Close()
	exports := export.NewManager(l.cat.DatastoreDir, export.Options{Logger: log, DeidKey: l.deidKey})
	defer exports.Close()
	// Every FHIR interaction, SQL statement and login is recorded in the
	// audit log before it is answered.
	auditLog, err := audit.Open(ctx, auditDir, auditOpts)
	if err != nil {
		return fmt.Errorf("serve: audit log: %w", err)
	}
	defer auditLog.Close()
	pgOpts.Audit = auditLog
	pg := wire.NewServer(eng, pgOpts)
	hs := &http.Server{
		Handler: api.NewHandler(l, api.Options{Software: "fhirlake", Version: buildVersion(), Logger: log,
			Views: views, Importer: importer, Changed: fresh.Changed, Exports: exports, Validate: r4.Validate, Searcher: eng,
			Audit: auditLog, Auth: httpAuth, SMARTConfiguration: smartConfiguration(smartCfg),
			TokenEndpoint: backendTokenEndpoint(l, auditLog, *accessTokenLifetime),
			Admin:         newAdminAPI(l.cat, auditLog, logins)}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	errc := make(chan error, 2)
	go func() { errc <- pg.Serve(ctx, pgLn) }()
	go func() {
		if err := hs.Serve(httpLn); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
			return
		}
		errc <- nil
	}()

	// `fhirlake import` on this data folder now hands its work to us.
	if err := l.cat.Advertise(httpScheme + "://" + httpLn.Addr().String()); err != nil {
		return err
	}
	names, err := l.datastoreNames()
	if err != nil {
		return err
	}
	pgHost := pgLn.Addr().(*net.TCPAddr)
	pgUser, sslParam := trustedUser, ""
	if _, trust := pgOpts.Authenticator.(trustAuthenticator); !trust {
		pgUser = "USER"
	}
	if pgOpts.RequireTLS {
		sslParam = "?sslmode=require"
	}
	fmt.Fprintf(stdout, "postgres: listening on %s\n", pgLn.Addr())
	fmt.Fprintf(stdout, "fhir:     listening on %s://%s/fhir\n", httpScheme, httpLn.Addr())
	fmt.Fprintf(stdout, "views:    %s://%s/datastores/{datastore}/views\n", httpScheme, httpLn.Addr())
	for _, n := range names {
		fmt.Fprintf(stdout, "data store %s:\n  psql \"postgres://%s@%s/%s%s\"\n  curl %s://%s/fhir/%s/metadata\n", n, pgUser, pgHost, n, sslParam, httpScheme, httpLn.Addr(), n)
	}
	if len(names) == 0 {
		fmt.Fprintln(stdout, "no data store yet: run 'fhirlake import' or start with --demo")
	}
	fmt.Fprintln(stdout, "ready")

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	log.Info("shutting down")
	// HTTP first, with its own budget: a view change in flight finishes
	// before the engine and the stores close under it.
	hctx, hcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer hcancel()
	herr := hs.Shutdown(hctx)
	pctx, pcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer pcancel()
	return errors.Join(serveErr, herr, pg.Shutdown(pctx))
}

// catchUp refreshes the views of every data store from its raw store, as
// far as they lag behind, and removes view files nothing names.
func catchUp(ctx context.Context, l *lake, stderr io.Writer) error {
	names, err := l.datastoreNames()
	if err != nil {
		return err
	}
	for _, n := range names {
		st, err := l.store(n)
		if err != nil {
			return err
		}
		if err := refreshViews(ctx, l, n, st, stderr); err != nil {
			return fmt.Errorf("serve: bring the views of %s up to date: %w", n, err)
		}
	}
	return nil
}

// loadDemo creates the demo data store with generated patients, once. A
// marker file is written only when the load has finished, so a first
// start interrupted mid-way loads again (the import is idempotent).
func loadDemo(ctx context.Context, l *lake, patients int, stdout, stderr io.Writer) error {
	if _, err := l.ensureDatastore(ctx, "demo"); err != nil {
		return err
	}
	marker := filepath.Join(l.cat.DatastoreDir("demo"), "demo-loaded")
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	tmp, err := os.MkdirTemp(l.cat.Dir(), ".demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(stdout, "demo: generating %d patients\n", patients)
	if _, err := synth.Generate(ctx, synth.Options{Patients: patients, Seed: 1, Format: "ndjson", Out: tmp}); err != nil {
		return err
	}
	sum, err := importInto(ctx, l, "demo", []string{tmp}, 5000, stderr)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(stdout, "demo: loaded %d resources into data store demo (%s)\n", sum.Resources(), l.cat.DatastoreDir("demo"))
	if err := os.WriteFile(marker, []byte(fmt.Sprintf("%d patients\n", patients)), 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}
