package smart

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite golden files under testdata/")

func TestWellKnown(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		base   string
		caps   []string
		golden string
	}{
		{name: "backend services default", cfg: Config{Issuer: testIssuer, JWKSURL: "https://idp.example.org/jwks"},
			base: "https://fhir.example.org/fhir/", golden: "smart-configuration-default.json"},
		{name: "authorization code and openid", cfg: Config{Issuer: testIssuer, JWKSFile: "/etc/jwks.json",
			TokenEndpoint: "https://idp.example.org/token", AuthorizationEndpoint: "https://idp.example.org/authorize"},
			base:   "https://fhir.example.org/fhir",
			caps:   []string{"launch-standalone", "sso-openid-connect", "permission-v2", "context-standalone-patient", "permission-v2"},
			golden: "smart-configuration-authcode.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WellKnown(tt.cfg, tt.base, tt.caps)
			var doc map[string]any
			require.NoError(t, json.Unmarshal(got, &doc))
			for _, field := range []string{"token_endpoint", "grant_types_supported", "capabilities"} {
				require.Contains(t, doc, field, "required by SMART App Launch")
			}
			if _, ok := doc["authorization_endpoint"]; ok {
				require.Equal(t, []any{"S256"}, doc["code_challenge_methods_supported"])
			}
			path := filepath.Join("testdata", tt.golden)
			if *rewrite {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))
		})
	}
}
