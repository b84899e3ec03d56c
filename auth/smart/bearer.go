package smart

import (
	"net/http"
	"strings"
)

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header (RFC 6750; the scheme is case-insensitive). ok is false when the
// header is absent, uses another scheme, or carries an empty token; the
// caller then answers 401 with "WWW-Authenticate: Bearer".
func BearerToken(h http.Header) (token string, ok bool) {
	scheme, token, found := strings.Cut(h.Get("Authorization"), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
