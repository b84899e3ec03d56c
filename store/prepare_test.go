package store

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPrepare(t *testing.T) {
	tests := []struct {
		name      string
		in        Input
		wantBody  string // stored body of version 3
		wantError string
	}{
		{
			name:     "minimal, id added",
			in:       Input{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient"}`)},
			wantBody: `{"resourceType":"Patient","id":"p1","meta":{"versionId":"3","lastUpdated":"L"}}`,
		},
		{
			name: "whitespace compacted, member order kept, id and meta moved first",
			in: Input{Type: "Patient", ID: "p1", Body: []byte(`{
				"active": true, "resourceType" : "Patient",
				"name": [ {"family": "Doe, \"J\" {x}"} ], "id": "p1", "gender": "female" }`)},
			wantBody: `{"resourceType":"Patient","id":"p1","meta":{"versionId":"3","lastUpdated":"L"},"active":true,"name":[{"family":"Doe, \"J\" {x}"}],"gender":"female"}`,
		},
		{
			name: "meta: versionId and lastUpdated replaced, others kept in order",
			in: Input{Type: "Observation", ID: "o-1", Body: []byte(`{"resourceType":"Observation","id":"o-1",` +
				`"meta":{"versionId":"17","profile":["http://x/p"],"lastUpdated":"2001-01-01T00:00:00Z","tag":[{"code":"t"}],"source":"#src","security":[{"code":"R"}]},"status":"final"}`)},
			wantBody: `{"resourceType":"Observation","id":"o-1","meta":{"versionId":"3","lastUpdated":"L","profile":["http://x/p"],"tag":[{"code":"t"}],"source":"#src","security":[{"code":"R"}]},"status":"final"}`,
		},
		{
			name:     "meta with only versionId",
			in:       Input{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient","meta":{"versionId":"9"},"active":false}`)},
			wantBody: `{"resourceType":"Patient","id":"p1","meta":{"versionId":"3","lastUpdated":"L"},"active":false}`,
		},
		{
			name:     "escaped keys are recognised",
			in:       Input{Type: "Patient", ID: "p1", Body: []byte(`{"resource\u0054ype":"Patient","\u0069d":"p1","m\u0065ta":{"version\u0049d":"2","tag":[]},"a\"b":{"c":[1,{"d":"}"}]}}`)},
			wantBody: `{"resourceType":"Patient","id":"p1","meta":{"versionId":"3","lastUpdated":"L","tag":[]},"a\"b":{"c":[1,{"d":"}"}]}}`,
		},
		{name: "unknown type", in: Input{Type: "Patients", ID: "p1", Body: []byte(`{"resourceType":"Patients"}`)}, wantError: "unknown resource type"},
		{name: "bad id", in: Input{Type: "Patient", ID: "p_1", Body: []byte(`{"resourceType":"Patient"}`)}, wantError: "invalid id"},
		{name: "not JSON", in: Input{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":`)}, wantError: "invalid resource"},
		{name: "empty", in: Input{Type: "Patient", ID: "p1"}, wantError: "invalid resource"},
		{name: "no resourceType", in: Input{Type: "Patient", ID: "p1", Body: []byte(`{"id":"p1"}`)}, wantError: "resourceType is missing"},
		{name: "array", in: Input{Type: "Patient", ID: "p1", Body: []byte(`[{"resourceType":"Patient"}]`)}, wantError: "not a JSON object"},
		{name: "type mismatch", in: Input{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Person"}`)}, wantError: `resourceType "Person" does not match`},
		{name: "type not a string", in: Input{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":1}`)}, wantError: "does not match"},
		{name: "id mismatch", in: Input{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient","id":"p2"}`)}, wantError: `id "p2" does not match`},
		{name: "meta not an object", in: Input{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient","meta":[]}`)}, wantError: "meta is not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := prepare(tt.in)
			if tt.wantError != "" {
				require.ErrorIs(t, err, ErrInvalid)
				require.ErrorContains(t, err, tt.wantError)
				return
			}
			require.NoError(t, err)
			body := p.appendBody(nil, 3, []byte("L"))
			require.Equal(t, tt.wantBody, string(body))
			require.True(t, json.Valid(body))
		})
	}
}

func TestPrepareHashIgnoresVersionMeta(t *testing.T) {
	hash := func(body string) [32]byte {
		p, err := prepare(Input{Type: "Patient", ID: "p1", Body: []byte(body)})
		require.NoError(t, err)
		return p.hash
	}
	base := hash(`{"resourceType":"Patient","id":"p1","active":true}`)
	require.Equal(t, base, hash(`{"resourceType":"Patient","active":true}`))
	require.Equal(t, base, hash(`{ "resourceType": "Patient", "id": "p1", "active": true }`))
	require.Equal(t, base, hash(`{"resourceType":"Patient","id":"p1","meta":{"versionId":"4","lastUpdated":"2020-01-01T00:00:00Z"},"active":true}`))
	require.NotEqual(t, base, hash(`{"resourceType":"Patient","id":"p1","active":false}`))
	require.NotEqual(t, base, hash(`{"resourceType":"Patient","id":"p1","meta":{"source":"x"},"active":true}`))
}
