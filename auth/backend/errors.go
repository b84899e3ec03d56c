package backend

import "net/http"

// The error codes of RFC 6749 §5.2 the endpoint answers with, and
// server_error for its own failures. invalid_grant and unauthorized_client
// do not arise: the client-credentials grant carries no grant to be
// invalid, and every registered client may use it.
const (
	errInvalidRequest       = "invalid_request"
	errInvalidClient        = "invalid_client"
	errUnsupportedGrantType = "unsupported_grant_type"
	errInvalidScope         = "invalid_scope"
	errServer               = "server_error"
)

// oauthError is a refusal, answered as RFC 6749 §5.2 JSON.
type oauthError struct {
	status      int
	code        string
	description string
}

func (e *oauthError) Error() string { return "backend: " + e.code + ": " + e.description }

// badRequest is an invalid_request (400).
func badRequest(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, errInvalidRequest, desc}
}

// badClient is an invalid_client (401): the client did not authenticate.
func badClient(desc string) *oauthError {
	return &oauthError{http.StatusUnauthorized, errInvalidClient, desc}
}

// badScope is an invalid_scope (400).
func badScope(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, errInvalidScope, desc}
}

// serverError is a failure of the server itself (500); desc is not sent.
func serverError(desc string) *oauthError {
	return &oauthError{http.StatusInternalServerError, errServer, desc}
}
