package smart

import (
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
)

// smartClaims are the non-registered claims fhirlake reads from a token.
type smartClaims struct {
	Scope    any    `json:"scope"`
	Scp      any    `json:"scp"`
	ClientID string `json:"client_id"`
	AZP      string `json:"azp"`
	Patient  string `json:"patient"`
	FHIRUser string `json:"fhirUser"`
}

// principal builds the Principal for verified claims. Scopes come from
// "scope" (a space-separated string, RFC 8693/9068) or, when it is absent,
// "scp" (an array, as some providers send); either may be a string or an
// array of strings. Invalid scopes are dropped: they can only narrow access.
func (c smartClaims) principal(subject string) (Principal, error) {
	raw := c.Scope
	if raw == nil {
		raw = c.Scp
	}
	list, ok := scopeList(raw)
	if !ok {
		return Principal{}, refuse("scope claim is neither a string nor an array of strings", nil)
	}
	if c.Patient != "" && !fhir.ValidID(c.Patient) {
		return Principal{}, refuse("patient claim is not a valid FHIR id", nil)
	}
	scopes, _ := ParseScopes(list)
	p := Principal{Subject: subject, ClientID: c.ClientID, Scopes: scopes, Patient: c.Patient, FHIRUser: c.FHIRUser}
	if p.ClientID == "" {
		p.ClientID = c.AZP
	}
	return p, nil
}

// scopeList turns a scope claim into one space-separated string.
func scopeList(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, " "), true
	}
	return "", false
}
