package backend

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/auth/smart"
)

// FuzzParseRequest feeds arbitrary bodies to the request parser: it must
// not panic, and a body it accepts must say the same once re-encoded.
func FuzzParseRequest(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "grant_type=client_credentials&scope=system%2F*.rs&client_assertion=a.b.c")
	f.Add("application/x-www-form-urlencoded; charset=utf-8", "scope=a&scope=b")
	f.Add("application/json", `{"grant_type":"client_credentials"}`)
	f.Add("application/x-www-form-urlencoded", "%zz=1;a")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		if len(body) > 2*maxBodyBytes {
			return
		}
		req, oe := parseRequest(contentType, []byte(body))
		if oe != nil {
			require.Contains(t, []string{errInvalidRequest, errInvalidScope}, oe.code)
			return
		}
		again := url.Values{}
		for k, v := range map[string]string{"grant_type": req.grantType, "client_assertion_type": req.assertionType,
			"client_assertion": req.assertion, "scope": req.scope, "client_id": req.clientID} {
			if v != "" {
				again.Set(k, v)
			}
		}
		back, oe := parseRequest("application/x-www-form-urlencoded", []byte(again.Encode()))
		require.Nil(t, oe)
		require.Equal(t, req, back)
	})
}

// FuzzTokenEndpoint sends arbitrary form bodies, seeded with real
// assertions, through the whole endpoint: every answer is RFC 6749 JSON
// with a known error code, and a token is only ever issued for a scope
// the client is allowed.
func FuzzTokenEndpoint(f *testing.F) {
	a := goodAssertion(f, testAud)
	f.Add(form(a.sign(f), "system/*.rs").Encode())
	a.claims.ID = "jti-2"
	f.Add(form(a.sign(f), "system/Observation.cruds patient/*.rs").Encode())
	f.Add("grant_type=client_credentials&client_assertion_type=" + url.QueryEscape(assertionTypeJWTBearer) + "&client_assertion=eyJhbGciOiJub25lIn0.e30.")
	codes := []string{errInvalidRequest, errInvalidClient, errUnsupportedGrantType, errInvalidScope}
	f.Fuzz(func(t *testing.T, body string) {
		fx := newFixture(t, nil)
		req := httptest.NewRequest(http.MethodPost, testAud, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		var out map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		if rec.Code == http.StatusOK {
			require.Len(t, fx.issued, 1)
			for _, raw := range strings.Fields(fx.issued[0].scope) {
				s, err := smart.ParseScope(raw)
				require.NoError(t, err)
				require.Equal(t, smart.SystemContext, s.Context, raw)
				require.Zero(t, s.Permissions&^(smart.PermRead|smart.PermSearch), raw)
			}
			return
		}
		require.Empty(t, fx.issued)
		code, _ := out["error"].(string)
		if rec.Code == http.StatusInternalServerError {
			require.Equal(t, errServer, code) // the client lookup of "broken" fails
			return
		}
		require.True(t, slices.Contains(codes, code), "%v", out)
	})
}
