package backend

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The fixed values of a Backend Services token request.
const (
	grantClientCredentials = "client_credentials"
	assertionTypeJWTBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// Request size limits.
const (
	// maxBodyBytes caps the form body: an assertion, a scope list and a
	// few names.
	maxBodyBytes = 64 << 10
	// maxScopeBytes caps the scope parameter.
	maxScopeBytes = 4 << 10
)

// tokenRequest is a parsed token request.
type tokenRequest struct {
	grantType     string
	assertionType string
	assertion     string
	scope         string
	clientID      string // optional (RFC 7523 §3): must then be the assertion's iss
}

// parseRequest reads the form body of a token request. It checks the
// form itself, not what its values mean: a parameter given twice, a body
// that is not application/x-www-form-urlencoded or too long, are refused
// (RFC 6749 §3.2).
func parseRequest(contentType string, body []byte) (tokenRequest, *oauthError) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return tokenRequest{}, badRequest("the request body must be application/x-www-form-urlencoded")
	}
	if len(body) > maxBodyBytes {
		return tokenRequest{}, badRequest("the request body is too long")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return tokenRequest{}, badRequest("the request body is not a valid form")
	}
	for name, values := range form {
		if len(values) > 1 {
			return tokenRequest{}, badRequest("parameter " + quote(name) + " is given more than once")
		}
	}
	req := tokenRequest{
		grantType:     form.Get("grant_type"),
		assertionType: form.Get("client_assertion_type"),
		assertion:     form.Get("client_assertion"),
		scope:         form.Get("scope"),
		clientID:      form.Get("client_id"),
	}
	if len(req.scope) > maxScopeBytes {
		return tokenRequest{}, badScope("the scope parameter is too long")
	}
	return req, nil
}

// checkGrant refuses a request for another grant than client credentials,
// or without a scope.
func (r tokenRequest) checkGrant() *oauthError {
	switch {
	case r.grantType == "":
		return badRequest("grant_type is required")
	case r.grantType != grantClientCredentials:
		return &oauthError{http.StatusBadRequest, errUnsupportedGrantType, "only grant_type=client_credentials is supported"}
	case strings.TrimSpace(r.scope) == "":
		return badRequest("scope is required (such as system/*.rs)")
	}
	return nil
}

// checkAuthentication refuses a request without a JWT bearer assertion:
// private_key_jwt is the only client authentication.
func (r tokenRequest) checkAuthentication() *oauthError {
	switch {
	case r.assertionType == "" && r.assertion == "":
		return badClient("client authentication required: client_assertion_type=" + assertionTypeJWTBearer + " and a signed client_assertion")
	case r.assertionType != assertionTypeJWTBearer:
		return badClient("client_assertion_type must be " + assertionTypeJWTBearer)
	case r.assertion == "":
		return badClient("client_assertion is required")
	}
	return nil
}

// quote quotes s, cut to 64 bytes, for an error description.
func quote(s string) string {
	if len(s) > 64 {
		return strconv.Quote(s[:64]) + "…"
	}
	return strconv.Quote(s)
}
