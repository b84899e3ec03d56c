package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/flatten"
	"github.com/fhirlake/fhirlake/store"
)

// ErrViewNotFound is wrapped by ViewStore errors for a view that does not
// exist.
var ErrViewNotFound = errors.New("api: view not found")

// maxViewBytes bounds the ViewDefinition in a request body.
const maxViewBytes = 4 << 20

// ViewInfo describes one view of a data store.
type ViewInfo struct {
	Name     string    `json:"name"`     // SQL table name
	Resource string    `json:"resource"` // FHIR resource type
	Rows     int64     `json:"rows"`
	Default  bool      `json:"default"` // shipped with fhirlake and unchanged
	Updated  time.Time `json:"updated"`
	// Definition is the ViewDefinition JSON; View fills it, Views need not.
	Definition json.RawMessage `json:"-"`
}

// ViewStore manages the views of data stores: cmd implements it over the
// catalog, the materializer and the SQL engine. The handler has already
// checked that the data store exists (through Datastores) and, for
// PutView, that the definition is a valid ViewDefinition named name.
type ViewStore interface {
	// Views lists the views of a data store, sorted by name.
	Views(ctx context.Context, ds string) ([]ViewInfo, error)
	// View returns one view with its Definition, or an error wrapping
	// ErrViewNotFound.
	View(ctx context.Context, ds, name string) (ViewInfo, error)
	// PutView creates or replaces a view, materializes it and makes it
	// visible to SQL before it returns; created reports a new view. The
	// store does not retain definition.
	PutView(ctx context.Context, ds, name string, definition []byte) (created bool, err error)
	// DeleteView removes a view and its table, or returns an error
	// wrapping ErrViewNotFound.
	DeleteView(ctx context.Context, ds, name string) error
}

// Scanner is an optional interface of a Reader, needed by $run.
type Scanner interface {
	// Scan calls fn for the current version of every resource of type typ.
	Scan(ctx context.Context, typ string, fn func(store.Resource) error) error
}

// viewRoutes registers the view endpoints.
func (h *handler) viewRoutes() {
	h.mux.HandleFunc("/datastores/{datastore}/views/$run", h.runView)
	if h.opts.Views == nil {
		return
	}
	h.mux.HandleFunc("/datastores/{datastore}/views", h.listViews)
	h.mux.HandleFunc("/datastores/{datastore}/views/{name}", h.view)
}

// listViews serves GET /datastores/{ds}/views: a JSON array of ViewInfo.
func (h *handler) listViews(w http.ResponseWriter, r *http.Request) {
	if !allowRead(w, r) {
		return
	}
	if _, ok := h.lookup(w, r); !ok {
		return
	}
	list, err := h.opts.Views.Views(r.Context(), r.PathValue("datastore"))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if list == nil {
		list = []ViewInfo{}
	}
	body, err := json.Marshal(list)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	writeBody(w, r, http.StatusOK, "application/json", body)
}

// view serves GET, PUT and DELETE of /datastores/{ds}/views/{name}.
func (h *handler) view(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT, DELETE")
		writeOutcome(w, r, http.StatusMethodNotAllowed, "not-supported",
			"method "+r.Method+" is not supported on "+r.URL.Path+"; use GET, PUT or DELETE")
		return
	}
	if _, ok := h.lookup(w, r); !ok {
		return
	}
	ds, name := r.PathValue("datastore"), r.PathValue("name")
	if !catalog.ValidName(name) {
		writeOutcome(w, r, http.StatusBadRequest, "invalid",
			fmt.Sprintf("invalid view name %q: a view name is a SQL table name of lowercase letters, digits and _, starting with a letter (at most 63)", name))
		return
	}
	switch r.Method {
	case http.MethodPut:
		h.putView(w, r, ds, name)
	case http.MethodDelete:
		err := h.opts.Views.DeleteView(r.Context(), ds, name)
		if h.viewError(w, r, ds, name, err) {
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		v, err := h.opts.Views.View(r.Context(), ds, name)
		if h.viewError(w, r, ds, name, err) {
			writeBody(w, r, http.StatusOK, "application/json", v.Definition)
		}
	}
}

// putView serves PUT /datastores/{ds}/views/{name}.
func (h *handler) putView(w http.ResponseWriter, r *http.Request, ds, name string) {
	def, ok := readView(w, r)
	if !ok {
		return
	}
	switch vd := def.vd; {
	case vd.Name == "":
		raw, err := withName(vd.Raw, name)
		if err != nil {
			writeOutcome(w, r, http.StatusBadRequest, "invalid", err.Error())
			return
		}
		vd.Raw = raw
	case vd.Name != name:
		writeOutcome(w, r, http.StatusBadRequest, "invalid",
			fmt.Sprintf("the ViewDefinition is named %q but the URL names view %q; they must match (or leave name out)", vd.Name, name))
		return
	}
	created, err := h.opts.Views.PutView(r.Context(), ds, name, def.vd.Raw)
	if !h.viewError(w, r, ds, name, err) {
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", "/datastores/"+ds+"/views/"+name)
	}
	writeBody(w, r, status, "application/json", def.vd.Raw)
}

// viewError sends the response for a ViewStore error and reports whether
// there was none.
func (h *handler) viewError(w http.ResponseWriter, r *http.Request, ds, name string, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, ErrViewNotFound):
		writeOutcome(w, r, http.StatusNotFound, "not-found",
			fmt.Sprintf("view %q does not exist in data store %q", name, ds))
	default:
		h.serverError(w, r, err)
	}
	return false
}

// parsedView is a request body that is a valid ViewDefinition.
type parsedView struct {
	vd   *flatten.ViewDefinition
	view *flatten.View
}

// readView reads and validates the ViewDefinition in the request body, or
// sends a 400 OperationOutcome that names the problem: the JSON pointer of
// the part at fault in issue.expression and the reason in diagnostics.
func readView(w http.ResponseWriter, r *http.Request) (parsedView, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxViewBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeOutcome(w, r, http.StatusRequestEntityTooLarge, "too-costly",
				fmt.Sprintf("the ViewDefinition is larger than %d bytes", maxViewBytes))
			return parsedView{}, false
		}
		writeOutcome(w, r, http.StatusBadRequest, "invalid", "reading the request body: "+err.Error())
		return parsedView{}, false
	}
	vd, err := flatten.ParseView(body)
	if err == nil {
		var v *flatten.View
		if v, err = flatten.Compile(vd); err == nil {
			return parsedView{vd: vd, view: v}, true
		}
	}
	var ve *flatten.ViewError
	if errors.As(err, &ve) {
		writeViewError(w, r, ve)
	} else {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", "invalid ViewDefinition: "+err.Error())
	}
	return parsedView{}, false
}

// withName inserts "name" as the first member of a JSON object, keeping
// the rest of the document as it was written (leading space aside).
func withName(raw []byte, name string) ([]byte, error) {
	i := 0
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	if i == len(raw) || raw[i] != '{' {
		return nil, errors.New("the ViewDefinition is not a JSON object")
	}
	out := append([]byte{'{'}, `"name":`+strconv.Quote(name)+`,`...)
	out = append(out, raw[i+1:]...)
	if !json.Valid(out) {
		return nil, errors.New("the ViewDefinition is not a JSON object with members")
	}
	return out, nil
}

// writeBody sends a body of the given media type (none for HEAD).
func writeBody(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

var _ Scanner = (*store.Store)(nil)
