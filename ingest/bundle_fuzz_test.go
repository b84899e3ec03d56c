package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzReadBundle reads arbitrary bytes as a .json file. It must not panic;
// something (a record or a rejection) is always reported; record bodies are
// compact JSON objects; a file encoding/json finds invalid is rejected;
// and no record keeps a reference to a urn the Bundle defines.
func FuzzReadBundle(f *testing.F) {
	addSeeds(f,
		`{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient"}},{"resource":{"resourceType":"Observation","subject":{"reference":"urn:uuid:1"}}}]}`,
		`{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"DELETE","url":"Patient/1"}},null,1,{"resource":null}]}`,
	)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		path := filepath.Join(dir, "fuzz.json")
		require.NoError(t, os.WriteFile(path, data, 0o644))
		res := readAll(t, path) // checks bodies and counts
		require.Positive(t, len(res.recs)+len(res.errs), "nothing reported for %q", data)
		if !json.Valid(data) {
			require.NotEmpty(t, res.errs, "invalid JSON accepted: %q", data)
		}
		var b struct {
			Entry []struct {
				FullURL  string `json:"fullUrl"`
				Resource struct {
					ResourceType string `json:"resourceType"`
					ID           string `json:"id"`
				} `json:"resource"`
			} `json:"entry"`
		}
		if json.Unmarshal(data, &b) != nil {
			return
		}
		ids := map[string]bool{}
		for _, r := range res.recs {
			ids[r.Type+"/"+r.ID] = true
		}
		for _, r := range res.recs {
			if r.Type == "Bundle" {
				continue // nested bundles are stored as they are
			}
			for _, e := range b.Entry {
				// An entry imported under its own id must no longer be
				// referred to by its urn.
				imported := ids[e.Resource.ResourceType+"/"+e.Resource.ID]
				if imported && isLocalURN(e.FullURL) && !strings.ContainsAny(e.FullURL, `"\`) {
					require.NotContains(t, string(r.Body), `"reference":"`+e.FullURL+`"`)
				}
			}
		}
	})
}
