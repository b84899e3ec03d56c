package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/jobs"
)

// bulkImportRequest is the kick-off body of FHIR $import as the SMART
// Bulk Data Import proposal has it: a Parameters resource with
// inputFormat, inputSource, storageDetail and one input per file, each
// with a type and a url part.
type bulkImportRequest struct {
	ResourceType string `json:"resourceType"`
	Parameter    []struct {
		Name        string `json:"name"`
		ValueString string `json:"valueString"`
		ValueCode   string `json:"valueCode"`
		ValueURI    string `json:"valueUri"`
		Part        []struct {
			Name      string `json:"name"`
			ValueURL  string `json:"valueUrl"`
			ValueURI  string `json:"valueUri"`
			ValueCode string `json:"valueCode"`
		} `json:"part"`
	} `json:"parameter"`
}

// bulkInputs reads the input urls of a $import kick-off body.
func bulkInputs(body []byte) ([]string, error) {
	var req bulkImportRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("the body is not JSON: %w", err)
	}
	if req.ResourceType != "Parameters" {
		return nil, fmt.Errorf("the body must be a Parameters resource, not %q", req.ResourceType)
	}
	var raw []string
	for i, p := range req.Parameter {
		switch p.Name {
		case "inputFormat":
			if f := p.ValueString + p.ValueCode; f != "" && f != "application/fhir+ndjson" {
				return nil, fmt.Errorf("parameter[%d]: inputFormat %q is not supported (application/fhir+ndjson)", i, f)
			}
		case "inputSource", "storageDetail", "mode":
			// Informative; the inputs name everything read.
		case "input":
			u := ""
			for _, part := range p.Part {
				if part.Name == "url" {
					u = part.ValueURL + part.ValueURI
				}
			}
			if u == "" {
				return nil, fmt.Errorf("parameter[%d]: input has no url part", i)
			}
			raw = append(raw, u)
		default:
			return nil, fmt.Errorf("parameter[%d]: unknown parameter %q", i, p.Name)
		}
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("no input parameter: name at least one file")
	}
	return jobInputs(raw)
}

// kickoff serves POST /fhir/{ds}/$import: it queues a job and answers
// 202 with the job's status URL in Content-Location.
func (j *jobRoutes) kickoff(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeOutcome(w, r, http.StatusMethodNotAllowed, "not-supported", "$import takes POST")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportRequest))
	if err != nil {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", "reading the request body: "+err.Error())
		return
	}
	inputs, err := bulkInputs(body)
	if err != nil {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", "$import: "+err.Error())
		return
	}
	job, ok := j.start(w, r, r.PathValue("datastore"), inputs)
	if !ok {
		return
	}
	w.Header().Set("Content-Location", baseURL(r)+"/$import-status/"+job.ID)
	writeJSON(w, r, http.StatusAccepted, fhir.NewOutcome("information", "informational",
		"import job "+job.ID+" queued").JSON())
}

// status serves GET and DELETE /fhir/{ds}/$import-status/{id}.
func (j *jobRoutes) status(w http.ResponseWriter, r *http.Request) {
	ds, id := r.PathValue("datastore"), r.PathValue("id")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodDelete:
		if _, ok := j.cancel(w, r, ds, id); ok {
			writeJSON(w, r, http.StatusAccepted, fhir.NewOutcome("information", "informational", "import job "+id+" cancelled").JSON())
		}
		return
	default:
		w.Header().Set("Allow", "GET, HEAD, DELETE")
		writeOutcome(w, r, http.StatusMethodNotAllowed, "not-supported", "$import-status takes GET or DELETE")
		return
	}
	job, ok := j.get(w, r, ds, id)
	if !ok {
		return
	}
	if !job.State.Final() {
		w.Header().Set("X-Progress", progressText(job))
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusAccepted)
		return
	}
	severity, code := "information", "informational"
	switch job.State {
	case jobs.Failed, jobs.Cancelled:
		severity, code = "error", "exception"
	case jobs.CompletedWithErrors:
		severity, code = "warning", "incomplete"
	}
	msg := fmt.Sprintf("import job %s %s: %d resources loaded, %d rejected", job.ID, job.State, job.Progress.Records, job.Progress.Rejected)
	if job.Error != "" {
		msg += ": " + job.Error
	}
	if job.Progress.Rejected > 0 {
		msg += "; error report: GET /datastores/" + ds + "/imports/" + job.ID + "/errors"
	}
	writeJSON(w, r, http.StatusOK, fhir.NewOutcome(severity, code, msg).JSON())
}

// progressText is the X-Progress of a job that has not ended, such as
// "running: 42% of 10.0 MB, 1200 resources, 3 rejected".
func progressText(j jobs.Job) string {
	p := j.Progress
	var b strings.Builder
	b.WriteString(string(j.State))
	if p.BytesTotal > 0 {
		fmt.Fprintf(&b, ": %d%% of %.1f MB", p.BytesRead*100/p.BytesTotal, float64(p.BytesTotal)/1e6)
	}
	fmt.Fprintf(&b, ", %d resources, %d rejected", p.Records, p.Rejected)
	return b.String()
}
