package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/access"
	"github.com/fhirlake/fhirlake/api"
	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/auth/apitoken"
	"github.com/fhirlake/fhirlake/auth/lockout"
	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/fhir"
)

// adminAPI serves /admin/ on a running server: what `fhirlake grant`,
// `revoke` and `token` do with the server stopped, and the login
// lockouts, for administrators of every data store (the FHIR handler
// lets no one else through). Every change is recorded in the audit log
// with the administrator as its actor, before it is answered.
//
//	GET    /admin/grants                      every grant: [{user, datastore, role}]
//	POST   /admin/grants                      {user, datastore, role}: grant
//	DELETE /admin/grants/{user}/{ds}/{role}   revoke
//	GET    /admin/tokens[?user=U]             API tokens (never their secrets or hashes)
//	POST   /admin/tokens                      {user, expires ("90d", "12h", "never"), note}: {id, token, expires}
//	DELETE /admin/tokens/{id}                 revoke a token
//	GET    /admin/lockouts                    users and addresses locked after failed logins
//	DELETE /admin/lockouts/{user-or-address}  clear a lock
type adminAPI struct {
	cat  *catalog.Catalog
	log  *audit.Log
	lock *lockout.Limiter
	mux  *http.ServeMux
}

func newAdminAPI(cat *catalog.Catalog, log *audit.Log, lock *lockout.Limiter) http.Handler {
	a := &adminAPI{cat: cat, log: log, lock: lock, mux: http.NewServeMux()}
	a.mux.HandleFunc("GET /admin/grants", a.listGrants)
	a.mux.HandleFunc("POST /admin/grants", a.grant)
	a.mux.HandleFunc("DELETE /admin/grants/{user}/{ds}/{role}", a.revoke)
	a.mux.HandleFunc("GET /admin/tokens", a.listTokens)
	a.mux.HandleFunc("POST /admin/tokens", a.createToken)
	a.mux.HandleFunc("DELETE /admin/tokens/{id}", a.revokeToken)
	a.mux.HandleFunc("GET /admin/lockouts", a.listLocks)
	a.mux.HandleFunc("DELETE /admin/lockouts/{name}", a.clearLock)
	a.mux.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		adminError(w, http.StatusNotFound, "not-found", fmt.Sprintf("no admin endpoint %s %s", r.Method, r.URL.Path))
	})
	return a
}

func (a *adminAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// by is the administrator of a request, for the audit record.
func (a *adminAPI) by(r *http.Request) auditBy {
	c, _ := api.CallerOf(r.Context())
	return auditBy{actor: audit.Actor{User: c.Name, Client: c.Client, Method: c.Method, Roles: []string{access.Admin}},
		protocol: "http", source: r.RemoteAddr}
}

// adminError answers an OperationOutcome, as the rest of the server does.
func adminError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/fhir+json")
	w.WriteHeader(status)
	_, _ = w.Write(fhir.NewOutcome("error", code, msg).JSON())
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		adminError(w, http.StatusInternalServerError, "exception", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// decodeBody reads a small JSON request body into v, refusing unknown
// fields so that a misspelt one is not silently ignored.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		adminError(w, http.StatusBadRequest, "invalid", "the request body is not the expected JSON object: "+err.Error())
		return false
	}
	return true
}

// changeError answers the refusal of a grant, revoke or token change.
func changeError(w http.ResponseWriter, err error) {
	var ue *usageError
	switch {
	case errors.Is(err, catalog.ErrNotFound):
		adminError(w, http.StatusNotFound, "not-found", err.Error())
	case errors.Is(err, catalog.ErrExists):
		adminError(w, http.StatusConflict, "duplicate", err.Error())
	case errors.As(err, &ue):
		adminError(w, http.StatusBadRequest, "invalid", ue.Error())
	case errors.Is(err, errAuditRefused):
		adminError(w, http.StatusInternalServerError, "exception", err.Error())
	default:
		adminError(w, http.StatusBadRequest, "invalid", err.Error())
	}
}

type grantJSON struct {
	User      string `json:"user"`
	Datastore string `json:"datastore"`
	Role      string `json:"role"`
}

func (a *adminAPI) listGrants(w http.ResponseWriter, r *http.Request) {
	users, err := a.cat.Users()
	if err != nil {
		adminError(w, http.StatusInternalServerError, "exception", err.Error())
		return
	}
	out := []grantJSON{}
	for _, u := range users {
		gs, err := a.cat.Grants(u.Name)
		if err != nil {
			adminError(w, http.StatusInternalServerError, "exception", err.Error())
			return
		}
		for _, g := range gs {
			out = append(out, grantJSON{User: u.Name, Datastore: g.Datastore, Role: g.Role})
		}
	}
	adminJSON(w, http.StatusOK, out)
}

// checkGrant validates a grant's parts as the command line does.
func checkGrant(g grantJSON) error {
	switch {
	case g.Datastore == "":
		return &usageError{"datastore is required (" + access.AllDatastores + " for every data store)"}
	case !access.ValidRole(g.Role):
		return &usageError{fmt.Sprintf("unknown role %q (roles: %s)", g.Role, strings.Join(access.Roles(), ", "))}
	case !catalog.ValidUserName(g.User):
		return &usageError{fmt.Sprintf("invalid user name %q", g.User)}
	}
	return nil
}

func (a *adminAPI) grant(w http.ResponseWriter, r *http.Request) {
	var g grantJSON
	if !decodeBody(w, r, &g) {
		return
	}
	if err := checkGrant(g); err != nil {
		changeError(w, err)
		return
	}
	if err := auditedGrant(r.Context(), a.cat, a.log, a.by(r), "grant", g.User, g.Datastore, g.Role); err != nil {
		changeError(w, err)
		return
	}
	adminJSON(w, http.StatusCreated, g)
}

func (a *adminAPI) revoke(w http.ResponseWriter, r *http.Request) {
	g := grantJSON{User: r.PathValue("user"), Datastore: r.PathValue("ds"), Role: r.PathValue("role")}
	if err := checkGrant(g); err != nil {
		changeError(w, err)
		return
	}
	if err := auditedGrant(r.Context(), a.cat, a.log, a.by(r), "revoke", g.User, g.Datastore, g.Role); err != nil {
		changeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type tokenJSON struct {
	ID      string     `json:"id"`
	User    string     `json:"user"`
	Note    string     `json:"note,omitempty"`
	Created time.Time  `json:"created"`
	Expires *time.Time `json:"expires,omitempty"`
	Expired bool       `json:"expired,omitempty"`
}

func (a *adminAPI) listTokens(w http.ResponseWriter, r *http.Request) {
	toks, err := a.cat.Tokens(r.URL.Query().Get("user"))
	if err != nil {
		changeError(w, err)
		return
	}
	now := time.Now()
	out := []tokenJSON{}
	for _, t := range toks {
		j := tokenJSON{ID: t.ID, User: t.User, Note: t.Note, Created: t.Created, Expired: t.Expired(now)}
		if !t.Expires.IsZero() {
			j.Expires = &t.Expires
		}
		out = append(out, j)
	}
	adminJSON(w, http.StatusOK, out)
}

func (a *adminAPI) createToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User    string `json:"user"`
		Expires string `json:"expires"`
		Note    string `json:"note"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	if req.Expires == "" {
		req.Expires = defaultTokenExpiry
	}
	expiry, err := parseExpiry(req.Expires)
	if err != nil {
		changeError(w, &usageError{"expires: " + err.Error()})
		return
	}
	secret, id, hash, err := apitoken.New()
	if err != nil {
		adminError(w, http.StatusInternalServerError, "exception", err.Error())
		return
	}
	tok := catalog.Token{ID: id, User: req.User, Hash: hash, Note: req.Note, Created: time.Now().UTC().Truncate(time.Millisecond)}
	if expiry > 0 {
		tok.Expires = tok.Created.Add(expiry)
	}
	err = a.cat.PutToken(tok)
	if aerr := auditToken(r.Context(), a.log, a.by(r), "create", tok.User, id, err); aerr != nil {
		if err == nil {
			_ = a.cat.DeleteToken(id)
		}
		adminError(w, http.StatusInternalServerError, "exception", "the audit log refused the record, so no token was made: "+aerr.Error())
		return
	}
	if err != nil {
		changeError(w, err)
		return
	}
	out := struct {
		tokenJSON
		Token string `json:"token"`
	}{tokenJSON{ID: id, User: tok.User, Note: tok.Note, Created: tok.Created}, secret}
	if !tok.Expires.IsZero() {
		out.Expires = &tok.Expires
	}
	adminJSON(w, http.StatusCreated, out)
}

func (a *adminAPI) revokeToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	tok, err := a.cat.Token(id)
	if err == nil {
		err = a.cat.DeleteToken(id)
	}
	if aerr := auditToken(r.Context(), a.log, a.by(r), "revoke", tok.User, id, err); aerr != nil {
		if err == nil {
			_ = a.cat.PutToken(tok)
		}
		adminError(w, http.StatusInternalServerError, "exception", "the audit log refused the record, so nothing changed: "+aerr.Error())
		return
	}
	if err != nil {
		changeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *adminAPI) listLocks(w http.ResponseWriter, _ *http.Request) {
	locks := a.lock.Locks(time.Now())
	if locks == nil {
		locks = []lockout.Lock{}
	}
	adminJSON(w, http.StatusOK, locks)
}

func (a *adminAPI) clearLock(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	cleared := a.lock.Clear(name)
	out := audit.Outcome{Result: audit.Success}
	if !cleared {
		out = audit.Outcome{Result: audit.MinorFailure, Message: "no lock on " + name}
	}
	by := a.by(r)
	if _, err := a.log.Append(r.Context(), audit.Event{Kind: audit.KindUser, Actor: by.actor, Protocol: by.protocol,
		Source: by.source, Action: "unlock", Subject: name, Outcome: out}); err != nil {
		adminError(w, http.StatusInternalServerError, "exception", "the audit log refused the record: "+err.Error())
		return
	}
	if !cleared {
		adminError(w, http.StatusNotFound, "not-found", fmt.Sprintf("no user or address %q is locked out", name))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
