package smart

import (
	"encoding/json"
	"slices"
	"strings"
)

// DefaultCapabilities are the SMART capabilities fhirlake's resource
// server supports: v1 and v2 permission syntax, patient- and user-level
// scopes, and Backend Services clients that authenticate with a signed
// JWT assertion (private_key_jwt).
var DefaultCapabilities = []string{
	"client-confidential-asymmetric",
	"permission-patient",
	"permission-user",
	"permission-v1",
	"permission-v2",
}

// smartConfiguration is the /.well-known/smart-configuration document
// (SMART App Launch 2.x, "Metadata").
type smartConfiguration struct {
	Issuer                            string   `json:"issuer,omitempty"`
	JWKSURI                           string   `json:"jwks_uri,omitempty"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint,omitempty"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported,omitempty"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported,omitempty"`
	Capabilities                      []string `json:"capabilities"`
}

// scopesSupported lists representative scopes; SMART servers list a
// subset since the grammar is open-ended.
var scopesSupported = []string{
	"system/*.cruds", "system/*.rs", "system/*.read",
	"user/*.cruds", "user/*.rs", "user/*.read",
	"patient/*.cruds", "patient/*.rs", "patient/*.read",
}

// WellKnown returns the /.well-known/smart-configuration JSON for a FHIR
// server at baseURL (no trailing slash needed). capabilities nil means
// DefaultCapabilities. The token endpoint is cfg.TokenEndpoint or
// baseURL+"/auth/token"; grant_types_supported holds client_credentials,
// plus authorization_code (with response type "code" and PKCE S256 only)
// when cfg.AuthorizationEndpoint is set. issuer is included only with the
// sso-openid-connect capability, as the specification requires, and
// jwks_uri when cfg.JWKSURL is set.
func WellKnown(cfg Config, baseURL string, capabilities []string) []byte {
	if capabilities == nil {
		capabilities = DefaultCapabilities
	}
	caps := slices.Clone(capabilities)
	slices.Sort(caps)
	caps = slices.Compact(caps)
	doc := smartConfiguration{
		JWKSURI:                           cfg.JWKSURL,
		TokenEndpoint:                     cfg.TokenEndpoint,
		GrantTypesSupported:               []string{"client_credentials"},
		TokenEndpointAuthMethodsSupported: []string{"private_key_jwt"},
		ScopesSupported:                   scopesSupported,
		Capabilities:                      caps,
	}
	if doc.TokenEndpoint == "" {
		doc.TokenEndpoint = strings.TrimSuffix(baseURL, "/") + "/auth/token"
	}
	if slices.Contains(caps, "sso-openid-connect") {
		doc.Issuer = cfg.Issuer
	}
	if cfg.AuthorizationEndpoint != "" {
		doc.AuthorizationEndpoint = cfg.AuthorizationEndpoint
		doc.GrantTypesSupported = append([]string{"authorization_code"}, doc.GrantTypesSupported...)
		doc.ResponseTypesSupported = []string{"code"}
		doc.CodeChallengeMethodsSupported = []string{"S256"}
	}
	b, _ := json.MarshalIndent(doc, "", "  ") // cannot fail: strings and slices only
	return append(b, '\n')
}
