package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/access"
	"github.com/fhirlake/fhirlake/auth/smart"
	"github.com/fhirlake/fhirlake/fhir"
)

// Authenticator identifies the caller of each request. The server's
// implementation (opaque API tokens, passwords, JWTs, the trusted local
// quickstart) lives outside this package; the handler only asks it.
type Authenticator interface {
	// Authenticate returns the caller of r, or an error. An *AuthError is
	// answered as it says (401 with a challenge, 429 while locked out);
	// any other error is a server error.
	Authenticate(r *http.Request) (Caller, error)
}

// Caller is who made a request and what they may do. One model serves
// both protocols: Roles are the same per-data-store grants the Postgres
// wire server checks (package access); SMART scopes, when the caller
// presented an OAuth token, restrict further.
type Caller struct {
	// Name is the user or client; Client the OAuth client id, if any.
	Name, Client string
	// Method is how the caller authenticated, for the audit log:
	// trusted, local, token, password, jwt.
	Method string
	// Roles returns the caller's roles on a data store. Nil means the
	// caller has no fhirlake grants and its SMART scopes alone decide
	// which FHIR interactions it may perform (an external identity
	// provider's token): reads, searches, writes and exports only.
	Roles func(datastore string) ([]string, error)
	// SMART, when set, gates each interaction by the token's scopes and,
	// for patient-level scopes, bounds it to the patient's compartment.
	SMART *smart.Principal
}

// AuthError refuses a request before it is served.
type AuthError struct {
	// Status is 401 (no or bad credentials) or 429 (locked out after
	// failed attempts).
	Status int
	// Message says why, without echoing any secret.
	Message string
	// Challenge is the WWW-Authenticate value of a 401.
	Challenge string
	// RetryAfter, for a 429, is how long the lock lasts.
	RetryAfter time.Duration
}

func (e *AuthError) Error() string { return e.Message }

// callerKey is the context key of the request's Caller.
type callerKey struct{}

// CallerOf returns the caller of a request served by the handler (for
// the Admin handler); ok is false when the handler runs without an
// Authenticator.
func CallerOf(ctx context.Context) (Caller, bool) { return callerOf(ctx) }

// callerOf returns the request's caller; ok is false when the handler
// runs without an Authenticator (every request allowed).
func callerOf(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

// authenticate identifies the caller of r, unless r is a Bundle entry's
// sub-request, which runs as its parent's caller. It answers the refusal
// itself and returns false then.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if _, ok := callerOf(r.Context()); ok || h.opts.Auth == nil || publicPath(r) {
		return r, true
	}
	c, err := h.opts.Auth.Authenticate(r)
	var ae *AuthError
	switch {
	case errors.As(err, &ae):
		if ae.Challenge != "" {
			w.Header().Set("WWW-Authenticate", ae.Challenge)
		}
		code := "login"
		if ae.Status == http.StatusTooManyRequests {
			code = "throttled"
			if ae.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(ae.RetryAfter.Round(time.Second)/time.Second)))
			}
		}
		noteActor(r, Caller{Name: attemptedUser(r), Method: "failed"})
		writeOutcome(w, r, ae.Status, code, ae.Message)
		return r, false
	case err != nil:
		h.serverError(w, r, fmt.Errorf("api: authenticate: %w", err))
		return r, false
	}
	noteActor(r, c)
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, c)), true
}

// publicPath reports whether r needs no credentials: the
// CapabilityStatement and the SMART configuration, which clients read to
// learn how to authenticate.
func publicPath(r *http.Request) bool {
	if r.URL.Path == "/auth/token" {
		return true // the token endpoint authenticates clients by their assertions
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := strings.Trim(r.URL.Path, "/")
	parts := strings.Split(p, "/")
	switch {
	case p == ".well-known/smart-configuration":
		return true
	case len(parts) == 3 && parts[0] == "fhir" && parts[2] == "metadata":
		return true
	case len(parts) == 4 && parts[0] == "fhir" && parts[2] == ".well-known" && parts[3] == "smart-configuration":
		return true
	}
	return false
}

// attemptedUser is the user name a refused request tried, from HTTP
// Basic credentials, for the audit record of the failure.
func attemptedUser(r *http.Request) string {
	if u, _, ok := r.BasicAuth(); ok && len(u) <= 64 {
		return u
	}
	return ""
}

// errForbidden marks a write refused by the caller's scopes or compartment
// inside a Store (see guardedStore); it is answered 403.
var errForbidden = errors.New("forbidden")

// forbid answers 403 with an OperationOutcome saying what is missing.
func forbid(w http.ResponseWriter, r *http.Request, msg string) {
	writeOutcome(w, r, http.StatusForbidden, "forbidden", msg)
}

// rolesOn returns the caller's roles on ds; ok reports whether it has a
// role model at all (false: SMART scopes alone).
func (c Caller) rolesOn(ds string) (roles []string, ok bool, err error) {
	if c.Roles == nil {
		return nil, false, nil
	}
	roles, err = c.Roles(ds)
	return roles, true, err
}

// may reports whether the caller's roles on ds allow action; with no role
// model, scopes decide the FHIR interactions and nothing else is allowed.
func (c Caller) may(ds string, action access.Action) (bool, string, error) {
	roles, model, err := c.rolesOn(ds)
	if err != nil {
		return false, "", err
	}
	ok, why := c.allows(roles, model, ds, action)
	return ok, why, nil
}

// allows decides action on ds from roles already read (model false: the
// caller has no fhirlake grants), with the refusal's reason.
func (c Caller) allows(roles []string, model bool, ds string, action access.Action) (bool, string) {
	if !model {
		switch action {
		case access.FHIRRead, access.FHIRSearch, access.FHIRWrite, access.FHIRExport:
			return c.SMART != nil, ""
		}
		return false, fmt.Sprintf("%s needs a fhirlake user with a role on data store %q; an OAuth token's scopes do not grant it", action, ds)
	}
	if access.Can(roles, action) {
		return true, ""
	}
	held := fmt.Sprintf("%s holds no role on data store %q", c.display(), ds)
	if len(roles) > 0 {
		held = fmt.Sprintf("%s holds %s on data store %q", c.display(), strings.Join(roles, ", "), ds)
	}
	return false, fmt.Sprintf("%s; %s needs %s (fhirlake grant ROLE --datastore %s %s)",
		held, action, strings.Join(access.Needed(action), " or "), ds, c.display())
}

func (c Caller) display() string {
	if c.Name == "" {
		return "the caller"
	}
	return strconv.Quote(c.Name)
}

// decide returns the SMART decision for an interaction on typ, or an
// unrestricted allow when the caller has no SMART principal.
func (c Caller) decide(in smart.Interaction, typ string) smart.Decision {
	if c.SMART == nil {
		return smart.Decision{Allowed: true}
	}
	if !fhir.IsResourceType(typ) {
		return smart.Decision{Reason: fmt.Sprintf("smart: unknown resource type %q", typ)}
	}
	return c.SMART.Allows(in, typ)
}
