package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/jobs"
)

// specJobs is an ImportJobs with ImportJobSpecs that records the
// requests it is given.
type specJobs struct {
	managerJobs
	got *[]ImportJobRequest
}

func (sj specJobs) StartImportRequest(_ context.Context, ds string, req ImportJobRequest) (jobs.Job, error) {
	*sj.got = append(*sj.got, req)
	if req.Mapping == "bad" {
		return jobs.Job{}, fmt.Errorf("%w: mapping: line 1: not a mapping", ErrBadImport)
	}
	return jobs.Job{ID: "j1", Datastore: ds, Inputs: req.Inputs, Normalize: req.NormalizeOn()}, nil
}

// TestImportJobRequestSpec checks the mapping and normalize fields of
// POST /datastores/{ds}/imports: passed on to an ImportJobSpecs, refused
// by an ImportJobs without it, which still takes plain requests.
func TestImportJobRequestSpec(t *testing.T) {
	var got []ImportJobRequest
	off := false
	plain := newJobsHandler(t)
	withSpecs := NewHandler(nil, Options{Importer: specJobs{got: &got}})
	for _, tc := range []struct {
		name       string
		h          http.Handler
		body       string
		wantStatus int
		want       *ImportJobRequest
	}{
		{name: "mapping and normalize", h: withSpecs, body: `{"inputs":["/in/a.csv"],"mapping":"name: m\n","normalize":false}`,
			wantStatus: http.StatusAccepted, want: &ImportJobRequest{Inputs: []string{"/in/a.csv"}, Mapping: "name: m\n", Normalize: &off}},
		{name: "defaults", h: withSpecs, body: `{"inputs":["/in/a.ndjson"]}`,
			wantStatus: http.StatusAccepted, want: &ImportJobRequest{Inputs: []string{"/in/a.ndjson"}}},
		{name: "bad mapping", h: withSpecs, body: `{"inputs":["/in/a.csv"],"mapping":"bad"}`, wantStatus: http.StatusBadRequest,
			want: &ImportJobRequest{Inputs: []string{"/in/a.csv"}, Mapping: "bad"}},
		{name: "no ImportJobSpecs: mapping refused", h: plain, body: `{"inputs":["/in/a.csv"],"mapping":"name: m\n"}`,
			wantStatus: http.StatusBadRequest},
		{name: "no ImportJobSpecs: normalize refused", h: plain, body: `{"inputs":["/in/a.ndjson"],"normalize":true}`,
			wantStatus: http.StatusBadRequest},
		{name: "no ImportJobSpecs: plain request", h: plain, body: `{"inputs":["/in/a.ndjson"]}`,
			wantStatus: http.StatusAccepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = nil
			rec := jobCall(tc.h, http.MethodPost, "/datastores/demo/imports", tc.body)
			require.Equal(t, tc.wantStatus, rec.Code, rec.Body.String())
			if tc.want == nil {
				require.Empty(t, got)
				return
			}
			require.Equal(t, []ImportJobRequest{*tc.want}, got)
		})
	}
}

func TestImportJobRequestNormalizeOn(t *testing.T) {
	on, off := true, false
	require.True(t, ImportJobRequest{}.NormalizeOn())
	require.True(t, ImportJobRequest{Normalize: &on}.NormalizeOn())
	require.False(t, ImportJobRequest{Normalize: &off}.NormalizeOn())
}
