package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
)

// Importer loads files the server can read into a data store, then
// refreshes the data store's views and makes them visible to SQL. It is
// the server side of `fhirlake import` while a server holds the data
// folder.
type Importer interface {
	// Import loads paths (absolute paths of files or folders) into data
	// store ds, creating it when missing. Rejected records do not fail
	// the import: they are listed in the result.
	Import(ctx context.Context, ds string, paths []string) (ImportResult, error)
}

// ErrBadImport marks an Importer error caused by the request (a data
// store name that is not valid, a path that does not exist): a 400, not
// a 500.
var ErrBadImport = errors.New("bad import request")

// ImportResult describes a finished import. It is the JSON body of a
// successful POST /datastores/{ds}/$import.
type ImportResult struct {
	Datastore string `json:"datastore"`
	// Created reports that the import created the data store.
	Created bool  `json:"created"`
	Files   int   `json:"files"`
	Bytes   int64 `json:"bytes"`
	// ByType counts the resources read, by resourceType.
	ByType   map[string]ImportCounts `json:"byType"`
	Rejected int                     `json:"rejected"`
	// Rejects are the first rejected records, each "file:line: reason";
	// Rejected counts them all.
	Rejects []string `json:"rejects,omitempty"`
	// Skipped are files that are not FHIR NDJSON or JSON.
	Skipped []string `json:"skipped,omitempty"`
	// Warnings tell of references left unresolved and of the resources
	// merged by business identifier.
	Warnings []string `json:"warnings,omitempty"`
	// Views are the views refreshed, with the resources each could not
	// flatten.
	Views     []ImportView `json:"views,omitempty"`
	ElapsedMS float64      `json:"elapsedMs"`
}

// ImportCounts counts what happened to the resources of one type.
type ImportCounts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// ImportView says how one view was refreshed.
type ImportView struct {
	View    string   `json:"view"`
	Rows    int64    `json:"rows"`
	Skipped int      `json:"skipped,omitempty"`
	Errors  []string `json:"errors,omitempty"`
}

// maxImportRequest bounds the request body: it lists paths, not data.
const maxImportRequest = 1 << 20

// importRoutes registers POST /datastores/{ds}/$import when an Importer
// is configured, and the import job routes when it implements
// ImportJobs.
func (h *handler) importRoutes() {
	if h.opts.Importer == nil {
		return
	}
	h.mux.HandleFunc("/datastores/{datastore}/$import", h.importFiles)
	h.importJobRoutes()
}

// importFiles serves POST /datastores/{ds}/$import. The body is a FHIR
// Parameters resource with one "input" parameter per file or folder, each
// with a "url" part (valueUrl or valueUri): a file:// URL or an absolute
// path on the server. The import runs to its end before the response,
// which is an ImportResult.
func (h *handler) importFiles(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeOutcome(w, r, http.StatusMethodNotAllowed, "not-supported", "$import takes POST")
		return
	}
	if !fromLoopback(r) {
		// The server reads the paths it is given; until the HTTP API
		// authenticates its callers, only local callers may ask.
		writeOutcome(w, r, http.StatusForbidden, "forbidden", "$import is only accepted from the server's own machine (loopback)")
		return
	}
	ds := r.PathValue("datastore")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportRequest))
	if err != nil {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", "reading the request body: "+err.Error())
		return
	}
	paths, err := importPaths(body)
	if err != nil {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", "$import: "+err.Error())
		return
	}
	res, err := h.opts.Importer.Import(r.Context(), ds, paths)
	switch {
	case errors.Is(err, ErrBadImport):
		writeOutcome(w, r, http.StatusBadRequest, "invalid", err.Error())
		return
	case err != nil:
		h.serverError(w, r, err)
		return
	}
	out, err := json.Marshal(res)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	writeBody(w, r, http.StatusOK, "application/json", out)
}

// fromLoopback reports whether the request came from this machine.
func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ImportRequest returns the body of a POST /datastores/{ds}/$import for
// absolute paths.
func ImportRequest(paths []string) ([]byte, error) {
	type part struct {
		Name     string `json:"name"`
		ValueURL string `json:"valueUrl"`
	}
	type param struct {
		Name string `json:"name"`
		Part []part `json:"part"`
	}
	req := struct {
		ResourceType string  `json:"resourceType"`
		Parameter    []param `json:"parameter"`
	}{ResourceType: "Parameters"}
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("api: import path %q is not absolute", p)
		}
		u := url.URL{Scheme: "file", Path: filepath.ToSlash(p)}
		req.Parameter = append(req.Parameter, param{Name: "input", Part: []part{{Name: "url", ValueURL: u.String()}}})
	}
	return json.Marshal(req)
}

// importPaths reads the input urls of an $import Parameters body.
func importPaths(body []byte) ([]string, error) {
	var req struct {
		ResourceType string `json:"resourceType"`
		Parameter    []struct {
			Name string `json:"name"`
			Part []struct {
				Name     string `json:"name"`
				ValueURL string `json:"valueUrl"`
				ValueURI string `json:"valueUri"`
			} `json:"part"`
		} `json:"parameter"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("the body is not JSON: %w", err)
	}
	if req.ResourceType != "Parameters" {
		return nil, fmt.Errorf("the body must be a Parameters resource, not %q", req.ResourceType)
	}
	var paths []string
	for i, p := range req.Parameter {
		if p.Name != "input" {
			return nil, fmt.Errorf("parameter[%d]: unknown parameter %q (expected input)", i, p.Name)
		}
		var raw string
		for _, part := range p.Part {
			if part.Name == "url" {
				raw = part.ValueURL + part.ValueURI
			}
		}
		if raw == "" {
			return nil, fmt.Errorf("parameter[%d]: input has no url part", i)
		}
		path, err := localPath(raw)
		if err != nil {
			return nil, fmt.Errorf("parameter[%d]: %w", i, err)
		}
		paths = append(paths, path)
	}
	if len(paths) == 0 {
		return nil, errors.New("no input parameter: name at least one file or folder")
	}
	return paths, nil
}

// localPath turns a file:// URL or an absolute path into a clean absolute
// path.
func localPath(raw string) (string, error) {
	if strings.HasPrefix(raw, "file:") {
		u, err := url.Parse(raw)
		if err != nil {
			return "", fmt.Errorf("input url %q: %w", raw, err)
		}
		if u.Host != "" && u.Host != "localhost" {
			return "", fmt.Errorf("input url %q names host %q; only local files can be imported", raw, u.Host)
		}
		raw = u.Path
	} else if strings.HasPrefix(raw, "s3://") {
		// The importer reads it with the server's AWS configuration (and
		// checks it whole); api does not link the AWS SDK.
		if bucket, _, _ := strings.Cut(raw[len("s3://"):], "/"); bucket == "" {
			return "", fmt.Errorf("input url %q names no bucket", raw)
		}
		return raw, nil
	} else if strings.Contains(raw, "://") {
		return "", fmt.Errorf("input url %q: only file:// and s3:// URLs and absolute paths are supported", raw)
	}
	if !filepath.IsAbs(raw) {
		return "", fmt.Errorf("input %q is not an absolute path", raw)
	}
	return filepath.Clean(raw), nil
}
