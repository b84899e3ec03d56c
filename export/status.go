package export

import (
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// manifest is the body of a complete job's status response.
type manifest struct {
	TransactionTime     string         `json:"transactionTime"`
	Request             string         `json:"request"`
	RequiresAccessToken bool           `json:"requiresAccessToken"`
	Output              []manifestFile `json:"output"`
	Error               []manifestFile `json:"error"`
	// Extension says how the files were de-identified, when they were
	// ({"deidentification": "safe-harbor"}).
	Extension map[string]string `json:"extension,omitempty"`
}

// manifestFile is one file of a manifest.
type manifestFile struct {
	Type  string `json:"type"`
	URL   string `json:"url"`
	Count int    `json:"count"`
}

// instantFormat writes a FHIR instant with milliseconds.
const instantFormat = "2006-01-02T15:04:05.000Z07:00"

// job resolves the request's job, or sends 404.
func (h *handlers) job(w http.ResponseWriter, r *http.Request) (*job, bool) {
	ds, _, ok := h.source(w, r)
	if !ok {
		return nil, false
	}
	id := r.PathValue("job")
	var j *job
	if jobIDPattern.MatchString(id) {
		j = h.m.lookupJob(ds, id)
	}
	if j != nil && deidOnly(r.Context()) && j.snapshot().Deid == "" {
		j = nil // an identified job is not there for a de-identified-only caller
	}
	if j == nil {
		writeError(w, r, http.StatusNotFound, "not-found",
			"no export job "+strconv.Quote(id)+" in data store "+ds+"; it may have expired or been deleted")
		return nil, false
	}
	return j, true
}

// status answers a status request (GET) or a delete request (DELETE).
func (h *handlers) status(w http.ResponseWriter, r *http.Request) {
	j, ok := h.job(w, r)
	if !ok {
		return
	}
	if r.Method == http.MethodDelete {
		h.delete(w, r, j)
		return
	}
	rec := j.snapshot()
	switch rec.State {
	case stateQueued, stateRunning:
		w.Header().Set("X-Progress", j.progress())
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(h.m.opts.RetryAfter)))
		writeBody(w, r, http.StatusAccepted, fhirJSON, nil)
	case stateFailed:
		writeError(w, r, http.StatusInternalServerError, "exception", rec.Error)
	default:
		body, err := json.Marshal(newManifest(rec))
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		w.Header().Set("Expires", rec.Finished.Add(h.m.opts.Retention).UTC().Format(http.TimeFormat))
		writeBody(w, r, http.StatusOK, "application/json", body)
	}
}

// newManifest builds the manifest of a complete job.
func newManifest(rec record) manifest {
	files := func(fs []outputFile) []manifestFile {
		out := make([]manifestFile, 0, len(fs))
		for _, f := range fs {
			out = append(out, manifestFile{Type: f.Type, URL: fileURL(rec, f.Name), Count: f.Count})
		}
		return out
	}
	m := manifest{
		TransactionTime: rec.TransactionTime.UTC().Format(instantFormat),
		Request:         rec.Request,
		Output:          files(rec.Output),
		Error:           files(rec.Errors),
	}
	if rec.Deid != "" {
		m.Extension = map[string]string{deidExtension: rec.Deid}
	}
	return m
}

// fileURL returns the absolute URL of a job's file.
func fileURL(rec record, name string) string {
	return rec.Base + "/$export-file/" + rec.ID + "/" + name
}

// delete cancels a pending job, waiting for it to stop, or removes a
// finished one, deleting its files; 202.
func (h *handlers) delete(w http.ResponseWriter, r *http.Request, j *job) {
	if j.done != nil {
		j.deleted.Store(true)
		j.cancel()
		<-j.done
	}
	if err := h.m.remove(j); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.m.log.Info("export: job deleted", slog.String("job", j.id))
	writeOutcome(w, r, http.StatusAccepted, "information", "informational",
		"export job "+j.id+" was deleted")
}

// file serves one file of a complete job.
func (h *handlers) file(w http.ResponseWriter, r *http.Request) {
	j, ok := h.job(w, r)
	if !ok {
		return
	}
	rec := j.snapshot()
	name := r.PathValue("name")
	isFile := func(f outputFile) bool { return f.Name == name }
	if rec.State != stateComplete || !(slices.ContainsFunc(rec.Output, isFile) || slices.ContainsFunc(rec.Errors, isFile)) {
		writeError(w, r, http.StatusNotFound, "not-found", "export job "+rec.ID+" has no file "+strconv.Quote(name))
		return
	}
	f, err := os.Open(filepath.Join(j.dir, name))
	if errors.Is(err, fs.ErrNotExist) { // the data store was deleted
		writeError(w, r, http.StatusNotFound, "not-found", "export job "+rec.ID+" has no file "+strconv.Quote(name))
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ndjsonType)
	http.ServeContent(w, r, name, info.ModTime(), f)
}

// retrySeconds rounds d up to whole seconds, at least 1.
func retrySeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}
