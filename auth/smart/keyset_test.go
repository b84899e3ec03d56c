package smart

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

// jwksServer serves a replaceable key set and counts fetches.
type jwksServer struct {
	mu      sync.Mutex
	doc     []byte
	status  int
	fetches int
}

func (s *jwksServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fetches++
	if s.status != 0 {
		w.WriteHeader(s.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.doc)
}

// set replaces the served document and status.
func (s *jwksServer) set(doc []byte, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.doc, s.status = doc, status
}

// count returns the number of fetches so far.
func (s *jwksServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

func TestKeySetURLRotation(t *testing.T) {
	k := keys(t)
	srv := &jwksServer{doc: jwks(t, []string{"rsa1"}, &k.rsa.PublicKey)}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	now := testNow
	v, err := NewVerifier(t.Context(), Config{Issuer: testIssuer, Audience: []string{testAudience},
		JWKSURL: ts.URL, Now: func() time.Time { return now }})
	require.NoError(t, err)
	require.Equal(t, 1, srv.count())

	verify := func(key any, kid string) error {
		_, err := v.Verify(t.Context(), sign(t, key, jose.RS256, kid, claims(now)))
		return err
	}
	steps := []struct {
		name        string
		advance     time.Duration
		serve       []byte
		status      int
		key         any
		kid         string
		wantErr     string
		wantFetches int
	}{
		{name: "known kid, no fetch", key: k.rsa, kid: "rsa1", wantFetches: 1},
		{name: "new kid before rotation is published and within a minute", key: k.rsa2, kid: "rsa2",
			wantErr: "key id not in key set", wantFetches: 1},
		{name: "rotation published; new kid after a minute refetches", advance: 61 * time.Second,
			serve: jwks(t, []string{"rsa2"}, &k.rsa2.PublicKey), key: k.rsa2, kid: "rsa2", wantFetches: 2},
		{name: "unknown kid right after is throttled", key: k.rsa, kid: "zzz", wantErr: "key id not in key set", wantFetches: 2},
		{name: "withdrawn kid refused", key: k.rsa, kid: "rsa1", wantErr: "key id not in key set", wantFetches: 2},
		{name: "unknown kid with provider down after a minute", advance: 2 * time.Minute, status: http.StatusInternalServerError,
			key: k.rsa, kid: "zzz", wantErr: "key id not in key set", wantFetches: 3},
		{name: "known kid still verifies while provider is down", key: k.rsa2, kid: "rsa2", wantFetches: 3},
		{name: "stale set refetched; failure keeps old keys", advance: 2 * time.Hour, status: http.StatusInternalServerError,
			key: k.rsa2, kid: "rsa2", wantFetches: 4},
		{name: "stale set refetched and replaced", advance: 2 * time.Hour,
			serve: jwks(t, []string{"rsa1"}, &k.rsa.PublicKey), key: k.rsa2, kid: "rsa2",
			wantErr: "key id not in key set", wantFetches: 5},
	}
	for _, st := range steps {
		now = now.Add(st.advance)
		if st.serve != nil || st.status != 0 {
			doc := st.serve
			if doc == nil {
				doc = srv.doc
			}
			srv.set(doc, st.status)
		}
		err := verify(st.key, st.kid)
		if st.wantErr == "" {
			require.NoError(t, err, st.name)
		} else {
			require.ErrorIs(t, err, ErrInvalidToken, st.name)
			require.ErrorContains(t, err, st.wantErr, st.name)
		}
		require.Equal(t, st.wantFetches, srv.count(), st.name)
	}
}

func TestKeySetURLErrors(t *testing.T) {
	k := keys(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer slow.Close()
	failing := httptest.NewServer(&jwksServer{status: http.StatusNotFound})
	defer failing.Close()
	empty := httptest.NewServer(&jwksServer{doc: []byte(`{"keys":[]}`)})
	defer empty.Close()
	huge := httptest.NewServer(&jwksServer{doc: append(jwks(t, []string{"a"}, &k.rsa.PublicKey), make([]byte, maxKeySetBytes)...)})
	defer huge.Close()

	tests := []struct {
		name    string
		url     string
		client  *http.Client
		wantErr string
	}{
		{name: "timeout", url: slow.URL, client: &http.Client{Timeout: 100 * time.Millisecond}, wantErr: "fetch key set"},
		{name: "404", url: failing.URL, wantErr: "404"},
		{name: "no keys", url: empty.URL, wantErr: "no RS256 or ES256"},
		{name: "too large", url: huge.URL, wantErr: "larger than"},
		{name: "bad URL", url: "://nope", wantErr: "fetch key set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewVerifier(t.Context(), Config{Issuer: testIssuer, Audience: []string{testAudience},
				JWKSURL: tt.url, HTTPClient: tt.client})
			require.ErrorContains(t, err, tt.wantErr)
			require.NotErrorIs(t, err, ErrInvalidToken)
		})
	}
}
