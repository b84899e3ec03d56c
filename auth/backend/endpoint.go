package backend

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// endpoint serves the token endpoint.
type endpoint struct {
	cfg    Config
	replay *replayCache
}

// tokenResponse is the successful answer (RFC 6749 §5.1, SMART).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// errorResponse is a refusal (RFC 6749 §5.2).
type errorResponse struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// NewTokenEndpoint returns the handler of a SMART Backend Services token
// endpoint (POST, form-encoded): it authenticates the client by its JWT
// assertion, grants the requested system scopes the client is allowed,
// and answers with a bearer token of cfg.TokenLifetime that cfg.Issue
// makes. cfg.Client and cfg.Issue must be set. The handler is safe for
// concurrent use; its replay cache lives as long as it does.
func NewTokenEndpoint(cfg Config) http.Handler {
	cfg = cfg.withDefaults()
	return &endpoint{cfg: cfg, replay: newReplayCache(cfg.MaxReplay)}
}

// ServeHTTP implements http.Handler.
func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if e.cfg.Client == nil || e.cfg.Issue == nil {
		e.refuse(ctx, w, "", serverError("backend: token endpoint without Client or Issue"))
		return
	}
	resp, claimed, oe := e.serve(r)
	if oe != nil {
		e.refuse(ctx, w, claimed, oe)
		return
	}
	if e.cfg.Audit != nil {
		if err := e.cfg.Audit(ctx, claimed, true, "granted "+resp.Scope); err != nil {
			writeJSON(w, http.StatusInternalServerError, errorResponse{Error: errServer, Description: "the audit log refused the record"})
			return
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// serve runs the request through every check and issues the token.
func (e *endpoint) serve(r *http.Request) (tokenResponse, string, *oauthError) {
	if r.Method != http.MethodPost {
		return tokenResponse{}, "", &oauthError{http.StatusMethodNotAllowed, errInvalidRequest, "the token endpoint takes POST"}
	}
	if _, _, ok := r.BasicAuth(); ok {
		return tokenResponse{}, "", badClient("client_secret_basic is not supported: authenticate with a client_assertion (private_key_jwt)")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return tokenResponse{}, "", badRequest("cannot read the request body")
	}
	req, oe := parseRequest(r.Header.Get("Content-Type"), body)
	if oe == nil {
		oe = req.checkGrant()
	}
	if oe == nil {
		oe = req.checkAuthentication()
	}
	if oe != nil {
		return tokenResponse{}, req.clientID, oe
	}
	c, claimed, oe := e.authenticate(r.Context(), req, e.audience(r))
	if oe != nil {
		return tokenResponse{}, claimed, oe
	}
	allowed, err := ParseSystemScopes(c.scopes)
	if err != nil {
		return tokenResponse{}, c.name, badScope("the client's registered scopes are unusable: " + err.Error())
	}
	scope, err := GrantScopes(req.scope, allowed)
	if err != nil {
		return tokenResponse{}, c.name, badScope(strings.TrimPrefix(err.Error(), "smart: ") + " (allowed: " + c.scopes + ")")
	}
	lifetime := e.cfg.TokenLifetime
	token, err := e.cfg.Issue(r.Context(), c.name, scope, e.cfg.Now().Add(lifetime))
	if err != nil {
		return tokenResponse{}, c.name, serverError("issue token: " + err.Error())
	}
	return tokenResponse{AccessToken: token, TokenType: "bearer", ExpiresIn: int64(lifetime / time.Second), Scope: scope}, c.name, nil
}

// audience is the token endpoint URL an assertion must name.
func (e *endpoint) audience(r *http.Request) string {
	if e.cfg.Audience != "" {
		return e.cfg.Audience
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/auth/token"
}

// refuse records and answers a refusal. A server error's description
// goes to the audit record only: the client learns that it happened.
func (e *endpoint) refuse(ctx context.Context, w http.ResponseWriter, client string, oe *oauthError) {
	if e.cfg.Audit != nil {
		if err := e.cfg.Audit(ctx, client, false, oe.code+": "+oe.description); err != nil {
			oe = serverError("audit: " + err.Error())
		}
	}
	desc := oe.description
	if oe.status == http.StatusInternalServerError {
		desc = "the server failed to answer the token request"
	}
	if oe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	writeJSON(w, oe.status, errorResponse{Error: oe.code, Description: desc})
}

// writeJSON answers v as JSON, never to be cached (RFC 6749 §5.1).
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v) // cannot fail: strings and an integer
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
