package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/auth/apitoken"
	"github.com/fhirlake/fhirlake/auth/backend"
	"github.com/fhirlake/fhirlake/catalog"
)

// backendTokenNote is the note of the access tokens issued to clients.
const backendTokenNote = "backend services"

// backendTokenEndpoint is the SMART Backend Services token endpoint
// (POST /auth/token) over the catalog's registered clients (fhirlake
// client add). An access token is an opaque API token of the client,
// stored with its granted scope and expiry, so the HTTP authenticator
// checks it like any other (see httpAuthenticator.apiToken). Each issue
// and refusal is recorded in the audit log; lifetime 0 means 5 minutes.
func backendTokenEndpoint(l *lake, log *audit.Log, lifetime time.Duration) http.Handler {
	return backend.NewTokenEndpoint(backend.Config{
		Client: func(_ context.Context, name string) ([]byte, string, bool, error) {
			u, err := l.cat.User(name)
			switch {
			case errors.Is(err, catalog.ErrNotFound):
				return nil, "", false, nil
			case err != nil:
				return nil, "", false, err
			case !u.IsClient():
				return nil, "", false, nil
			}
			return u.JWKS, u.Scopes, true, nil
		},
		Issue: func(_ context.Context, client, scope string, expires time.Time) (string, error) {
			return issueBackendToken(l.cat, client, scope, expires)
		},
		Audit: func(ctx context.Context, client string, ok bool, reason string) error {
			out := audit.Outcome{Result: audit.Success, Message: reason}
			if !ok {
				out.Result = audit.MinorFailure
			}
			_, err := log.Append(ctx, audit.Event{Kind: audit.KindToken, Actor: audit.Actor{User: client, Client: client, Method: "client-credentials"},
				Protocol: "http", Action: "issue", Subject: client, Outcome: out})
			return err
		},
		TokenLifetime: lifetime,
	})
}

// issueBackendToken stores a new access token of client and returns its
// secret. The client's expired access tokens are deleted first, so that a
// job fetching a token every few minutes does not fill the catalog.
func issueBackendToken(cat *catalog.Catalog, client, scope string, expires time.Time) (string, error) {
	now := time.Now()
	old, err := cat.Tokens(client)
	if err != nil {
		return "", err
	}
	for _, t := range old {
		if t.Scope != "" && t.Expired(now) {
			if err := cat.DeleteToken(t.ID); err != nil && !errors.Is(err, catalog.ErrNotFound) {
				return "", err
			}
		}
	}
	secret, id, hash, err := apitoken.New()
	if err != nil {
		return "", err
	}
	err = cat.PutToken(catalog.Token{ID: id, User: client, Hash: hash, Note: backendTokenNote,
		Created: now, Expires: expires, Scope: scope})
	if err != nil {
		return "", fmt.Errorf("serve: access token of %s: %w", client, err)
	}
	return secret, nil
}
