package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/fhirlake/fhirlake/jobs"
)

// ImportJobs runs imports as background jobs (see package jobs). An
// Importer that also implements ImportJobs makes the handler serve
//
//	POST   /datastores/{ds}/imports               {"inputs":[...], "mapping": "...", "normalize": false} → 202, Location, the job
//	GET    /datastores/{ds}/imports               {"jobs":[...]}, oldest first
//	GET    /datastores/{ds}/imports/{id}          the job
//	DELETE /datastores/{ds}/imports/{id}          cancel it → 202 (running) or 200, the job
//	GET    /datastores/{ds}/imports/{id}/errors   its NDJSON error report
//	POST   /fhir/{ds}/$import                     SMART Bulk Data Import kick-off → 202, Content-Location
//	GET    /fhir/{ds}/$import-status/{id}         202 with X-Progress while it runs, then 200 with an OperationOutcome
//	DELETE /fhir/{ds}/$import-status/{id}         cancel it
//
// Like POST /datastores/{ds}/$import, these routes answer only callers on
// the server's own machine: the server reads the paths it is given.
type ImportJobs interface {
	// StartImport checks inputs (absolute paths, or URIs such as
	// s3://bucket/prefix), creates data store ds when missing and queues
	// a job. An error wrapping ErrBadImport is the request's fault.
	StartImport(ctx context.Context, ds string, inputs []string) (jobs.Job, error)
	// ImportJob returns a job; an error wrapping jobs.ErrNotFound if
	// there is none.
	ImportJob(ds, id string) (jobs.Job, error)
	// ImportJobs returns the jobs of a data store, oldest first.
	ImportJobs(ds string) ([]jobs.Job, error)
	// CancelImport cancels a job (see jobs.Manager.Cancel); an error
	// wrapping jobs.ErrFinished if it has already ended.
	CancelImport(ds, id string) (jobs.Job, error)
}

// ImportJobReports is an optional capability of ImportJobs: error
// reports read through package jobs, which decrypts sealed ones. Without
// it, GET .../errors reads the file at Job.ErrorReport as it is.
type ImportJobReports interface {
	// ImportReport opens the error report of a job (see
	// jobs.Manager.Report); an error wrapping jobs.ErrNotFound if there is
	// no such job, fs.ErrNotExist if it has no report yet. The caller
	// closes the reader.
	ImportReport(ds, id string) (io.ReadCloser, error)
}

// ImportJobSpecs is an optional capability of ImportJobs: jobs started
// with the CSV mapping and the normalisation switch of an
// ImportJobRequest. Without it, a request that sets either is refused.
type ImportJobSpecs interface {
	// StartImportRequest is StartImport for a whole request (its Inputs
	// already checked). An error wrapping ErrBadImport is the request's
	// fault, such as a mapping that does not compile.
	StartImportRequest(ctx context.Context, ds string, req ImportJobRequest) (jobs.Job, error)
}

// ImportJobList is the body of GET /datastores/{ds}/imports.
type ImportJobList struct {
	Jobs []jobs.Job `json:"jobs"`
}

// ImportJobRequest is the body of POST /datastores/{ds}/imports.
type ImportJobRequest struct {
	// Inputs are absolute paths of files or folders on the server (or
	// file:// URLs), or object storage URIs (s3://bucket/prefix).
	Inputs []string `json:"inputs"`
	// Mapping is a CSV mapping document (package ingest/csvmap; YAML or
	// JSON, JSON being YAML) given inline as a string, not a path: it
	// converts the .csv inputs. The job keeps a copy in its folder. A .csv
	// input without a mapping is rejected as a whole.
	Mapping string `json:"mapping,omitempty"`
	// Normalize turns the normalisation of records (package
	// ingest/normalize) off when false; absent means on.
	Normalize *bool `json:"normalize,omitempty"`
}

// NormalizeOn reports whether the request asks for normalisation (the
// default).
func (r ImportJobRequest) NormalizeOn() bool { return r.Normalize == nil || *r.Normalize }

// importJobRoutes registers the job routes when the Importer implements
// ImportJobs.
func (h *handler) importJobRoutes() {
	ij, ok := h.opts.Importer.(ImportJobs)
	if !ok {
		return
	}
	j := &jobRoutes{h: h, jobs: ij}
	h.mux.HandleFunc("/datastores/{datastore}/imports", j.local(j.collection))
	h.mux.HandleFunc("/datastores/{datastore}/imports/{id}", j.local(j.instance))
	h.mux.HandleFunc("/datastores/{datastore}/imports/{id}/errors", j.local(j.errors))
	h.mux.HandleFunc("/fhir/{datastore}/$import", j.local(j.kickoff))
	h.mux.HandleFunc("/fhir/{datastore}/$import-status/{id}", j.local(j.status))
}

// jobRoutes serves the import job routes.
type jobRoutes struct {
	h    *handler
	jobs ImportJobs
}

// local refuses callers that are not on the server's machine.
func (j *jobRoutes) local(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !fromLoopback(r) {
			writeOutcome(w, r, http.StatusForbidden, "forbidden", "import jobs are only served to the server's own machine (loopback)")
			return
		}
		next(w, r)
	}
}

// collection serves POST and GET /datastores/{ds}/imports.
func (j *jobRoutes) collection(w http.ResponseWriter, r *http.Request) {
	ds := r.PathValue("datastore")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		list, err := j.jobs.ImportJobs(ds)
		if err != nil {
			j.h.serverError(w, r, err)
			return
		}
		if list == nil {
			list = []jobs.Job{}
		}
		writeJob(w, r, http.StatusOK, ImportJobList{Jobs: list})
	case http.MethodPost:
		var req ImportJobRequest
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportRequest))
		if err == nil {
			err = json.Unmarshal(body, &req)
		}
		if err != nil {
			writeOutcome(w, r, http.StatusBadRequest, "invalid", `the body must be {"inputs":["/path", ...]}: `+err.Error())
			return
		}
		req.Inputs, err = jobInputs(req.Inputs)
		if err != nil {
			writeOutcome(w, r, http.StatusBadRequest, "invalid", "import: "+err.Error())
			return
		}
		job, ok := j.startRequest(w, r, ds, req)
		if ok {
			w.Header().Set("Location", "/datastores/"+ds+"/imports/"+job.ID)
			writeJob(w, r, http.StatusAccepted, job)
		}
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		writeOutcome(w, r, http.StatusMethodNotAllowed, "not-supported", "imports take GET or POST")
	}
}

// start queues a job with the default options, answering the errors
// itself.
func (j *jobRoutes) start(w http.ResponseWriter, r *http.Request, ds string, inputs []string) (jobs.Job, bool) {
	job, err := j.jobs.StartImport(r.Context(), ds, inputs)
	return j.started(w, r, job, err)
}

// startRequest queues the job of a request, answering the errors itself.
// A request with only inputs works with any ImportJobs.
func (j *jobRoutes) startRequest(w http.ResponseWriter, r *http.Request, ds string, req ImportJobRequest) (jobs.Job, bool) {
	specs, ok := j.jobs.(ImportJobSpecs)
	switch {
	case ok:
		job, err := specs.StartImportRequest(r.Context(), ds, req)
		return j.started(w, r, job, err)
	case req.Mapping != "" || req.Normalize != nil:
		writeOutcome(w, r, http.StatusBadRequest, "not-supported", "import: this server takes no mapping or normalize options")
		return jobs.Job{}, false
	}
	return j.start(w, r, ds, req.Inputs)
}

// started answers the error of starting a job, if any.
func (j *jobRoutes) started(w http.ResponseWriter, r *http.Request, job jobs.Job, err error) (jobs.Job, bool) {
	switch {
	case errors.Is(err, ErrBadImport):
		writeOutcome(w, r, http.StatusBadRequest, "invalid", err.Error())
		return job, false
	case err != nil:
		j.h.serverError(w, r, err)
		return job, false
	}
	return job, true
}

// instance serves GET and DELETE /datastores/{ds}/imports/{id}.
func (j *jobRoutes) instance(w http.ResponseWriter, r *http.Request) {
	ds, id := r.PathValue("datastore"), r.PathValue("id")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		job, ok := j.get(w, r, ds, id)
		if ok {
			writeJob(w, r, http.StatusOK, job)
		}
	case http.MethodDelete:
		job, ok := j.cancel(w, r, ds, id)
		if !ok {
			return
		}
		status := http.StatusOK
		if !job.State.Final() {
			status = http.StatusAccepted // it stops at its next check
		}
		writeJob(w, r, status, job)
	default:
		w.Header().Set("Allow", "GET, HEAD, DELETE")
		writeOutcome(w, r, http.StatusMethodNotAllowed, "not-supported", "an import job takes GET or DELETE")
	}
}

// get finds a job, answering the errors itself.
func (j *jobRoutes) get(w http.ResponseWriter, r *http.Request, ds, id string) (jobs.Job, bool) {
	job, err := j.jobs.ImportJob(ds, id)
	switch {
	case errors.Is(err, jobs.ErrNotFound):
		writeOutcome(w, r, http.StatusNotFound, "not-found", fmt.Sprintf("data store %q has no import job %q", ds, id))
		return job, false
	case err != nil:
		j.h.serverError(w, r, err)
		return job, false
	}
	return job, true
}

// cancel cancels a job, answering the errors itself.
func (j *jobRoutes) cancel(w http.ResponseWriter, r *http.Request, ds, id string) (jobs.Job, bool) {
	job, err := j.jobs.CancelImport(ds, id)
	switch {
	case errors.Is(err, jobs.ErrNotFound):
		writeOutcome(w, r, http.StatusNotFound, "not-found", fmt.Sprintf("data store %q has no import job %q", ds, id))
		return job, false
	case errors.Is(err, jobs.ErrFinished):
		writeOutcome(w, r, http.StatusConflict, "conflict", fmt.Sprintf("import job %q has already ended (%s)", id, job.State))
		return job, false
	case err != nil:
		j.h.serverError(w, r, err)
		return job, false
	}
	return job, true
}

// errors serves GET /datastores/{ds}/imports/{id}/errors: the lines of
// the report written so far (none for a job that has not started).
func (j *jobRoutes) errors(w http.ResponseWriter, r *http.Request) {
	if !allowRead(w, r) {
		return
	}
	job, ok := j.get(w, r, r.PathValue("datastore"), r.PathValue("id"))
	if !ok {
		return
	}
	body, err := j.report(job)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		j.h.serverError(w, r, err)
		return
	}
	writeBody(w, r, http.StatusOK, "application/fhir+ndjson", body)
}

// report reads a job's error report, through ImportJobReports when the
// ImportJobs has it.
func (j *jobRoutes) report(job jobs.Job) ([]byte, error) {
	rep, ok := j.jobs.(ImportJobReports)
	if !ok {
		return os.ReadFile(job.ErrorReport)
	}
	rc, err := rep.ImportReport(job.Datastore, job.ID)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// writeJob sends a JSON body.
func writeJob(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // cannot happen for jobs
		writeOutcome(w, r, http.StatusInternalServerError, "exception", err.Error())
		return
	}
	writeBody(w, r, status, "application/json", body)
}

// jobInputs checks the inputs of a job request: absolute paths and
// file:// URLs become clean paths, other URIs (s3://...) are kept as
// given for the Importer to judge.
func jobInputs(raw []string) ([]string, error) {
	if len(raw) == 0 {
		return nil, errors.New("no inputs: name at least one file, folder or URI")
	}
	out := make([]string, 0, len(raw))
	for i, in := range raw {
		if strings.Contains(in, "://") && !strings.HasPrefix(in, "file:") {
			out = append(out, in)
			continue
		}
		p, err := localPath(in)
		if err != nil {
			return nil, fmt.Errorf("inputs[%d]: %w", i, err)
		}
		out = append(out, p)
	}
	return out, nil
}
