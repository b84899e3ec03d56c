package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fhirlake/fhirlake/export"
	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/store"
)

// Datastores finds data stores by name.
type Datastores interface {
	// Lookup returns the reader of the named data store, or false if there
	// is no such data store.
	Lookup(name string) (Reader, bool)
}

// Reader reads resources from one data store.
type Reader interface {
	// Read returns the current version of a resource. It returns an error
	// wrapping store.ErrNotFound if there is none, and one wrapping
	// store.ErrDeleted, together with the tombstone (its Version and
	// LastUpdated), if it was deleted. The handler does not modify Body.
	Read(ctx context.Context, typ, id string) (store.Resource, error)
}

// TypeLister is an optional interface of a Reader: if it is implemented,
// the CapabilityStatement lists only the types it returns, otherwise every
// FHIR R4 resource type.
type TypeLister interface {
	// Types returns the resource types held by the data store.
	Types(ctx context.Context) ([]string, error)
}

var _ interface {
	Reader
	TypeLister
} = (*store.Store)(nil)

// Options configure the handler.
type Options struct {
	// Software and Version name the server in the CapabilityStatement.
	Software, Version string
	// Logger receives one debug record per request and a warning per
	// server error. Defaults to discarding.
	Logger *slog.Logger
	// Views, when set, serves GET/PUT/DELETE /datastores/{ds}/views[/{name}].
	// POST /datastores/{ds}/views/$run needs only the data store's Reader
	// to implement Scanner.
	Views ViewStore
	// Importer, when set, serves POST /datastores/{ds}/$import. If it
	// also implements ImportJobs, the import job routes are served too
	// (/datastores/{ds}/imports and FHIR $import).
	Importer Importer
	// Validate, when set, checks every resource written (create, update,
	// patch, Bundle entries) and returns its problems; any problem refuses
	// the write with 422. Well-formed JSON and a matching resourceType
	// are always checked.
	Validate func(body []byte) []fhir.Issue
	// Exports, when set, serves FHIR Bulk Data $export (system, Patient
	// and Group level) for the data stores whose Reader is an
	// export.Source, such as *store.Store.
	Exports *export.Manager
	// Searcher, when set, serves FHIR search on each type
	// (GET /{type}?..., POST /{type}/_search).
	Searcher Searcher
	// Changed, when set, is called after every committed write with the
	// data store's name, so derived views can catch up.
	Changed func(datastore string)
	// Now returns the current time; the CapabilityStatement's date is the
	// time NewHandler was called. Defaults to time.Now.
	Now func() time.Time
	// Audit, when set, records every request (who, from where, the
	// interaction, the resources touched, the outcome) before its answer
	// starts; a request the log refuses is answered 500.
	Audit Auditor
	// Auth, when set, identifies the caller of every request but the
	// CapabilityStatement and the SMART configuration, and each request
	// is then checked against the caller's roles on its data store
	// (package access) and, for OAuth tokens, its SMART scopes. Without
	// it every request is served (a loopback-only quickstart).
	Auth Authenticator
	// SMARTConfiguration, when set, serves
	// {base}/.well-known/smart-configuration: it returns the document for
	// a FHIR base URL.
	SMARTConfiguration func(baseURL string) []byte
	// TokenEndpoint, when set, serves POST /auth/token (OAuth 2 client
	// credentials for SMART Backend Services). It authenticates its
	// clients itself, by their signed assertions.
	TokenEndpoint http.Handler
	// Admin, when set, serves /admin/…, for callers who may manage every
	// data store (access.Manage on "*"); CallerOf gives it the caller.
	Admin http.Handler
}

// handler serves the FHIR REST API.
type handler struct {
	ds        Datastores
	opts      Options
	log       *slog.Logger
	published time.Time
	mux       *http.ServeMux
	// condMu serialises the conditional interactions (search, then
	// write), so two If-None-Exist creates of the same identifier cannot
	// both create.
	condMu sync.Mutex
	// resLocks serialise read-modify-write interactions (PATCH) per
	// resource, by stripe.
	resLocks [64]sync.Mutex
	// exports says whether bulk $export is served.
	exports bool
}

// NewHandler returns the FHIR REST handler for the data stores of ds. Mount
// it at the server root: it serves paths under /fhir/ and, for views,
// under /datastores/.
func NewHandler(ds Datastores, opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &handler{ds: ds, opts: opts, log: opts.Logger, published: opts.Now().UTC(), mux: http.NewServeMux()}
	h.mux.HandleFunc("/fhir/{datastore}/metadata", h.metadata)
	if opts.SMARTConfiguration != nil {
		h.mux.HandleFunc("GET /fhir/{datastore}/.well-known/smart-configuration", h.smartConfiguration)
		h.mux.HandleFunc("GET /.well-known/smart-configuration", h.smartConfiguration)
	}
	h.mux.HandleFunc("/fhir/{datastore}", h.system)
	h.mux.HandleFunc("/fhir/{datastore}/{$}", h.system)
	h.mux.HandleFunc("/fhir/{datastore}/_history", h.historyRoute)
	h.mux.HandleFunc("/fhir/{datastore}/{type}", h.typeLevel)
	// Type history (/{type}/_history) and instance history
	// (/{type}/{id}/_history) are dispatched inside these two, so that
	// the Bulk Data routes ($export-status/{job}, $export-file/{job}/{name})
	// stay more specific than every pattern here.
	h.mux.HandleFunc("/fhir/{datastore}/{type}/{id}", h.instance)
	h.mux.HandleFunc("/fhir/{datastore}/{type}/{id}/{op}", h.instanceOp)
	h.mux.HandleFunc("/fhir/{datastore}/{type}/{id}/_history/{vid}", h.historyRoute)
	h.mux.HandleFunc("/fhir/", h.notFound)
	h.mux.HandleFunc("/fhir", h.notFound)
	if opts.Exports != nil {
		h.exports = true
		opts.Exports.Routes(h.mux, func(name string) (export.Source, bool) {
			r, ok := ds.Lookup(name)
			if !ok {
				return nil, false
			}
			src, ok := r.(export.Source)
			return src, ok
		})
	}
	if opts.TokenEndpoint != nil {
		h.mux.Handle("/auth/token", opts.TokenEndpoint)
	}
	if opts.Admin != nil {
		h.mux.Handle("/admin/", opts.Admin)
	}
	h.viewRoutes()
	h.importRoutes()
	h.mux.HandleFunc("/datastores/", h.notFound)
	return h
}

// ServeHTTP logs the request and dispatches it.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if h.opts.Audit != nil {
		notes := &auditNotes{}
		r = r.WithContext(context.WithValue(r.Context(), auditNotesKey{}, notes))
		aw := &auditWriter{ResponseWriter: w, h: h, r: r, notes: notes}
		defer aw.finish()
		w = aw
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	if p := r.URL.Path; strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") {
		// ServeMux would redirect to the cleaned path; a FHIR client
		// gets an OperationOutcome instead.
		writeOutcome(rec, r, http.StatusNotFound, "not-found",
			"no FHIR endpoint at "+strconv.Quote(p)+": the path has empty, '.' or '..' segments")
	} else if r, ok := h.authenticate(rec, r); ok {
		if r, ok := h.authorize(rec, r); ok {
			h.mux.ServeHTTP(rec, r)
		}
	}
	h.log.LogAttrs(r.Context(), slog.LevelDebug, "api: request",
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
}

// statusRecorder remembers the status code written, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
